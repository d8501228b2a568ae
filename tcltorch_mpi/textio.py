"""Numbers between Tcl text and tensors, in bulk (numpy), exact both ways."""

import warnings

import numpy as np
import torch

from .errors import CommandError

# Significant digits that make every value of the dtype read back bit for bit.
_ROUND_TRIP_DIGITS = {torch.float16: 5, torch.bfloat16: 4, torch.float32: 9, torch.float64: 17}
# Below this many elements, print the shortest exact text ("0.1", not "0.100000001").
_SHORTEST_UP_TO = 4096
_NESTING = ("{", '"', "\\")


def _leaves(tk, text, depth=0):
    """Flatten a (possibly nested) Tcl list: (leaf strings, shape)."""
    items = tk.splitlist(text)
    nested = [len(sub) != 1 or sub[0] != item for item in items for sub in [tk.splitlist(item)]]
    if not items or not any(nested):
        return list(items), [len(items)]
    if not all(nested):
        raise CommandError("Invalid data: nested lists must all have the same depth")
    leaves, shape = [], None
    for item in items:
        sub_leaves, sub_shape = _leaves(tk, item, depth + 1)
        if shape is None:
            shape = sub_shape
        elif sub_shape != shape:
            raise CommandError("Invalid data: nested lists must be rectangular "
                               f"(rows of shape {shape} and {sub_shape})")
        leaves.extend(sub_leaves)
    return leaves, [len(items)] + shape


def _convert_each(tk, leaves, dtype):
    if dtype == torch.bool:
        convert, kind = tk.getboolean, "boolean"
    elif dtype.is_complex:
        convert, kind = complex, "complex number (such as 1+2j)"
    elif dtype.is_floating_point:
        convert, kind = tk.getdouble, "number"
    else:
        convert, kind = tk.getint, "integer"
    values = []
    for leaf in leaves:
        try:
            values.append(convert(leaf))
        except Exception:  # Tcl and Python each say no their own way
            raise CommandError(f'Invalid data: expected {kind}, got "{leaf}"') from None
    return values


def parse(tk, text, dtype):
    """Tcl list text (flat or nested) -> (numpy array of values, shape)."""
    if not any(mark in text for mark in _NESTING):
        # Fast path: one flat list of plain decimal numbers.
        wide = np.float64 if dtype.is_floating_point else np.int64
        if not dtype.is_complex:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    values = np.fromstring(text, dtype=wide, sep=" ")
                    return values, [values.size]
                except (ValueError, DeprecationWarning):
                    pass
        leaves, shape = list(tk.splitlist(text)), None
    else:
        leaves, shape = _leaves(tk, text)
    values = _convert_each(tk, leaves, dtype)
    if dtype == torch.bool:
        array = np.asarray(values, dtype=np.bool_)
    elif dtype.is_complex:
        array = np.asarray(values, dtype=np.complex128)
    else:
        try:
            array = np.asarray(values, dtype=np.float64 if dtype.is_floating_point else np.int64)
        except OverflowError:
            raise CommandError(f"Invalid data: a value does not fit in {dtype}") from None
    return array, shape or [array.size]


def _tcl_specials(text):
    # Tcl spells infinities and NaN as Inf and NaN.
    if "n" in text:
        text = text.replace("inf", "Inf").replace("nan", "NaN")
    return text


def format(tensor):
    """The elements of a tensor, flattened, as the text of a Tcl list."""
    flat = tensor.detach().reshape(-1).cpu()
    dtype = flat.dtype
    if dtype == torch.bool:
        return " ".join("1" if v else "0" for v in flat.tolist())
    if dtype.is_complex:
        return " ".join(_tcl_specials(repr(complex(v)).strip("()")) for v in flat.tolist())
    if not dtype.is_floating_point:
        return " ".join(map(str, flat.tolist()))
    if flat.numel() <= _SHORTEST_UP_TO and dtype != torch.bfloat16:
        return _tcl_specials(" ".join(map(str, flat.numpy())))
    values = flat.double().tolist()
    pattern = f"%.{_ROUND_TRIP_DIGITS[dtype]}g"
    return _tcl_specials(" ".join([pattern] * len(values)) % tuple(values))
