"""Comparison and logic: elementwise comparisons, tests and logical operations."""

import torch

from .. import dtypes
from ..errors import CommandError
from ..params import COMPARISON, INPUT, OTHER
from ..spec import Command, Param
from ..tensor_commands import torch_call

# The extension's spellings: comparisons and logical operations take -input1/-input2,
# bitwise operations -input/-other; all take -tensor1/-tensor2, and positionally
# `tensor1 tensor2`.
_FIRST = Param("tensor1", "tensor", doc="Handle of the first tensor", named=("-input1", "-tensor1"))
_SECOND = Param("tensor2", "tensor", doc="Handle of the second tensor", named=("-input2", "-tensor2"))
_BIT_FIRST = Param("tensor1", "tensor", doc="Handle of the first tensor", named=("-input", "-tensor1"))
_BIT_SECOND = Param("tensor2", "tensor", doc="Handle of the second tensor", named=("-other", "-tensor2"))
_ONE = Param("tensor", "tensor", doc="Handle of the input tensor", named=("-input", "-tensor"))


def _display(tensor):
    return dtypes.DISPLAY[tensor.dtype]


def _integral(name, shifts, *tensors):
    """The check before a bitwise function, which says which dtypes it takes (torch's
    own message names a kernel: "bitwise_and_cpu" not implemented)."""
    for tensor in tensors:
        if not dtypes.is_integral(tensor.dtype) or (shifts and tensor.dtype == torch.bool):
            takes = "integer" if shifts else "integer or boolean"
            raise CommandError(f"{name}: expected {takes} tensors, got {_display(tensor)}; "
                               "convert it with torch::tensor_to")


class ComparisonCommands:
    def bitwise(self, name, function, shifts, tensor1, tensor2):
        """torch's bitwise function of two tensors (shifts: integers only, not Bool)."""
        _integral(name, shifts, tensor1, tensor2)
        return torch_call(name, function, tensor1, tensor2)

    def bitwise_not(self, tensor):
        _integral("bitwise_not", False, tensor)
        return torch_call("bitwise_not", torch.bitwise_not, tensor)

    def isclose(self, input, other, rtol, atol, equal_nan):
        # torch compares only equal dtypes and says "Float did not match Double".
        if input.dtype != other.dtype:
            raise CommandError(f"isclose: the tensors' dtypes differ ({_display(input)} and {_display(other)}); "
                               "convert one with torch::tensor_to")
        for name, value in (("rtol", rtol), ("atol", atol)):
            if not value >= 0:
                raise CommandError(f"Invalid {name}: must not be negative, got {value}")
        return torch_call("isclose", torch.isclose, input, other, rtol, atol, equal_nan)


def _compare(name, summary, function, capital):
    """A comparison (torch::eq, ...): a Bool tensor; the extension also spells it Eq."""
    return Command(name, name, COMPARISON, summary, (_FIRST, _SECOND), torch=function, aliases=(capital,))


def _logical(name, camel, summary, function):
    return Command(name, camel, COMPARISON, summary, (_FIRST, _SECOND), torch=function)


def _bitwise(name, camel, summary, function, shifts=False):
    """A bitwise operation of two tensors: its torch function after the dtypes' check."""
    return Command(name, camel, COMPARISON, summary, (_BIT_FIRST, _BIT_SECOND), engine=C.bitwise,
                   fixed=(name, function, shifts))


def _test(name, alias, summary, function):
    """An elementwise test (torch::isnan, ...) of one tensor: a Bool tensor."""
    return Command(name, name, COMPARISON, summary, (_ONE,), torch=function, aliases=(alias,))


