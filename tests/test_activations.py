"""Activations (relu, sigmoid, tanh, gelu, elu, ..., softmin, softmax2d, logsoftmax, glu,
prelu, rrelu, threshold): values against torch called directly, every form of call,
bad input as clear errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.tclsession import torch_of

FLOATS = ["float32", "float64", "float16", "bfloat16"]
VALUES = np.array([[-3.5, -1.0, -0.25, 0.0], [0.5, 1.0, 2.5, 7.0]])

# name: (torch function, other spellings)
UNARY = {
    "tensor_relu": (torch.relu, ["tensorRelu"]),
    "tensor_sigmoid": (torch.sigmoid, ["tensorSigmoid"]),
    "tensor_tanh": (torch.tanh, ["tensorTanh"]),
    "gelu": (F.gelu, []),
    "selu": (F.selu, []),
    "relu6": (F.relu6, []),
    "hardswish": (F.hardswish, ["hardSwish"]),
    "hardsigmoid": (F.hardsigmoid, ["hardSigmoid"]),
    "silu": (F.silu, ["siLU"]),
    "mish": (F.mish, []),
    "softplus": (F.softplus, ["softPlus"]),
    "softsign": (F.softsign, ["softSign"]),
    "tanhshrink": (F.tanhshrink, ["tanhShrink"]),
    "elu": (F.elu, ["Elu"]),
    "celu": (F.celu, []),
    "leaky_relu": (F.leaky_relu, ["leakyRelu"]),
    "hardtanh": (F.hardtanh, ["hardTanh"]),
    "rrelu": (lambda x: F.rrelu(x, training=False), ["rRelu"]),
    "softmin": (lambda x: F.softmin(x, -1), ["softMin"]),
    "softmax2d": (lambda x: torch.softmax(x, 1), ["softmax2D"]),
    "logsoftmax": (lambda x: torch.log_softmax(x, -1), ["logSoftmax"]),
    "glu": (F.glu, []),
}

# (command and its arguments after the input, the same computed by torch)
WITH_ARGUMENTS = [
    ("elu {x} 0.5", lambda x: F.elu(x, 0.5)),
    ("elu -input {x} -alpha 2.0", lambda x: F.elu(x, 2.0)),
    ("celu {x} 0.5", lambda x: F.celu(x, 0.5)),
    ("celu -tensor {x} -alpha 3", lambda x: F.celu(x, 3.0)),
    ("leaky_relu {x} 0.2", lambda x: F.leaky_relu(x, 0.2)),
    ("leaky_relu -input {x} -negativeSlope 0.3", lambda x: F.leaky_relu(x, 0.3)),
    ("leakyRelu -input {x} -negative_slope 0", lambda x: F.leaky_relu(x, 0.0)),
    ("leaky_relu -input {x} -slope 1.5", lambda x: F.leaky_relu(x, 1.5)),
    ("hardtanh {x} -2 2", lambda x: F.hardtanh(x, -2.0, 2.0)),
    ("hardtanh {x} -0.5", lambda x: F.hardtanh(x, -0.5, 1.0)),
    ("hardtanh -input {x} -min -3 -max 0.5", lambda x: F.hardtanh(x, -3.0, 0.5)),
    ("hardTanh -input {x} -minVal 0 -maxVal 0", lambda x: F.hardtanh(x, 0.0, 0.0)),
    ("rrelu {x} 0.1 0.3", lambda x: F.leaky_relu(x, 0.2)),
    ("rrelu -input {x} -lower 0.5 -upper 0.5", lambda x: F.leaky_relu(x, 0.5)),
    ("threshold {x} 0.5 -9", lambda x: F.threshold(x, 0.5, -9.0)),
    ("Threshold -input {x} -threshold -1 -value 4", lambda x: F.threshold(x, -1.0, 4.0)),
    ("softmin {x} 0", lambda x: F.softmin(x, 0)),
    ("softmin -input {x} -dimension 0", lambda x: F.softmin(x, 0)),
    ("softmax2d {x} -1", lambda x: torch.softmax(x, -1)),
    ("softmax2d -tensor {x} -dim 0", lambda x: torch.softmax(x, 0)),
    ("logsoftmax {x} 0", lambda x: torch.log_softmax(x, 0)),
    ("logSoftmax -input {x} -dimension 0", lambda x: torch.log_softmax(x, 0)),
    ("glu -input {x} -dim 0", lambda x: F.glu(x, 0)),
    ("softplus -input {x} -beta 2 -threshold 3", lambda x: F.softplus(x, 2.0, 3.0)),
    ("gelu {x} -approximate tanh", lambda x: F.gelu(x, approximate="tanh")),
]


def same(tcl, handle, expected, dtype):
    dtype_name = "BFloat16" if dtype == "bfloat16" else dtype.capitalize()
    assert tcl.eval(f"torch::tensor_dtype {handle}") == dtype_name
    got = tcl.read(handle, dtype)
    want = expected.float().numpy() if dtype == "bfloat16" else expected.numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", FLOATS)
def test_each_form_matches_torch(tcl, name, dtype):
    function, others = UNARY[name]
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    expected = function(x)
    for call in [f"{name} {t}", f"{name} -input {t}", f"{name} -tensor {t}",
                 *(f"{other} {t}" for other in others)]:
        same(tcl, tcl.eval(f"torch::{call}"), expected, dtype)


@pytest.mark.parametrize("call, function", WITH_ARGUMENTS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parameters_match_torch(tcl, call, function, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    same(tcl, tcl.eval("torch::" + call.format(x=t)), function(x), dtype)


def test_softmax2d_defaults_to_the_channels(tcl):
    values = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10
    t, x = tcl.create(values, "float32"), torch_of(values, "float32")
    same(tcl, tcl.eval(f"torch::softmax2d {t}"), torch.softmax(x, 1), "float32")


@pytest.mark.parametrize("weight", [[0.25], [0.1, 0.2, 0.3]])
def test_prelu_matches_torch_with_one_or_per_channel_weights(tcl, weight):
    values = np.linspace(-3, 3, 12).reshape(2, 3, 2)
    t, x = tcl.create(values, "float32"), torch_of(values, "float32")
    w, wx = tcl.create(weight, "float32"), torch_of(weight, "float32")
    for call in (f"prelu {t} {w}", f"prelu -input {t} -weight {w}", f"prelu -weight {w} -tensor {t}"):
        same(tcl, tcl.eval(f"torch::{call}"), F.prelu(x, wx), "float32")


def test_rrelu_is_not_random(tcl):
    # Evaluation mode, as in the extension: the same fixed slope whatever the seed.
    t, x = tcl.create(VALUES, "float32"), torch_of(VALUES, "float32")
    tcl.eval("torch::manual_seed 7")
    torch.manual_seed(7)
    first = tcl.read(tcl.eval(f"torch::rrelu {t}"), "float32")
    np.testing.assert_allclose(first, F.rrelu(x, 1 / 8, 1 / 3, training=False).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(tcl.read(tcl.eval(f"torch::rrelu {t}"), "float32"), first)


@pytest.mark.parametrize("name, function", [("tensor_relu", torch.relu), ("tensor_sigmoid", torch.sigmoid),
                                            ("tensor_tanh", torch.tanh)])
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_relu_sigmoid_tanh_of_integers_as_torch(tcl, name, function, dtype):
    values = VALUES.astype(np.int64) * 2
    t, x = tcl.create(values, dtype), torch_of(values, dtype)
    expected = function(x)
    result_dtype = str(expected.dtype).removeprefix("torch.")
    same(tcl, tcl.eval(f"torch::{name} {t}"), expected, result_dtype)


FLOAT_ONLY = ["gelu", "selu", "hardswish", "hardsigmoid", "silu", "mish", "softplus", "elu", "celu",
              "leaky_relu", "rrelu", "softmin", "logsoftmax", "softmax2d", "glu"]


@pytest.mark.parametrize("name", FLOAT_ONLY)
def test_integer_input_is_refused_with_torchs_message(tcl, name):
    t = tcl.create([[1, -2], [3, 4]], "int64")
    error = tcl.error(f"torch::{name} {t}")
    assert error.startswith(f"{name}: ") and "not implemented for 'Long'" in error


@pytest.mark.parametrize("call, message", [
    ("elu {x} -1", "Invalid alpha: alpha must be > 0, got -1.0"),
    ("celu -input {x} -alpha 0", "Invalid alpha: alpha must be > 0, got 0.0"),
    ("leaky_relu {x} -0.1", "Invalid negative_slope: negative_slope must be >= 0, got -0.1"),
    ("hardtanh -input {x} -min 1 -max -1", "Invalid min_val: min_val must be <= max_val, got 1.0 > -1.0"),
    ("rrelu {x} 0.5 0.1", "Invalid lower/upper: need 0 <= lower <= upper, got lower 0.5, upper 0.1"),
    ("rrelu {x} -0.5", "Invalid lower/upper: need 0 <= lower <= upper, got lower -0.5, upper 0.3333333333333333"),
    ("softmin {x} 2", "softmin: Dimension out of range (expected to be in range of [-1, 0], but got 2)"),
    ("softmax2d {x}", "Invalid dim: 1 is out of range for a 1-dimensional tensor"),
    ("logsoftmax -input {x} -dim -3", "logsoftmax: Dimension out of range"),
    ("glu {x} -dim 1", "glu: Dimension out of range"),
    ("glu {odd}", "glu: Halving dimension must be even"),
    ("gelu {x} -approximate cubic", "Invalid approximate"),
    ("gelu {ints}", "gelu: "),
    ("elu {ints}", "elu: "),
    ("prelu {x} {three}", "prelu: Mismatch of parameter numbers and input channel size"),
    ("prelu nosuch {x}", "Invalid input tensor name: nosuch"),
    ("prelu -input {x} -weight nosuch", "Invalid weight tensor name: nosuch"),
    ("prelu -input {{}} -weight {{}}", "Required parameters missing"),
    ("prelu {x}", "Wrong number of arguments (wrong # args). Usage: torch::prelu"),
    ("tensor_relu nosuch", "Invalid tensor name: nosuch"),
    ("mish -input nosuch", "Invalid tensor name: nosuch"),
    ("selu {x} extra", "Wrong number of arguments (wrong # args). Usage: torch::selu tensor"),
    ("silu -input {x} -invalid 1", "Unknown parameter: -invalid"),
    ("threshold {x} 0.5", "Wrong number of arguments (wrong # args). Usage: torch::threshold"),
    ("threshold -input {x} -threshold abc -value 1", "Invalid threshold: expected number"),
    ("softmin {x} -dim 1.5", "Invalid dim: expected integer"),
    ("hardtanh -input {x} -max", "Missing value for parameter: -max. Named parameters must come in pairs"),
    ("tensor_sigmoid", "Wrong number of arguments"),
])
def test_bad_input_is_a_clear_error(tcl, call, message):
    handles = {"x": tcl.create([1.0, -2.0, 3.0, 0.5], "float32"),
               "odd": tcl.create([1.0, 2.0, 3.0], "float32"),
               "three": tcl.create([0.1, 0.2, 0.3], "float32"),
               "ints": tcl.create([1, -2], "int64")}
    error = tcl.error_detail("torch::" + call.format(**handles))
    assert message in error
    assert "internal error" not in error
