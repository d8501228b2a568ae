"""Elementwise math (the unary functions, tensor_add/sub/mul/div, pow, atan2,
tensor_clamp, exp10): values against torch called directly, every form of call
(positional, named, camelCase, the extension's other spellings), every dtype, and bad
input as clear Tcl errors."""

import numpy as np
import pytest
import torch

from tests.tclsession import TORCH

DISPLAY = {torch.float32: "Float32", torch.float64: "Float64", torch.int32: "Int32", torch.int64: "Int64",
           torch.float16: "Float16", torch.bfloat16: "BFloat16"}
DTYPES = ["float32", "float64", "int32", "int64"]
HALVES = ["float16", "bfloat16"]
RTOL = {"float32": 2e-7, "float64": 1e-15, "float16": 1e-3, "bfloat16": 8e-3}

# Inputs inside each function's domain: (float values, integer values).
GENERAL = ([[-2.5, -1.5, -0.5], [0.0, 0.5, 1.75]], [[-3, -1, 0], [1, 2, 5]])
UNIT = ([[-0.9, -0.5, 0.0], [0.25, 0.5, 0.75]], [[-1, 0, 0], [0, 1, 0]])
POSITIVE = ([[0.5, 1.0, 2.0], [4.0, 10.0, 100.0]], [[1, 2, 3], [4, 10, 100]])
AT_LEAST_ONE = ([[1.0, 1.5, 2.0], [4.0, 10.0, 100.0]], [[1, 2, 3], [4, 10, 100]])

# name: (torch function, domain, other spellings)
UNARY = {
    "tensor_abs": (torch.abs, GENERAL, ("tensorAbs",)),
    "tensor_exp": (torch.exp, GENERAL, ("tensorExp",)),
    "tensor_log": (torch.log, POSITIVE, ("tensorLog",)),
    "tensor_sqrt": (torch.sqrt, POSITIVE, ("tensorSqrt",)),
    "rsqrt": (torch.rsqrt, POSITIVE, ("rSqrt",)),
    "square": (torch.square, GENERAL, ("Square",)),
    "exp2": (torch.exp2, GENERAL, ()),
    "expm1": (torch.expm1, GENERAL, ()),
    "log2": (torch.log2, POSITIVE, ()),
    "log10": (torch.log10, POSITIVE, ()),
    "log1p": (torch.log1p, POSITIVE, ()),
    "sin": (torch.sin, GENERAL, ()),
    "cos": (torch.cos, GENERAL, ()),
    "tan": (torch.tan, GENERAL, ()),
    "asin": (torch.asin, UNIT, ()),
    "acos": (torch.acos, UNIT, ()),
    "atan": (torch.atan, GENERAL, ()),
    "sinh": (torch.sinh, GENERAL, ("siNh",)),
    "cosh": (torch.cosh, GENERAL, ()),
    "asinh": (torch.asinh, GENERAL, ()),
    "acosh": (torch.acosh, AT_LEAST_ONE, ()),
    "atanh": (torch.atanh, UNIT, ()),
    "deg2rad": (torch.deg2rad, GENERAL, ("deg2Rad",)),
    "rad2deg": (torch.rad2deg, GENERAL, ("radToDeg",)),
    "floor": (torch.floor, GENERAL, ("Floor",)),
    "ceil": (torch.ceil, GENERAL, ()),
    "round": (torch.round, GENERAL, ("Round",)),
    "trunc": (torch.trunc, GENERAL, ()),
    "frac": (torch.frac, GENERAL, ("Frac",)),
    "exp10": (lambda x: torch.pow(10.0, x), GENERAL, ()),
}
ALL_ONE_TENSOR = [*UNARY, "tensor_clamp"]


def tensor_of(values, dtype):
    return torch.tensor(values, dtype=TORCH[dtype])


def same(tcl, handle, expected):
    """The handle's tensor has torch's dtype and shape and (to float rounding) values."""
    assert tcl.eval(f"torch::tensor_dtype {handle}") == DISPLAY[expected.dtype]
    dtype = str(expected.dtype).removeprefix("torch.")
    got = tcl.read(handle, dtype)
    assert got.shape == tuple(expected.shape)
    want = expected.float().numpy() if expected.dtype == torch.bfloat16 else expected.numpy()
    np.testing.assert_allclose(got, want, rtol=RTOL.get(dtype, 0), equal_nan=True)


def data(domain, dtype):
    return domain[0] if dtype.startswith("float") else domain[1]


# ---- the unary functions ----

