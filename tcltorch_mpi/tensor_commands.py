"""Tensor commands: build, inspect, convert and free the tensors collectives move.

Methods are the engine functions the command table (commands.py) names: they take the
values converted by their declared kinds (a tensor, a list of ints, a torch dtype) and
return what the command gives (a tensor becomes a new handle).
"""

import math

import numpy as np
import torch

from . import dtypes, textio
from .errors import CommandError, tcl_list

# What the shim's tensor_create proc puts in place of data it packed in binary
# (the variables ::tcltorch_mpi::doubles and ::tcltorch_mpi::data hold it).
PACKED = "<data packed by tcltorch_mpi>"


def _amount(nbytes):
    """A byte count as people read it: 3.6 TiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024:
            break
        nbytes /= 1024
    else:
        unit = "EiB"
    return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"


class TensorCommands:
    def _new(self, tensor, requires_grad=False):
        if requires_grad:
            if dtypes.is_integral(tensor.dtype):
                raise CommandError("Invalid requires_grad: only floating-point tensors can require gradients")
            tensor.requires_grad_(True)
        return tensor

    def tensor_create(self, data, shape, dtype, device, requires_grad):
        packed = data == PACKED and self.tk.getboolean(self.tk.call("info", "exists", "::tcltorch_mpi::doubles"))
        if packed and not dtypes.is_integral(dtype):
            doubles = self.tk.getvar("::tcltorch_mpi::doubles") or b""  # Tcl hands b"" over as ""
            values = torch.from_numpy(np.frombuffer(bytearray(doubles), dtype=np.float64))
            return self._created(values, [values.numel()], shape, dtype, device, requires_grad)
        if packed:  # integers are read from their text, exactly
            data = self.tk.eval("set ::tcltorch_mpi::data")
        values, data_shape = textio.parse(self.tk, data, dtype)
        return self._created(torch.from_numpy(values), data_shape, shape, dtype, device, requires_grad)

    def _created(self, values, data_shape, shape, dtype, device, requires_grad):
        tensor = values.to(dtype)
        if shape is not None:
            try:
                tensor = tensor.reshape(shape)
            except RuntimeError:
                raise CommandError(f"Invalid shape: {tcl_list(shape)} does not hold "
                                   f"the {values.numel()} elements of data") from None
        else:
            tensor = tensor.reshape(data_shape)
        return self._new(tensor.to(device), requires_grad)

    def _filled(self, name, factory, shape, dtype, device, requires_grad=False):
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

    def zeros(self, shape, dtype, device, requires_grad):
        return self._filled("zeros", torch.zeros, shape, dtype, device, requires_grad)

    def ones(self, shape, dtype, device, requires_grad):
        return self._filled("ones", torch.ones, shape, dtype, device, requires_grad)

    def empty(self, shape, dtype, device, requires_grad):
        return self._filled("empty", torch.empty, shape, dtype, device, requires_grad)

    def full(self, shape, value, dtype, device):
        return self._filled("full", lambda size, **kw: torch.full(size, value, **kw), shape, dtype, device)

    def randn(self, shape, device, dtype):
        if dtypes.is_integral(dtype):
            raise CommandError(f"Invalid dtype: randn needs a floating dtype, got {dtypes.DISPLAY[dtype]}")
        return self._filled("randn", torch.randn, shape, dtype, device)

    def arange(self, start, end, step, dtype, device):
        if step == 0:
            raise CommandError("Invalid step: must not be zero")
        if dtype is None:
            dtype = torch.int64 if all(isinstance(n, int) for n in (start, end, step)) else torch.float32
        return torch.arange(start, end, step, dtype=dtype, device=device)

    def manual_seed(self, seed):
        if not -2**63 <= seed < 2**64:
            raise CommandError(f"Invalid seed: expected a 64-bit integer, got {seed}")
        torch.manual_seed(seed)

    def tensor_shape(self, tensor):
        return tuple(tensor.shape)

    def tensor_dtype(self, tensor):
        return dtypes.DISPLAY[tensor.dtype]

    def tensor_device(self, tensor):
        return str(tensor.device)

    def tensor_to_list(self, tensor):
        return textio.to_tcl(tensor)

    def tensor_print(self, tensor):
        return str(tensor.detach())

    def tensor_reshape(self, tensor, shape):
        try:
            return tensor.reshape(shape)
        except RuntimeError:
            raise CommandError(f"Invalid shape: {tcl_list(shape)} cannot hold "
                               f"the {tensor.numel()} elements of the tensor") from None

    def tensor_permute(self, tensor, dims):
        if sorted(d % tensor.dim() if tensor.dim() else d for d in dims) != list(range(tensor.dim())):
            raise CommandError(f"Invalid dims: {tcl_list(dims)} is not a permutation "
                               f"of the {tensor.dim()} dimensions of the tensor")
        # A view: collectives take non-contiguous tensors as they are.
        return tensor.permute(dims)

    def tensor_to(self, tensor, device, dtype):
        return tensor.to(device=device, dtype=dtype or tensor.dtype, copy=True)

    def tensor_mean(self, tensor):
        dtypes.check_mean(tensor.dtype, "tensor_mean")
        return tensor.mean()

    def tensor_free(self, handles):
        for name in handles:
            self.tensor(name)  # all valid before any is released
        for name in dict.fromkeys(handles):  # a handle listed twice is freed once
            self.tensors.pop(name)

    def tensor_count(self):
        return len(self.tensors)

    # ---- tensor math: matmul ----

    def matmul(self, input, other):
        a, b = tcl_list(list(input.shape)), tcl_list(list(other.shape))
        if input.dim() == 0 or other.dim() == 0:
            raise CommandError(f"matmul: both tensors need at least one dimension, got shapes {a} and {b}")
        if input.dtype != other.dtype:
            raise CommandError(f"matmul: the dtypes differ ({dtypes.DISPLAY[input.dtype]} and "
                               f"{dtypes.DISPLAY[other.dtype]}); convert one with torch::tensor_to")
        if input.dtype == torch.bool:
            raise CommandError("matmul: Bool tensors cannot be multiplied; convert them to a number dtype first")
        inner = other.shape[0] if other.dim() == 1 else other.shape[-2]
        if input.shape[-1] != inner:
            which = "length" if other.dim() == 1 else "second-to-last dimension"
            raise CommandError(f"matmul: shapes {a} and {b} do not fit: the last dimension of input "
                               f"({input.shape[-1]}) must equal the {which} of other ({inner})")
        try:
            torch.broadcast_shapes(input.shape[:-2], other.shape[:-2])
        except RuntimeError:
            raise CommandError(f"matmul: shapes {a} and {b} do not fit: their batch dimensions "
                               f"{tcl_list(list(input.shape[:-2]))} and {tcl_list(list(other.shape[:-2]))} "
                               "do not broadcast") from None
        return torch.matmul(input, other)

    # ---- tensor routing and indexing ----

    @staticmethod
    def _dim(tensor, dim, name="dim"):
        """dim, checked against the tensor's dimensions (a 0-dimensional tensor takes
        -1 and 0, as in torch)."""
        count = max(tensor.dim(), 1)
        if not -count <= dim < count:
            raise CommandError(f"Invalid {name}: {dim} is out of range for a {tensor.dim()}-dimensional tensor "
                               f"(expected {-count} .. {count - 1})")
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

    def _extreme_index(self, name, function, tensor, dim, keepdim):
        if dim is None:
            if tensor.numel() == 0:
                raise CommandError(f"{name}: the tensor has no elements, so there is none to choose")
        else:
            self._dim(tensor, dim)
            if self._size(tensor, dim) == 0:
                raise CommandError(f"{name}: dimension {dim} has size 0, so there is no element to choose")
        return function(tensor, dim, keepdim)

    def argmax(self, tensor, dim, keepdim):
        return self._extreme_index("argmax", torch.argmax, tensor, dim, keepdim)

    def argmin(self, tensor, dim, keepdim):
        return self._extreme_index("argmin", torch.argmin, tensor, dim, keepdim)

    def argsort(self, tensor, dim, descending, stable):
        return torch.argsort(tensor, dim=self._dim(tensor, dim), descending=descending, stable=stable)

    def sort(self, tensor, dim, descending, stable):
        values, indices = torch.sort(tensor, dim=self._dim(tensor, dim), descending=descending, stable=stable)
        return values, indices

    def topk(self, tensor, k, dim, largest, sorted):
        size = self._size(tensor, self._dim(tensor, dim))
        if not 0 <= k <= size:
            raise CommandError(f"Invalid k: expected 0 .. {size} (the size of dimension {dim}), got {k}")
        values, indices = torch.topk(tensor, k, dim, largest, sorted)
        return values, indices

    def bincount(self, tensor, weights, minlength):
        if not dtypes.is_integral(tensor.dtype) or tensor.dtype == torch.bool:
            raise CommandError(f"Invalid tensor: bincount counts integers, got a {dtypes.DISPLAY[tensor.dtype]} "
                               "tensor; convert it with torch::tensor_to")
        if tensor.dim() != 1:
            raise CommandError(f"Invalid tensor: bincount needs a 1-dimensional tensor, "
                               f"got shape {tcl_list(list(tensor.shape))}")
        if tensor.numel() and tensor.min().item() < 0:
            raise CommandError(f"Invalid tensor: bincount counts non-negative integers, got {tensor.min().item()}")
        if weights is not None:
            if weights.shape != tensor.shape:
                raise CommandError(f"Invalid weights: expected a 1-dimensional tensor of {tensor.numel()} "
                                   f"elements (one per element of tensor), got shape {tcl_list(list(weights.shape))}")
            if weights.dtype.is_complex:
                raise CommandError(f"Invalid weights: expected real numbers, got {dtypes.DISPLAY[weights.dtype]}")
            self._same_device("weights", tensor, weights)
        if minlength < 0:
            raise CommandError(f"Invalid minlength: must not be negative, got {minlength}")
        return torch.bincount(tensor, weights, minlength)

    def index_select(self, tensor, dim, index):
        self._index(tensor, self._dim(tensor, dim), index)
        return torch.index_select(tensor, dim, index)

    def index_add(self, tensor, dim, index, source):
        self._index(tensor, self._dim(tensor, dim), index)
        if source.dtype != tensor.dtype:
            raise CommandError(f"Invalid source: its dtype is {dtypes.DISPLAY[source.dtype]}, the tensor's "
                               f"{dtypes.DISPLAY[tensor.dtype]}; convert one with torch::tensor_to")
        expected = list(tensor.shape)
        if expected:
            expected[dim] = index.numel()
        elif index.numel() != 1:
            raise CommandError(f"Invalid index: a 0-dimensional tensor takes one index, got {index.numel()}")
        if list(source.shape) != expected:
            raise CommandError(f"Invalid source: expected shape {tcl_list(expected)} (the tensor's, with dimension "
                               f"{dim} the length of index), got {tcl_list(list(source.shape))}")
        self._same_device("source", tensor, source)
        return torch.index_add(tensor, dim, index, source)

    def tensor_cat(self, tensors, dim):
        tensors = [self.tensor(name) for name in tensors]
        if not tensors:
            raise CommandError("Invalid tensors: give at least one tensor handle")
        for position, tensor in enumerate(tensors):
            if tensor.dim() == 0:
                raise CommandError(f"Invalid tensors: tensor {position} of the list has no dimensions "
                                   "(reshape it to {1} first)")
        self._dim(max(tensors, key=torch.Tensor.dim), dim)
        return torch.cat(tensors, dim)
