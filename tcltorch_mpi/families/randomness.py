"""Random numbers: random tensors and the generator's seed."""

import torch

from .. import dtypes
from ..errors import CommandError
from ..params import DEVICE, DIMENSIONS, DTYPE, RANDOM
from ..spec import Command, Param


class RandomCommands:
    def randn(self, shape, device, dtype):
        if dtypes.is_integral(dtype):
            raise CommandError(f"Invalid dtype: randn needs a floating dtype, got {dtypes.DISPLAY[dtype]}")
        return self._filled("randn", torch.randn, shape, dtype, device)

    def manual_seed(self, seed):
        if not -2**63 <= seed < 2**64:
            raise CommandError(f"Invalid seed: expected a 64-bit integer, got {seed}")
        torch.manual_seed(seed)


C = RandomCommands
COMMANDS = (
    Command("randn", "randn", RANDOM, "Normally distributed random values", (DIMENSIONS, DEVICE, DTYPE),
            engine=C.randn, aliases=("tensor_randn", "tensorRandn")),
    Command("manual_seed", "manualSeed", RANDOM, "Seed the random generator",
            (Param("seed", "int", doc="The seed (64-bit)"),), engine=C.manual_seed),
)
