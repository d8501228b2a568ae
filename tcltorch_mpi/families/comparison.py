"""Comparison and logic: elementwise comparisons, tests and logical operations."""

import torch

from ..params import COMPARISON, INPUT, OTHER
from ..spec import Command, Param


class ComparisonCommands:
    pass


COMMANDS = (
    Command("allclose", "allclose", COMPARISON, "1 if |input - other| <= atol + rtol * |other| everywhere", (
        INPUT, OTHER, Param("rtol", "double", 1e-05, "Relative tolerance"),
        Param("atol", "double", 1e-08, "Absolute tolerance")), torch=torch.allclose),
)
