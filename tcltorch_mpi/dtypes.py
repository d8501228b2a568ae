"""dtype names as Tcl scripts write them, and the matching numpy types (no MPI here:
wire.py has the MPI datatypes)."""

import torch

from .errors import CommandError, invalid

# Canonical name -> (torch dtype, name that tensor_dtype returns)
_CANONICAL = {
    "float32": (torch.float32, "Float32"),
    "float64": (torch.float64, "Float64"),
    "float16": (torch.float16, "Float16"),
    "bfloat16": (torch.bfloat16, "BFloat16"),
    "int8": (torch.int8, "Int8"),
    "uint8": (torch.uint8, "UInt8"),
    "int16": (torch.int16, "Int16"),
    "int32": (torch.int32, "Int32"),
    "int64": (torch.int64, "Int64"),
    "bool": (torch.bool, "Bool"),
    "complex64": (torch.complex64, "Complex64"),
    "complex128": (torch.complex128, "Complex128"),
}
_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "int": "int32", "long": "int64"}

BY_NAME = {name: dtype for name, (dtype, _) in _CANONICAL.items()}
BY_NAME.update({display: dtype for dtype, display in _CANONICAL.values()})
BY_NAME.update({alias: BY_NAME[name] for alias, name in _ALIASES.items()})
DISPLAY = {dtype: display for dtype, display in _CANONICAL.values()}
CODE = {dtype: i for i, (dtype, _) in enumerate(_CANONICAL.values())}
FROM_CODE = {i: dtype for dtype, i in CODE.items()}

# Reduced in float32 and rounded back: numpy/MPI have no half-precision reductions.
WIDENED = {torch.float16: torch.float32, torch.bfloat16: torch.float32}


def parse(name):
    try:
        return BY_NAME[name]
    except (KeyError, TypeError):
        raise invalid("dtype", "one of " + " ".join(_CANONICAL), name) from None


def numpy_dtype(dtype):
    """numpy dtype with the same element layout (bfloat16 has none)."""
    return torch.empty(0, dtype=dtype).numpy().dtype



def is_integral(dtype):
    return not (dtype.is_floating_point or dtype.is_complex)


def check_mean(dtype, prefix):
    """A mean needs a floating (or complex) dtype."""
    if is_integral(dtype):
        raise CommandError(f"{prefix}: mean of an integer tensor ({DISPLAY[dtype]}); "
                           "convert it to a floating dtype first")