@pytest.mark.parametrize("dtype", DTYPES + HALVES)
@pytest.mark.parametrize("name", [n for n in UNARY if n != "frac"])
def test_unary_matches_torch(tcl, name, dtype):
    function, domain, _ = UNARY[name]
    values = data(domain, dtype)
    same(tcl, tcl.eval(f"torch::{name} {tcl.create(values, dtype)}"), function(tensor_of(values, dtype)))


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_forms_agree(tcl, name):
    function, domain, spellings = UNARY[name]
    t, expected = tcl.create(domain[0], "float64"), function(tensor_of(domain[0], "float64"))
    for spelling in (name, *spellings):
        for form in ("{t}", "-input {t}", "-tensor {t}"):
            same(tcl, tcl.eval(f"torch::{spelling} " + form.format(t=t)), expected)


def test_values_the_pages_name(tcl):
    """A few exact values, independent of torch: halves round to even, frac keeps the sign."""
    t = tcl.create([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], "float64")
    assert tcl.eval(f"torch::tensor_to_list [torch::round {t}]") == "-2.0 -2.0 -0.0 0.0 2.0 2.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::frac {t}]") == "-0.5 -0.5 -0.5 0.5 0.5 0.5"
    assert tcl.eval(f"torch::tensor_to_list [torch::trunc {t}]") == "-2.0 -1.0 -0.0 0.0 1.0 2.0"
    u = tcl.create([0.0, 1.0, 2.0, -1.0], "float64")
    assert tcl.eval(f"torch::tensor_to_list [torch::exp10 {u}]") == "1.0 10.0 100.0 0.1"
    assert tcl.eval(f"torch::tensor_to_list [torch::exp2 {u}]") == "1.0 2.0 4.0 0.5"
    d = tcl.create([0.0, 90.0, 180.0], "float64")
    np.testing.assert_allclose(tcl.read(tcl.eval(f"torch::deg2rad {d}"), "float64"), [0, np.pi / 2, np.pi])


@pytest.mark.parametrize("dtype", ["float32", "float64", *HALVES])
def test_frac_of_floats_matches_torch(tcl, dtype):
    values = GENERAL[0]
    same(tcl, tcl.eval(f"torch::frac {tcl.create(values, dtype)}"), torch.frac(tensor_of(values, dtype)))


def test_exp10_keeps_float_dtypes_and_gives_integers_float32(tcl):
    for dtype, display in (("float32", "Float32"), ("float64", "Float64"), ("int32", "Float32"), ("int64", "Float32")):
        h = tcl.eval(f"torch::exp10 {tcl.create([1, 2, 3], dtype)}")
        assert tcl.eval(f"torch::tensor_dtype {h}") == display
        np.testing.assert_allclose(tcl.read(h, display.lower()), [10.0, 100.0, 1000.0], rtol=1e-7)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_frac_of_integers_is_a_clear_error(tcl, dtype):
    t = tcl.create([1, 2], dtype)
    assert tcl.error(f"torch::frac {t}").startswith('frac: "frac_cpu" not implemented for')


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "tensor_abs", "frac"])
def test_bool_input_where_torch_refuses_it(tcl, name):
    message = tcl.error(f"torch::{name} [torch::tensor_create {{1 0 1}} {{}} bool]")
    assert message.startswith(f"{name}: ") and message.endswith("not implemented for 'Bool'")


@pytest.mark.parametrize("name", ALL_ONE_TENSOR)
def test_one_tensor_commands_bad_input(tcl, name):
    t = tcl.create([1.0, 2.0], "float32")
    usage = "tensor ?min? ?max?" if name == "tensor_clamp" else "tensor"
    assert tcl.error_detail(f"torch::{name}") == f"Wrong number of arguments (wrong # args). Usage: torch::{name} {usage}"
    assert tcl.error_detail(f"torch::{name} nope") == "Invalid tensor name: nope"
    assert tcl.error_detail(f"torch::{name} -input nope") == "Invalid tensor name: nope"
    assert tcl.error_detail(f"torch::{name} -tensor") == "Missing value for parameter: -tensor. Named parameters must come in pairs"
    assert tcl.error_detail(f"torch::{name} -foo {t}").startswith("Unknown parameter: -foo. Valid parameters:")
    assert tcl.error(f"torch::{name} {t} 1 2 3").startswith("Wrong number of arguments")


# ---- tensor_add, tensor_sub, tensor_mul, tensor_div ----

BINARY = {"tensor_add": torch.add, "tensor_sub": torch.sub, "tensor_mul": torch.mul, "tensor_div": torch.div}
A = [[1, -2, 3], [4, 5, -6]]
B = [[2, 4, -1], [3, 1, 2]]


