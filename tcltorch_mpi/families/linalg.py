"""Linear algebra: products, decompositions, norms and solvers."""

import torch

from .. import dtypes
from ..errors import CommandError, tcl_list
from ..params import INPUT, LINALG, OTHER
from ..spec import Command


class LinalgCommands:
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


C = LinalgCommands
COMMANDS = (
    Command("matmul", "matmul", LINALG, "Matrix product of input and other (batched, broadcasting)",
            (INPUT, OTHER), engine=C.matmul),
)
