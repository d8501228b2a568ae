"""The one place where a tensor becomes an MPI buffer.

Contiguous CPU tensors are handed to MPI by address, with no copy. CUDA tensors go
straight to MPI as cupy arrays (DLPack, no copy) when the MPI library is CUDA-aware
and cupy is installed; otherwise they are staged through pinned host memory (torch's
caching host allocator reuses it between calls) and the results copied back.
Collectives only ever see "wire" tensors, which MPI may touch.
"""

import ctypes
import math
import os
import sys

import numpy as np
import torch

from .runtime import MPI, WORLD, abort


def _loaded_mpi_libraries():
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "libmpi" in line and "/" in line}
    return sorted(paths)


def _library_reports_cuda():
    """What the MPI library says (Open MPI and MPICH extension); None if it cannot say."""
    for path in _loaded_mpi_libraries():
        try:
            query = getattr(ctypes.CDLL(path), "MPIX_Query_cuda_support", None)
        except OSError:
            continue
        if query is not None:
            query.restype = ctypes.c_int
            return bool(query())
    return None


def _cupy_problem():
    """Why cupy cannot hand device memory to MPI here, or None if it can."""
    try:
        import cupy
    except ImportError:
        return "cupy is not installed"
    try:  # a cupy built for another CUDA than the driver's fails here, not mid-collective
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # cupy's CUDA errors have no common base class
        return f"cupy cannot reach the GPU: {str(exc).strip().splitlines()[0]}"
    return None if count else "cupy sees no GPU"


def _choose_cuda_path():
    """(direct, why): decided once per run; when unsure, stage."""
    forced = os.environ.get("TCLTORCH_MPI_CUDA_AWARE", "")
    if forced not in ("", "0", "1"):
        raise SystemExit(f"tcltorch_mpi: TCLTORCH_MPI_CUDA_AWARE must be 0 or 1, not {forced!r}")
    if forced == "0":
        return False, "staged through host memory (TCLTORCH_MPI_CUDA_AWARE=0)"
    problem = _cupy_problem()
    if problem:
        return False, f"staged through host memory ({problem})"
    if forced == "1":
        return True, "direct, CUDA-aware MPI (TCLTORCH_MPI_CUDA_AWARE=1)"
    if _library_reports_cuda():
        return True, "direct, CUDA-aware MPI (MPIX_Query_cuda_support)"
    return False, "staged through host memory (the MPI library does not report CUDA support)"


CUDA_DIRECT, CUDA_PATH = _choose_cuda_path()
# Stage CPU tensors too: lets CI run the staging code without a GPU.
STAGE_CPU = os.environ.get("TCLTORCH_MPI_STAGE_CPU", "") not in ("", "0")


def _staged(tensor):
    return (not CUDA_DIRECT) if tensor.is_cuda else STAGE_CPU


# Results from 1 MiB up come from numpy's allocator (plain malloc; from 4 MiB it asks
# for huge pages), so that the block a freed result leaves is reused as it is. torch's
# aligned allocations leave gaps that the next block of the same size does not fit:
# the heap grew into fresh pages instead, and a 64 MiB all_to_all loop faulted in its
# whole result on most calls (up to 5x slower than MPI alone, on 4 ranks here).
_NUMPY_FROM_BYTES = 1 << 20


def host_empty(shape, dtype):
    """Host memory for a result (see above)."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < _NUMPY_FROM_BYTES:
        return torch.empty(shape, dtype=dtype)
    return torch.from_numpy(np.empty(nbytes, dtype=np.uint8)).view(dtype).view(shape)


def empty_like(wire_tensor, like):
    """``empty`` shaped like a wire tensor; small CPU results take torch's cheapest
    allocation (a third of the time of torch.empty with a shape)."""
    if like.is_cuda or wire_tensor.nbytes >= _NUMPY_FROM_BYTES:
        return empty(wire_tensor.shape, wire_tensor.dtype, like)
    return torch.empty_like(wire_tensor)


def empty(shape, dtype, like):
    """A tensor MPI may write, for results of ``like`` (a tensor the user gave)."""
    if not like.is_cuda:
        return host_empty(shape, dtype)
    if CUDA_DIRECT:
        return _settled(torch.empty(shape, dtype=dtype, device=like.device))
    return torch.empty(shape, dtype=dtype, pin_memory=True)


def wire(tensor, dtype=None):
    """A contiguous tensor holding ``tensor``'s data (as ``dtype``) that MPI may read."""
    if dtype is not None and dtype != tensor.dtype:
        tensor = tensor.to(dtype)
    if not (tensor.is_cuda or STAGE_CPU):
        return tensor if tensor.is_contiguous() else tensor.contiguous()
    if _staged(tensor):
        return empty(tensor.shape, tensor.dtype, tensor).copy_(tensor)
    return _settled(tensor.contiguous())


def _settled(device_tensor):
    """MPI touches device memory outside CUDA's stream order: wait for the kernels
    queued on the tensor's stream, both those computing an input and those still
    using a block the caching allocator has already handed out again."""
    torch.cuda.current_stream(device_tensor.device).synchronize()
    return device_tensor


def home(result, device):
    """Move a received result to the device the user's tensor lives on."""
    return result if result.device == device else result.to(device)


def spec(tensor, datatype=MPI.BYTE):
    """mpi4py buffer spec for a wire tensor: its memory, read as ``datatype``."""
    if tensor.is_cuda:
        return [_device_bytes(tensor), datatype]
    return [MPI.buffer.fromaddress(tensor.data_ptr(), tensor.nbytes), datatype]


def _device_bytes(tensor):
    """A CUDA tensor's memory as a cupy byte array (DLPack, no copy): cupy has no
    bfloat16, and MPI reads the datatype it is given anyway. Peers may already be in
    the operation, so a failure here ends the job rather than leave them waiting."""
    import cupy
    try:
        with torch.cuda.device(tensor.device):  # torch exports only from the current device
            return cupy.from_dlpack(tensor.reshape(-1).view(torch.uint8))
    except Exception as exc:
        sys.stderr.write(f"[rank {WORLD.Get_rank()}] cupy cannot hand {tensor.device} memory to MPI "
                         f"({str(exc).strip()}); TCLTORCH_MPI_CUDA_AWARE=0 stages it through the host\n")
        abort(1)