@pytest.mark.parametrize("dtype", DTYPES + HALVES)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_matches_torch(tcl, name, dtype):
    function, a, b = BINARY[name], tensor_of(A, dtype), tensor_of(B, dtype)
    ta, tb, row = tcl.create(A, dtype), tcl.create(B, dtype), tcl.create(B[0], dtype)
    same(tcl, tcl.eval(f"torch::{name} {ta} {tb}"), function(a, b))
    same(tcl, tcl.eval(f"torch::{name} {ta} {row}"), function(a, tensor_of(B[0], dtype)))  # broadcast
    same(tcl, tcl.eval(f"torch::{name} {ta} 3"), function(a, 3))
    same(tcl, tcl.eval(f"torch::{name} {ta} 2.5"), function(a, 2.5))


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_forms_agree(tcl, name):
    a, b = tensor_of(A, "float32"), tensor_of(B, "float32")
    ta, tb, expected = tcl.create(A, "float32"), tcl.create(B, "float32"), BINARY[name](a, b)
    camel = "tensor" + name.removeprefix("tensor_").title()
    for spelling in (name, camel):
        for form in ("{a} {b}", "-input {a} -other {b}", "-input1 {a} -input2 {b}", "-a {a} -b {b}",
                     "-other {b} -input {a}", "{a} -other {b}"):
            same(tcl, tcl.eval(f"torch::{spelling} " + form.format(a=ta, b=tb)), expected)


