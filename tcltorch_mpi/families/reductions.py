"""Reductions and statistics: sums, means and the like, overall or along dimensions."""

import torch

from .. import dtypes
from ..params import REDUCTIONS, TENSOR
from ..spec import Command


class ReductionCommands:
    def tensor_mean(self, tensor):
        dtypes.check_mean(tensor.dtype, "tensor_mean")
        return tensor.mean()


C = ReductionCommands
COMMANDS = (
    Command("tensor_sum", "tensorSum", REDUCTIONS, "The sum of all elements, as a 0-dimensional tensor", (TENSOR,),
            torch=torch.sum),
    Command("tensor_mean", "tensorMean", REDUCTIONS, "The mean of all elements (floating dtypes)", (TENSOR,),
            engine=C.tensor_mean),
)
