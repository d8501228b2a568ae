"""Elementwise math: each element of the result from the elements at its place."""

import torch

from ..params import ELEMENTWISE, INPUT_FIRST as X, TENSOR  # X: -input first, as the extension's pages
from ..spec import Command, Param

# Binary arithmetic: -input/-other (torch's names), -input1/-input2 (the extension's
# tensor_add page), -a/-b (this project's first spelling); other may be a number.
INPUT = Param("input", "tensor", doc="Handle of the first tensor", named=("-input", "-input1", "-a"))
OTHER = Param("other", "operand", doc="Handle of the second tensor, or a number",
              named=("-other", "-input2", "-b"))
# Not given: left out of torch's call (torch's own default, 1).
ALPHA = Param("alpha", "number", None, "Factor applied to other first; 1 when not given", keyword="alpha")


def _unary(name, camel, summary, function, aliases=()):
    return Command(name, camel, ELEMENTWISE, summary, (X,), torch=function, aliases=aliases)


def _binary(name, camel, summary, function, *more):
    return Command(name, camel, ELEMENTWISE, summary, (INPUT, OTHER, *more), torch=function)


class ElementwiseCommands:
    def exp10(self, tensor):
        # torch has no exp10; a float base gives integer and bool inputs a float result
        # (the default dtype), as exp2 does, and keeps a float input's dtype.
        return torch.pow(10.0, tensor)

    def tensor_clamp(self, tensor, low, high):
        # torch.clamp wants at least one bound; the extension clamps to none: a copy.
        if low is None and high is None:
            return tensor.clone()
        return torch.clamp(tensor, low, high)


COMMANDS = (
    _binary("tensor_add", "tensorAdd", "Elementwise input + alpha * other (broadcasting)", torch.add, ALPHA),
    _binary("tensor_sub", "tensorSub", "Elementwise input - alpha * other (broadcasting)", torch.sub, ALPHA),
    _binary("tensor_mul", "tensorMul", "Elementwise input * other (broadcasting)", torch.mul),
    _binary("tensor_div", "tensorDiv", "Elementwise input / other (broadcasting; true division)", torch.div),
    Command("pow", "pow", ELEMENTWISE, "Elementwise base ** exponent (broadcasting)", (
        Param("base", "tensor", doc="Handle of the base tensor", named=("-base", "-input1", "-input")).naming_role(),
        Param("exponent", "operand", doc="Handle of the exponent tensor, or a number",
              named=("-exponent", "-input2", "-other"))), torch=torch.pow),
    Command("atan2", "atan2", ELEMENTWISE, "Elementwise angle of the point (x, y) in radians, -pi .. pi", (
        Param("y", "tensor", doc="Handle of the y coordinates", named=("-y", "-input1", "-input")).naming_role(),
        Param("x", "tensor", doc="Handle of the x coordinates", named=("-x", "-input2", "-other")).naming_role()),
        torch=torch.atan2),
    Command("tensor_clamp", "tensorClamp", ELEMENTWISE, "Elements limited to min .. max (either optional)", (
        TENSOR, Param("min", "number", None, "Lower bound; not given: none", arg="low"),
        Param("max", "number", None, "Upper bound; not given: none", arg="high")),
        engine=ElementwiseCommands.tensor_clamp),
    _unary("tensor_abs", "tensorAbs", "Elementwise absolute value", torch.abs),
    _unary("tensor_exp", "tensorExp", "Elementwise e ** x", torch.exp),
    _unary("tensor_log", "tensorLog", "Elementwise natural logarithm", torch.log),
    _unary("tensor_sqrt", "tensorSqrt", "Elementwise square root", torch.sqrt),
    _unary("rsqrt", "rsqrt", "Elementwise 1 / sqrt(x)", torch.rsqrt, ("rSqrt",)),
    _unary("square", "square", "Elementwise x * x", torch.square, ("Square",)),
    _unary("exp2", "exp2", "Elementwise 2 ** x", torch.exp2),
    Command("exp10", "exp10", ELEMENTWISE, "Elementwise 10 ** x", (X,), engine=ElementwiseCommands.exp10),
    _unary("expm1", "expm1", "Elementwise e ** x - 1, exact for small x", torch.expm1),
    _unary("log2", "log2", "Elementwise base-2 logarithm", torch.log2),
    _unary("log10", "log10", "Elementwise base-10 logarithm", torch.log10),
    _unary("log1p", "log1p", "Elementwise log(1 + x), exact for small x", torch.log1p),
    _unary("sin", "sin", "Elementwise sine (radians)", torch.sin),
    _unary("cos", "cos", "Elementwise cosine (radians)", torch.cos),
    _unary("tan", "tan", "Elementwise tangent (radians)", torch.tan),
    _unary("asin", "asin", "Elementwise arcsine, in radians", torch.asin),
    _unary("acos", "acos", "Elementwise arccosine, in radians", torch.acos),
    _unary("atan", "atan", "Elementwise arctangent, in radians", torch.atan),
    _unary("sinh", "sinh", "Elementwise hyperbolic sine", torch.sinh, ("siNh",)),
    _unary("cosh", "cosh", "Elementwise hyperbolic cosine", torch.cosh),
    _unary("asinh", "asinh", "Elementwise inverse hyperbolic sine", torch.asinh),
    _unary("acosh", "acosh", "Elementwise inverse hyperbolic cosine", torch.acosh),
    _unary("atanh", "atanh", "Elementwise inverse hyperbolic tangent", torch.atanh),
    _unary("deg2rad", "deg2rad", "Elementwise degrees to radians", torch.deg2rad, ("deg2Rad",)),
    _unary("rad2deg", "rad2deg", "Elementwise radians to degrees", torch.rad2deg, ("radToDeg",)),
    _unary("floor", "floor", "Elementwise largest integer <= x", torch.floor, ("Floor",)),
    _unary("ceil", "ceil", "Elementwise smallest integer >= x", torch.ceil),
    _unary("round", "round", "Elementwise nearest integer (halves to even)", torch.round, ("Round",)),
    _unary("trunc", "trunc", "Elementwise integer part (toward zero)", torch.trunc),
    _unary("frac", "frac", "Elementwise fractional part x - trunc(x)", torch.frac, ("Frac",)),
)
