"""Shape, layout and indexing: the same elements in another shape or order, tensors joined."""

import torch

from ..errors import CommandError, tcl_list
from ..params import SHAPE, TENSOR
from ..spec import Command, Param


class ShapeCommands:
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


C = ShapeCommands
COMMANDS = (
    Command("tensor_reshape", "tensorReshape", SHAPE, "The same elements in another shape",
            (TENSOR, Param("shape", "ints", doc="New dimensions; one may be -1")), engine=C.tensor_reshape),
    Command("tensor_permute", "tensorPermute", SHAPE, "A view with the dimensions reordered",
            (TENSOR, Param("dims", "ints", doc="The new order of the dimensions")), engine=C.tensor_permute),
    Command("tensor_cat", "tensorCat", SHAPE, "Tensors joined along an existing dimension", (
        Param("tensors", "handles", doc="List of tensor handles to join, in order"),
        Param("dim", "int", doc="Dimension to join along")), engine=C.tensor_cat),
)