C = ComparisonCommands
COMMANDS = (
    Command("allclose", "allclose", COMPARISON, "1 if |input - other| <= atol + rtol * |other| everywhere", (
        INPUT, OTHER, Param("rtol", "double", 1e-05, "Relative tolerance"),
        Param("atol", "double", 1e-08, "Absolute tolerance")), torch=torch.allclose),
    Command("isclose", "isclose", COMPARISON, "Elementwise |input - other| <= atol + rtol * |other| (Bool tensor)", (
        Param("input", "tensor", doc="Handle of the first tensor", named=("-input", "-tensor1")),
        Param("other", "tensor", doc="Handle of the second tensor", named=("-other", "-tensor2")),
        Param("rtol", "double", 1e-05, "Relative tolerance (not negative)", named=("-rtol", "-relativeTolerance")),
        Param("atol", "double", 1e-08, "Absolute tolerance (not negative)", named=("-atol", "-absoluteTolerance")),
        Param("equal_nan", "bool", 0, "Whether two NaN count as close", named=("-equal_nan", "-equalNan"))),
        engine=C.isclose, aliases=("isClose",)),
    _compare("eq", "Elementwise tensor1 == tensor2 (broadcasting; Bool tensor)", torch.eq, "Eq"),
    _compare("ne", "Elementwise tensor1 != tensor2 (broadcasting; Bool tensor)", torch.ne, "Ne"),
    _compare("lt", "Elementwise tensor1 < tensor2 (broadcasting; Bool tensor)", torch.lt, "Lt"),
    _compare("le", "Elementwise tensor1 <= tensor2 (broadcasting; Bool tensor)", torch.le, "Le"),
    _compare("gt", "Elementwise tensor1 > tensor2 (broadcasting; Bool tensor)", torch.gt, "Gt"),
    _compare("ge", "Elementwise tensor1 >= tensor2 (broadcasting; Bool tensor)", torch.ge, "Ge"),
    _test("isfinite", "isFinite", "Elementwise: not infinite and not NaN (Bool tensor)", torch.isfinite),
    _test("isinf", "isInf", "Elementwise: positive or negative infinity (Bool tensor)", torch.isinf),
    _test("isnan", "isNan", "Elementwise: NaN (Bool tensor)", torch.isnan),
    _logical("logical_and", "logicalAnd", "Elementwise tensor1 and tensor2, non-zero as true (Bool tensor)",
             torch.logical_and),
    _logical("logical_or", "logicalOr", "Elementwise tensor1 or tensor2, non-zero as true (Bool tensor)",
             torch.logical_or),
    _logical("logical_xor", "logicalXor", "Elementwise: exactly one of tensor1, tensor2 non-zero (Bool tensor)",
             torch.logical_xor),
    Command("logical_not", "logicalNot", COMPARISON, "Elementwise: 1 where the tensor is zero (Bool tensor)",
            (_ONE,), torch=torch.logical_not),
    _bitwise("bitwise_and", "bitwiseAnd", "Elementwise bitwise tensor1 & tensor2 (integer or Bool)",
             torch.bitwise_and),
    _bitwise("bitwise_or", "bitwiseOr", "Elementwise bitwise tensor1 | tensor2 (integer or Bool)", torch.bitwise_or),
    _bitwise("bitwise_xor", "bitwiseXor", "Elementwise bitwise tensor1 ^ tensor2 (integer or Bool)",
             torch.bitwise_xor),
    Command("bitwise_not", "bitwiseNot", COMPARISON, "Elementwise bitwise ~tensor (integer or Bool)", (_ONE,),
            engine=C.bitwise_not),
    _bitwise("bitwise_left_shift", "bitwiseLeftShift", "Elementwise tensor1 << tensor2 (integers)",
             torch.bitwise_left_shift, shifts=True),
    _bitwise("bitwise_right_shift", "bitwiseRightShift", "Elementwise tensor1 >> tensor2 (integers; arithmetic)",
             torch.bitwise_right_shift, shifts=True),
    Command("tensor_where", "tensorWhere", COMPARISON, "Elementwise: x where condition is true, else y", (
        Param("condition", "tensor", doc="Handle of a Bool tensor: where to take x").naming_role(),
        Param("x", "tensor", doc="Handle of the values where condition is true"),
        Param("y", "tensor", doc="Handle of the values where condition is false")), torch=torch.where),
)
