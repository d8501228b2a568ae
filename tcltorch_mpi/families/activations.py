"""Activations: the elementwise (and softmax-like) functions between layers."""

import torch
import torch.nn.functional as F

from ..errors import CommandError
from ..params import ACTIVATIONS, INPUT_FIRST as X
from ..spec import Command, Param
from ..tensor_commands import torch_call

# The extension's pages name the input -input (all) or -tensor (some): both work.


def _dim(default, doc):
    return Param("dim", "int", default, doc, named=("-dim", "-dimension"))


def _plain(name, camel, summary, function, aliases=(), more=()):
    return Command(name, camel, ACTIVATIONS, summary, (X, *more), torch=function, aliases=aliases)


class ActivationsCommands:
    # The extension refuses these parameter values before torch sees them; torch would
    # take some of them (a negative alpha) and compute something else.
    def positive_alpha(self, name, function, tensor, alpha):
        if alpha <= 0:
            raise CommandError(f"Invalid alpha: alpha must be > 0, got {alpha}")
        return torch_call(name, function, tensor, alpha)

    def leaky_relu(self, tensor, negative_slope):
        if negative_slope < 0:
            raise CommandError(f"Invalid negative_slope: negative_slope must be >= 0, got {negative_slope}")
        return torch_call("leaky_relu", F.leaky_relu, tensor, negative_slope)

    def hardtanh(self, tensor, min_val, max_val):
        if min_val > max_val:
            raise CommandError(f"Invalid min_val: min_val must be <= max_val, got {min_val} > {max_val}")
        return torch_call("hardtanh", F.hardtanh, tensor, min_val, max_val)

    def rrelu(self, tensor, lower, upper):
        if lower < 0 or upper < lower:
            raise CommandError(f"Invalid lower/upper: need 0 <= lower <= upper, got lower {lower}, upper {upper}")
        # The extension calls torch::rrelu with its default training=false: the slope of
        # negative inputs is the fixed (lower + upper) / 2, no randomness.
        return torch_call("rrelu", F.rrelu, tensor, lower, upper, training=False)

    def prelu(self, tensor, weight):
        # Handles taken as text, so that a bad one says which of the two it is, as the
        # extension's messages do (Invalid input tensor name / Invalid weight tensor name).
        if not tensor or not weight:
            raise CommandError("Required parameters missing: -input and -weight (tensor handles)")
        found = [self.tensors.get(handle, f"Invalid {role} tensor name")
                 for role, handle in (("input", tensor), ("weight", weight))]
        return torch_call("prelu", F.prelu, *found)

    def softmax2d(self, tensor, dim):
        # The extension's softmax2d is a softmax over dim (1 unless given), not torch's
        # Softmax2d (over dim -3 of a 3-d or 4-d input).
        return torch_call("softmax2d", torch.softmax, tensor, self._dim(tensor, dim))


