"""Elementwise math: each element of the result from the elements at its place."""

import torch

from ..params import ELEMENTWISE, INPUT, OTHER
from ..spec import Command


def _binary(name, camel, summary, function):
    return Command(name, camel, ELEMENTWISE, summary, (INPUT, OTHER), torch=function)


class ElementwiseCommands:
    pass


COMMANDS = (
    _binary("tensor_add", "tensorAdd", "Elementwise input + other (broadcasting)", torch.add),
    _binary("tensor_sub", "tensorSub", "Elementwise input - other (broadcasting)", torch.sub),
    _binary("tensor_mul", "tensorMul", "Elementwise input * other (broadcasting)", torch.mul),
    _binary("tensor_div", "tensorDiv", "Elementwise input / other (broadcasting; true division)", torch.div),
)