@pytest.mark.parametrize("name", ["tensor_add", "tensor_sub"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_alpha_scales_other(tcl, name, dtype):
    function, a, b = BINARY[name], tensor_of(A, dtype), tensor_of(B, dtype)
    ta, tb = tcl.create(A, dtype), tcl.create(B, dtype)
    for alpha in (2, -1, 0):
        expected = function(a, b, alpha=alpha)
        same(tcl, tcl.eval(f"torch::{name} {ta} {tb} {alpha}"), expected)
        same(tcl, tcl.eval(f"torch::{name} -input1 {ta} -input2 {tb} -alpha {alpha}"), expected)
        same(tcl, tcl.eval(f"torch::{name} {ta} {tb} -alpha {alpha}"), expected)
    if dtype.startswith("float"):
        same(tcl, tcl.eval(f"torch::{name} {ta} {tb} -0.5"), function(a, b, alpha=-0.5))
    else:  # torch's rule: no fractional alpha for integers
        assert tcl.error(f"torch::{name} {ta} {tb} 0.5") == \
            f"{name}: For integral input tensors, argument alpha must not be a floating point number."


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_bad_input(tcl, name):
    ta, tb, short = tcl.create(A, "float32"), tcl.create(B, "float32"), tcl.create([1.0, 2.0], "float32")
    assert tcl.error(f"torch::{name} {ta} {short}") == \
        f"{name}: The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"
    assert tcl.error_detail(f"torch::{name} nope {tb}") == "Invalid tensor name: nope"
    assert tcl.error(f"torch::{name} {ta} nope") == 'Invalid other: expected tensor handle or number, got "nope"'
    assert tcl.error(f"torch::{name} {ta}").startswith(f"Wrong number of arguments (wrong # args). Usage: torch::{name} input other")
    assert tcl.error(f"torch::{name} -input {ta}") == "Required parameters missing: -other"
    assert tcl.error(f"torch::{name} -input {ta} -other {tb} -bogus 1").startswith("Unknown parameter: -bogus.")
    if name in ("tensor_add", "tensor_sub"):
        assert tcl.error(f"torch::{name} {ta} {tb} -alpha x") == 'Invalid alpha: expected number, got "x"'
    else:
        assert tcl.error(f"torch::{name} {ta} {tb} -alpha 2").startswith("Unknown parameter: -alpha.")


def test_div_is_true_division_for_integers(tcl):
    h = tcl.eval(f"torch::tensor_div {tcl.create([1, 7, -3], 'int64')} {tcl.create([2, 2, 2], 'int64')}")
    assert tcl.eval(f"torch::tensor_dtype {h}") == "Float32"
    assert tcl.eval(f"torch::tensor_to_list {h}") == "0.5 3.5 -1.5"


# ---- pow, atan2 ----

@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_matches_torch(tcl, dtype):
    base, exponent = [[2, 3, 4], [5, 1, 0]], [[2, 2, 3], [0, 4, 2]]
    tb, te, b, e = tcl.create(base, dtype), tcl.create(exponent, dtype), tensor_of(base, dtype), tensor_of(exponent, dtype)
    expected = torch.pow(b, e)
    for form in ("{b} {e}", "-base {b} -exponent {e}", "-input1 {b} -input2 {e}", "-exponent {e} -input1 {b}"):
        same(tcl, tcl.eval("torch::pow " + form.format(b=tb, e=te)), expected)
    same(tcl, tcl.eval(f"torch::pow {tb} 3"), torch.pow(b, 3))
    same(tcl, tcl.eval(f"torch::pow {tb} 0.5"), torch.pow(b, 0.5))
    same(tcl, tcl.eval(f"torch::pow {tb} {tcl.create(exponent[1], dtype)}"), torch.pow(b, e[1]))  # broadcast


def test_pow_bad_input(tcl):
    t, ints = tcl.create([1.0, 2.0], "float32"), tcl.create([1, 2], "int64")
    assert tcl.error_detail(f"torch::pow {t}") == "Wrong number of arguments (wrong # args). Usage: torch::pow base exponent"
    assert tcl.error_detail(f"torch::pow nope {t}") == "Invalid base tensor name: nope"
    assert tcl.error(f"torch::pow {t} nope") == 'Invalid exponent: expected tensor handle or number, got "nope"'
    assert tcl.error(f"torch::pow -base {t}") == "Required parameters missing: -exponent"
    assert tcl.error(f"torch::pow {ints} -1") == "pow: Integers to negative integer powers are not allowed."
    assert tcl.error(f"torch::pow {t} {tcl.create([1.0, 2.0, 3.0], 'float32')}").startswith(
        "pow: The size of tensor a (2) must match the size of tensor b (3)")


@pytest.mark.parametrize("dtype", DTYPES)
def test_atan2_matches_torch(tcl, dtype):
    y, x = [[1, -1, -1, 1, 0, 0]], [[1, 1, -1, -1, -2, 0]]
    ty, tx = tcl.create(y, dtype), tcl.create(x, dtype)
    expected = torch.atan2(tensor_of(y, dtype), tensor_of(x, dtype))
    for form in ("{y} {x}", "-y {y} -x {x}", "-x {x} -y {y}", "-input1 {y} -input2 {x}"):
        same(tcl, tcl.eval("torch::atan2 " + form.format(y=ty, x=tx)), expected)


def test_atan2_bad_input(tcl):
    t = tcl.create([1.0, 2.0], "float32")
    assert tcl.error_detail(f"torch::atan2 {t}") == "Wrong number of arguments (wrong # args). Usage: torch::atan2 y x"
    assert tcl.error_detail(f"torch::atan2 {t} nope") == "Invalid x tensor name: nope"
    assert tcl.error(f"torch::atan2 -y {t}") == "Required parameters missing: -x"
    assert tcl.error(f"torch::atan2 {t} {tcl.create([1.0, 2.0, 3.0], 'float32')}").startswith(
        "atan2: The size of tensor a (2) must match the size of tensor b (3)")


# ---- tensor_clamp ----

@pytest.mark.parametrize("dtype", DTYPES)
def test_clamp_matches_torch(tcl, dtype):
    values = [[-3, -1, 0], [1, 2, 5]]
    t, x = tcl.create(values, dtype), tensor_of(values, dtype)
    for spelling in ("tensor_clamp", "tensorClamp"):
        same(tcl, tcl.eval(f"torch::{spelling} {t} -1 2"), torch.clamp(x, -1, 2))
        same(tcl, tcl.eval(f"torch::{spelling} {t} 0"), torch.clamp(x, min=0))
        same(tcl, tcl.eval(f"torch::{spelling} -tensor {t} -max 1"), torch.clamp(x, max=1))
        same(tcl, tcl.eval(f"torch::{spelling} -input {t} -min -2 -max 3"), torch.clamp(x, -2, 3))
        same(tcl, tcl.eval(f"torch::{spelling} {t} -max 1.5"), torch.clamp(x, max=1.5))
    same(tcl, tcl.eval(f"torch::tensor_clamp {t} 3 1"), torch.clamp(x, 3, 1))  # min > max: all max, as torch


def test_clamp_without_bounds_is_a_copy(tcl):
    t = tcl.create([1.0, -2.0, 3.0], "float64")
    copy = tcl.eval(f"torch::tensor_clamp {t}")
    assert copy != t
    assert tcl.eval(f"torch::tensor_to_list {copy}") == "1.0 -2.0 3.0"


def test_clamp_bad_bounds(tcl):
    t = tcl.create([1.0, 2.0], "float32")
    assert tcl.error(f"torch::tensor_clamp {t} x") == 'Invalid min: expected number, got "x"'
    assert tcl.error(f"torch::tensor_clamp -tensor {t} -max y") == 'Invalid max: expected number, got "y"'
