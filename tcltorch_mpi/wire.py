"""What goes over MPI: the MPI datatype of each dtype, and the runtime's one message
format, a tensor's dtype and shape as a fixed-size int64 header, sent before its data
(point-to-point) or by a root (broadcast, scatter) so that the receivers can allocate
what arrives."""

import numpy as np

from . import dtypes
from .errors import CommandError
from . import runtime  # noqa: F401 (first: MPI starts with the runtime's settings)
from mpi4py.util import dtlib  # noqa: E402


def _predefined(numpy_dtype):
    """The predefined MPI datatype of a numpy dtype (MPI's reductions need predefined
    types; mpi4py's dtlib returns a duplicate)."""
    duplicate = dtlib.from_numpy_dtype(numpy_dtype)
    predefined = duplicate.decode()[0]
    duplicate.Free()
    return predefined


# MPI datatype to reduce each dtype in (float16/bfloat16 are reduced as float32).
MPI_TYPE = {dtype: _predefined(dtypes.numpy_dtype(dtype)) for dtype in dtypes.DISPLAY
            if dtype not in dtypes.WIDENED}

MAX_DIMS = 32
_HEADER = MAX_DIMS + 2  # dtype code, ndim, dims...


def check_dims(tensor, command):
    if tensor.dim() > MAX_DIMS:
        raise CommandError(f"{command}: a tensor of {tensor.dim()} dimensions cannot be sent, "
                           f"at most {MAX_DIMS}")


def encode_header(tensor, command="send"):
    check_dims(tensor, command)
    shape = tensor.shape
    header = np.zeros(_HEADER, dtype=np.int64)
    header[:2 + len(shape)] = (dtypes.CODE[tensor.dtype], len(shape), *shape)
    return header


def decode_header(header):
    code, ndim, *dims = header.tolist()
    return dtypes.FROM_CODE[code], tuple(dims[:ndim])


def empty_header():
    return np.empty(_HEADER, dtype=np.int64)
