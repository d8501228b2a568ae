"""What the tensor families' engine functions share (tcltorch_mpi/families/): a new
tensor made within its limits, and the checks of a dim, an index or a device.

Engine functions take the values converted by their declared kinds (a tensor, a list
of ints, a torch dtype) and return what the command gives (a tensor becomes a new
handle).
"""

import math

import torch

from . import dtypes
from .errors import CommandError, first_line, tcl_list


def _amount(nbytes):
    """A byte count as people read it: 3.6 TiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024:
            break
        nbytes /= 1024
    else:
        unit = "EiB"
    return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"


def torch_call(name, function, *args, **kwargs):
    """A torch call from an engine function whose complaints about the user's values
    (an empty tensor, a dtype it does not take) are the command's plain errors."""
    try:
        return function(*args, **kwargs)
    except (RuntimeError, IndexError, ValueError) as exc:
        raise CommandError(f"{name}: {first_line(exc)}") from None


class TensorCommands:
    def _new(self, tensor, requires_grad=False):
        if requires_grad:
            if dtypes.is_integral(tensor.dtype):
                raise CommandError("Invalid requires_grad: only floating-point tensors can require gradients")
            tensor.requires_grad_(True)
        return tensor

    def filled(self, name, factory, shape, dtype, device, requires_grad=False):
        numel = math.prod(shape)
        # Said here in plain words: torch answers with an overflow naming a Python list,
        # or with its allocator's failure.
        if numel >= 2**63 or math.prod(max(d, 1) for d in shape[1:]) >= 2**63:  # strides too
            raise CommandError(f"{name}: a tensor of shape {tcl_list(shape)} has too many "
                               "elements to index (2**63 or more)")
        nbytes = numel * torch.empty(0, dtype=dtype).element_size()
        tensor = None
        if nbytes < 2**63:
            try:
                tensor = factory(shape, dtype=dtype, device=device)
            except RuntimeError as exc:
                if not (isinstance(exc, torch.cuda.OutOfMemoryError) or "can't allocate memory" in str(exc)):
                    raise
        if tensor is None:
            raise CommandError(f"{name}: a tensor of shape {tcl_list(shape)} ({dtypes.DISPLAY[dtype].lower()}) "
                               f"needs {_amount(nbytes)} of memory, more than this process can allocate")
        return self._new(tensor, requires_grad)

    @staticmethod
    def _dim(tensor, dim, name="dim"):
        """dim, checked against the tensor's dimensions (a 0-dimensional tensor takes
        -1 and 0, as in torch)."""
        count = max(tensor.dim(), 1)
        if not -count <= dim < count:
            raise CommandError(f"Invalid {name}: {dim} is out of range for a {tensor.dim()}-dimensional tensor "
                               f"(expected {-count} .. {count - 1})")
        return dim

    def _dims(self, tensor, dim):
        """dim (an int or a tuple of them) checked against the tensor's dimensions."""
        for d in (dim if isinstance(dim, tuple) else (dim,)):
            self._dim(tensor, d)
        return dim

    @staticmethod
    def _size(tensor, dim):
        return tensor.shape[dim] if tensor.dim() else 1

    @staticmethod
    def _same_device(name, tensor, other):
        if other.device != tensor.device:
            raise CommandError(f"Invalid {name}: it is on {other.device}, the tensor on {tensor.device}")

    def _index(self, tensor, dim, index):
        """index checked as indices into dimension dim of tensor: Int64 or Int32, at
        most 1-dimensional, each in 0 .. size-1."""
        if index.dtype not in (torch.int64, torch.int32):
            raise CommandError(f"Invalid index: expected an Int64 or Int32 tensor, got {dtypes.DISPLAY[index.dtype]}; "
                               "convert it with torch::tensor_to")
        if index.dim() > 1:
            raise CommandError(f"Invalid index: expected a 1-dimensional tensor of indices, "
                               f"got shape {tcl_list(list(index.shape))}")
        self._same_device("index", tensor, index)
        size = self._size(tensor, dim)
        if index.numel():
            low, high = index.min().item(), index.max().item()
            if low < 0 or high >= size:
                raise CommandError(f"Invalid index: {low if low < 0 else high} is out of range for dimension {dim} "
                                   f"of size {size} (expected 0 .. {size - 1})")
