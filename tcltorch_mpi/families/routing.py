"""Tensor routing: what a distributed program needs to send each row where it belongs
(the extension lacks these): extremes, orders, counts and indexed copies."""

import torch

from .. import dtypes
from ..errors import CommandError, tcl_list
from ..params import ROUTING, TENSOR
from ..spec import Command, Param


class RoutingCommands:
    def extreme_index(self, name, function, tensor, dim, keepdim):
        if dim is None:
            if tensor.numel() == 0:
                raise CommandError(f"{name}: the tensor has no elements, so there is none to choose")
        else:
            self._dim(tensor, dim)
            if self._size(tensor, dim) == 0:
                raise CommandError(f"{name}: dimension {dim} has size 0, so there is no element to choose")
        return function(tensor, dim, keepdim)

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


C = RoutingCommands
COMMANDS = (
    *(Command(name, camel, ROUTING, summary, (
        TENSOR, Param("dim", "int", None, "Dimension to reduce; all elements (flattened) when not given"),
        Param("keepdim", "bool", 0, "Keep the reduced dimension, with size 1")), engine=C.extreme_index,
        fixed=(name, function))
      for name, camel, summary, function in (
          ("argmax", "argmax", "Index of the largest element, overall or along a dimension", torch.argmax),
          ("argmin", "argmin", "Index of the smallest element, overall or along a dimension", torch.argmin))),
    *(Command(name, camel, ROUTING, summary, (
        TENSOR, Param("dim", "int", -1, "Dimension to sort along; the last by default"),
        Param("descending", "bool", 0, "Largest first"),
        Param("stable", "bool", 0, "Keep equal elements in their original order")), engine=engine)
      for name, camel, summary, engine in (
          ("argsort", "argsort", "The indices that sort a tensor along a dimension", C.argsort),
          ("sort", "sort", "Sorted values and their original indices: a list of two handles", C.sort))),
    Command("topk", "topk", ROUTING, "The k largest (or smallest) values and their indices: a list of two handles", (
        TENSOR, Param("k", "int", doc="How many elements to take (0 .. size of dim)"),
        Param("dim", "int", -1, "Dimension to take them along; the last by default"),
        Param("largest", "bool", 1, "The k largest; 0: the k smallest"),
        Param("sorted", "bool", 1, "In order, largest first (smallest first when largest is 0)")), engine=C.topk),
    Command("bincount", "bincount", ROUTING, "How many times each value 0, 1, 2, ... occurs (or its summed weights)", (
        Param("tensor", "tensor", doc="Handle of a 1-dimensional tensor of non-negative integers",
              named=("-tensor", "-input")),
        Param("weights", "optional_tensor", None, "Handle of a tensor of one weight per element; "
              "counts when not given", named_only=True),
        Param("minlength", "int", 0, "Least length of the result", named_only=True)), engine=C.bincount),
    Command("nonzero", "nonzero", ROUTING, "The indices of the non-zero elements: an [n, ndim] Int64 tensor",
            (TENSOR,), torch=torch.nonzero),
    Command("index_select", "indexSelect", ROUTING, "The entries at the given indices along a dimension", (
        TENSOR, Param("dim", "int", doc="Dimension to index"),
        Param("index", "tensor", doc="Handle of a 1-dimensional Int64 or Int32 tensor of indices")),
            engine=C.index_select),
    Command("index_add", "indexAdd", ROUTING, "A copy of tensor with source's entries added at the given indices", (
        TENSOR, Param("dim", "int", doc="Dimension to index"),
        Param("index", "tensor", doc="Handle of a 1-dimensional Int64 or Int32 tensor of indices"),
        Param("source", "tensor", doc="Handle of the values to add: entry i goes to index i")), engine=C.index_add),
    Command("tensor_clone", "tensorClone", ROUTING, "A copy of a tensor, with its own memory", (TENSOR,),
            torch=torch.clone),
)
