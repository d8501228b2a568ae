"""Autograd: which tensors record their history, the backward pass, and gradients."""

from ..errors import CommandError
from ..params import AUTOGRAD, TENSOR
from ..spec import Command


def _recording(tensor):
    if not tensor.requires_grad:
        raise CommandError("Tensor does not require gradients")
    return tensor


class AutogradCommands:
    def tensor_requires_grad(self, tensor):
        return tensor.requires_grad

    def tensor_backward(self, tensor):
        _recording(tensor).backward()
        return "OK"

    def tensor_grad(self, tensor):
        gradient = _recording(tensor).grad
        if gradient is None:
            raise CommandError("No gradient computed yet")
        return gradient  # the gradient itself: later backward passes add to it


C = AutogradCommands
COMMANDS = (
    Command("tensor_requires_grad", "tensorRequiresGrad", AUTOGRAD, "1 if autograd records operations on a tensor",
            (TENSOR,), engine=C.tensor_requires_grad),
    Command("tensor_backward", "tensorBackward", AUTOGRAD,
            "The backward pass from a one-element tensor: gradients accumulate in the leaves", (TENSOR,),
            engine=C.tensor_backward),
    Command("tensor_grad", "tensorGrad", AUTOGRAD, "The gradient a backward pass left in a tensor", (TENSOR,),
            engine=C.tensor_grad),
)