COMMANDS = (
    _plain("tensor_relu", "tensorRelu", "Elementwise max(x, 0)", torch.relu),
    _plain("tensor_sigmoid", "tensorSigmoid", "Elementwise 1 / (1 + e ** -x)", torch.sigmoid),
    _plain("tensor_tanh", "tensorTanh", "Elementwise hyperbolic tangent", torch.tanh),
    _plain("gelu", "gelu", "Elementwise Gaussian error linear unit x * Phi(x)", F.gelu, more=(
        Param("approximate", "text", "none", "none (exact) or tanh (the tanh approximation)",
              named_only=True, keyword="approximate", choices=("none", "tanh")),)),
    _plain("selu", "selu", "Elementwise scaled exponential linear unit", F.selu),
    _plain("relu6", "relu6", "Elementwise min(max(x, 0), 6)", F.relu6),
    _plain("hardswish", "hardswish", "Elementwise x * relu6(x + 3) / 6", F.hardswish, ("hardSwish",)),
    _plain("hardsigmoid", "hardsigmoid", "Elementwise relu6(x + 3) / 6", F.hardsigmoid, ("hardSigmoid",)),
    _plain("silu", "silu", "Elementwise x * sigmoid(x) (swish)", F.silu, ("siLU",)),
    _plain("mish", "mish", "Elementwise x * tanh(softplus(x))", F.mish),
    _plain("softplus", "softplus", "Elementwise log(1 + e ** (beta * x)) / beta", F.softplus, ("softPlus",), (
        Param("beta", "double", 1.0, "Sharpness", named_only=True, keyword="beta"),
        Param("threshold", "double", 20.0, "Where beta * x exceeds it, the result is x", named_only=True,
              keyword="threshold"))),
    _plain("softsign", "softsign", "Elementwise x / (1 + |x|)", F.softsign, ("softSign",)),
    _plain("tanhshrink", "tanhshrink", "Elementwise x - tanh(x)", F.tanhshrink, ("tanhShrink",)),
    _plain("glu", "glu", "Gated linear unit: first half * sigmoid(second half) along dim", F.glu, more=(
        Param("dim", "int", -1, "Dimension split in halves (its size must be even)",
              named=("-dim", "-dimension"), named_only=True),)),
    Command("elu", "elu", ACTIVATIONS, "Elementwise x if x > 0, else alpha * (e ** x - 1)", (
        X, Param("alpha", "double", 1.0, "Scale of the negative part (> 0)")),
        engine=ActivationsCommands.positive_alpha, fixed=("elu", F.elu), aliases=("Elu",)),
    Command("celu", "celu", ACTIVATIONS, "Elementwise max(0, x) + min(0, alpha * (e ** (x / alpha) - 1))", (
        X, Param("alpha", "double", 1.0, "Scale of the negative part (> 0)")),
        engine=ActivationsCommands.positive_alpha, fixed=("celu", F.celu)),
    Command("leaky_relu", "leakyRelu", ACTIVATIONS, "Elementwise x if x >= 0, else negative_slope * x", (
        X, Param("negative_slope", "double", 0.01, "Slope of the negative part (>= 0)",
                 named=("-negativeSlope", "-negative_slope", "-slope"))),
        engine=ActivationsCommands.leaky_relu),
    Command("hardtanh", "hardtanh", ACTIVATIONS, "Elements limited to min_val .. max_val", (
        X, Param("min_val", "double", -1.0, "Lower bound", named=("-minVal", "-min", "-min_val")),
        Param("max_val", "double", 1.0, "Upper bound (>= min_val)", named=("-maxVal", "-max", "-max_val"))),
        engine=ActivationsCommands.hardtanh, aliases=("hardTanh",)),
    Command("rrelu", "rrelu", ACTIVATIONS, "Leaky ReLU with slope (lower + upper) / 2 (evaluation mode)", (
        X, Param("lower", "double", 0.125, "Lower bound of the slope (>= 0)"),
        Param("upper", "double", 1 / 3, "Upper bound of the slope (>= lower)")),
        engine=ActivationsCommands.rrelu, aliases=("rRelu",)),
    Command("threshold", "threshold", ACTIVATIONS, "Elementwise x if x > threshold, else value", (
        X, Param("threshold", "double", doc="Elements at or below it are replaced"),
        Param("value", "double", doc="Their replacement")), torch=F.threshold, aliases=("Threshold",)),
    Command("prelu", "prelu", ACTIVATIONS, "Elementwise x if x >= 0, else weight * x (weight per channel)", (
        Param("tensor", "text", doc="Handle of the input tensor", named=("-input", "-tensor")),
        Param("weight", "text", doc="Handle of the slopes: 1 element, or one per channel (dim 1)")),
        engine=ActivationsCommands.prelu),
    _plain("softmin", "softmin", "Softmax of -x along dim", F.softmin, ("softMin",),
           (_dim(-1, "Dimension normalized"),)),
    Command("softmax2d", "softmax2d", ACTIVATIONS, "Softmax along dim (the channels, dim 1, by default)", (
        X, _dim(1, "Dimension normalized")), engine=ActivationsCommands.softmax2d, aliases=("softmax2D",)),
    _plain("logsoftmax", "logsoftmax", "Log of the softmax along dim", torch.log_softmax, ("logSoftmax",),
           (_dim(-1, "Dimension normalized"),)),
)
