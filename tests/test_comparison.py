"""Comparison and logic (eq ne lt le gt ge, isclose, isfinite isinf isnan, logical_*,
bitwise_*, tensor_where, allclose): values against torch called directly, every form of
call, every dtype each takes, bad input as clear errors."""

import numpy as np
import pytest
import torch

from tests.tclsession import torch_of

DISPLAY = {"float32": "Float32", "float64": "Float64", "int8": "Int8", "uint8": "UInt8", "int16": "Int16",
           "int32": "Int32", "int64": "Int64", "bool": "Bool"}
INTEGERS = ["int8", "uint8", "int16", "int32", "int64"]
ALL = ["float32", "float64", *INTEGERS, "bool"]

A = np.array([[3, 0, 7], [1, 5, 2]])
B = np.array([[3, 4, 1], [0, 5, 9]])
ROW = np.array([1, 5, 7])  # broadcasts against A's rows
SPECIAL = np.array([1.5, np.inf, -np.inf, np.nan, 0.0, -2.0])


def values(array, dtype):
    return np.asarray(array) % 2 if dtype == "bool" else np.asarray(array)


def same(tcl, handle, expected):
    """The handle's tensor equals the torch tensor ``expected``: dtype, shape, values."""
    dtype = str(expected.dtype).removeprefix("torch.")
    assert tcl.eval(f"torch::tensor_dtype {handle}") == DISPLAY[dtype]
    np.testing.assert_array_equal(tcl.read(handle, dtype), expected.numpy())


# ---- eq ne lt le gt ge ----

COMPARE = {"eq": "Eq", "ne": "Ne", "lt": "Lt", "le": "Le", "gt": "Gt", "ge": "Ge"}


@pytest.mark.parametrize("name", COMPARE)
@pytest.mark.parametrize("dtype", ALL)
def test_comparisons_match_torch(tcl, name, dtype):
    a, b, row = values(A, dtype), values(B, dtype), values(ROW, dtype)
    ta, tb, trow = tcl.create(a, dtype), tcl.create(b, dtype), tcl.create(row, dtype)
    function = getattr(torch, name)
    expected = function(torch_of(a, dtype), torch_of(b, dtype))
    for call in (f"{name} {ta} {tb}", f"{name} -input1 {ta} -input2 {tb}", f"{name} -tensor1 {ta} -tensor2 {tb}",
                 f"{name} -input2 {tb} -tensor1 {ta}", f"{COMPARE[name]} {ta} {tb}",
                 f"{COMPARE[name]} -input1 {ta} -input2 {tb}"):
        same(tcl, tcl.eval(f"torch::{call}"), expected)
    same(tcl, tcl.eval(f"torch::{name} {ta} {trow}"), function(torch_of(a, dtype), torch_of(row, dtype)))


def test_comparison_of_mixed_dtypes_promotes_like_torch(tcl):
    ta, tb = tcl.create(A, "int32"), tcl.create(B + 0.5, "float64")
    same(tcl, tcl.eval(f"torch::lt {ta} {tb}"), torch.lt(torch_of(A, "int32"), torch_of(B + 0.5, "float64")))


def test_comparison_with_nan_is_false_except_ne(tcl):
    t = tcl.create(SPECIAL, "float32")
    assert tcl.eval(f"torch::tensor_to_list [torch::eq {t} {t}]") == "1 1 1 0 1 1"
    assert tcl.eval(f"torch::tensor_to_list [torch::ne {t} {t}]") == "0 0 0 1 0 0"


# ---- isfinite isinf isnan logical_not ----

TESTS = {"isfinite": "isFinite", "isinf": "isInf", "isnan": "isNan", "logical_not": "logicalNot"}


@pytest.mark.parametrize("name", TESTS)
@pytest.mark.parametrize("dtype", ALL)
def test_tests_of_one_tensor_match_torch(tcl, name, dtype):
    array = SPECIAL if dtype.startswith("float") else values(A, dtype)
    t = tcl.create(array, dtype)
    expected = getattr(torch, name)(torch_of(array, dtype))
    for call in (f"{name} {t}", f"{name} -input {t}", f"{name} -tensor {t}", f"{TESTS[name]} {t}",
                 f"{TESTS[name]} -input {t}"):
        same(tcl, tcl.eval(f"torch::{call}"), expected)


def test_isnan_isinf_isfinite_values(tcl):
    t = tcl.create(SPECIAL, "float64")
    assert tcl.eval(f"torch::tensor_to_list [torch::isnan {t}]") == "0 0 0 1 0 0"
    assert tcl.eval(f"torch::tensor_to_list [torch::isinf {t}]") == "0 1 1 0 0 0"
    assert tcl.eval(f"torch::tensor_to_list [torch::isfinite {t}]") == "1 0 0 0 1 1"
    assert tcl.eval("torch::tensor_shape [torch::isnan [torch::empty {0 3}]]") == "0 3"


# ---- logical_and logical_or logical_xor ----

LOGICAL = {"logical_and": "logicalAnd", "logical_or": "logicalOr", "logical_xor": "logicalXor"}


@pytest.mark.parametrize("name", LOGICAL)
@pytest.mark.parametrize("dtype", ALL)
def test_logical_operations_match_torch(tcl, name, dtype):
    a, b = values(A, dtype), values(B, dtype)
    ta, tb = tcl.create(a, dtype), tcl.create(b, dtype)
    function = getattr(torch, name)
    expected = function(torch_of(a, dtype), torch_of(b, dtype))
    assert expected.dtype == torch.bool
    for call in (f"{name} {ta} {tb}", f"{name} -input1 {ta} -input2 {tb}", f"{name} -tensor1 {ta} -tensor2 {tb}",
                 f"{LOGICAL[name]} {ta} {tb}", f"{LOGICAL[name]} -input2 {tb} -input1 {ta}"):
        same(tcl, tcl.eval(f"torch::{call}"), expected)
    trow = tcl.create(values(ROW, dtype), dtype)
    same(tcl, tcl.eval(f"torch::{name} {trow} {ta}"), function(torch_of(values(ROW, dtype), dtype), torch_of(a, dtype)))


def test_logical_of_floats_and_ints_mixed(tcl):
    ta, tb = tcl.create([0.0, 0.5, -2.0, 0.0], "float32"), tcl.create([1, 0, 3, 0], "int64")
    assert tcl.eval(f"torch::tensor_to_list [torch::logical_and {ta} {tb}]") == "0 0 1 0"
    assert tcl.eval(f"torch::tensor_to_list [torch::logical_xor {ta} {tb}]") == "1 1 0 0"


# ---- bitwise ----

BITWISE = {"bitwise_and": "bitwiseAnd", "bitwise_or": "bitwiseOr", "bitwise_xor": "bitwiseXor",
           "bitwise_left_shift": "bitwiseLeftShift", "bitwise_right_shift": "bitwiseRightShift"}
SHIFTS = {"bitwise_left_shift", "bitwise_right_shift"}


@pytest.mark.parametrize("name, dtype", [(name, dtype) for name in BITWISE for dtype in [*INTEGERS, "bool"]
                                         if not (name in SHIFTS and dtype == "bool")])  # shifts: integers only
def test_bitwise_operations_match_torch(tcl, name, dtype):
    a, b = values(A * 9, dtype), values(B if name in SHIFTS else B * 5, dtype)
    ta, tb = tcl.create(a, dtype), tcl.create(b, dtype)
    expected = getattr(torch, name)(torch_of(a, dtype), torch_of(b, dtype))
    for call in (f"{name} {ta} {tb}", f"{name} -input {ta} -other {tb}", f"{name} -tensor1 {ta} -tensor2 {tb}",
                 f"{name} -other {tb} -input {ta}", f"{BITWISE[name]} {ta} {tb}",
                 f"{BITWISE[name]} -input {ta} -other {tb}"):
        same(tcl, tcl.eval(f"torch::{call}"), expected)
    trow = tcl.create(values(ROW % 3, dtype), dtype)
    same(tcl, tcl.eval(f"torch::{name} {ta} {trow}"),
         getattr(torch, name)(torch_of(a, dtype), torch_of(values(ROW % 3, dtype), dtype)))


@pytest.mark.parametrize("dtype", [*INTEGERS, "bool"])
def test_bitwise_not_matches_torch(tcl, dtype):
    a = values(A * 9, dtype)
    t = tcl.create(a, dtype)
    for call in (f"bitwise_not {t}", f"bitwise_not -input {t}", f"bitwise_not -tensor {t}", f"bitwiseNot {t}"):
        same(tcl, tcl.eval(f"torch::{call}"), torch.bitwise_not(torch_of(a, dtype)))


def test_bitwise_values(tcl):
    a, b = tcl.create([5, 12, -8], "int32"), tcl.create([3, 10, 1], "int32")
    assert tcl.eval(f"torch::tensor_to_list [torch::bitwise_and {a} {b}]") == "1 8 0"
    assert tcl.eval(f"torch::tensor_to_list [torch::bitwise_or {a} {b}]") == "7 14 -7"
    assert tcl.eval(f"torch::tensor_to_list [torch::bitwise_xor {a} {b}]") == "6 6 -7"
    assert tcl.eval(f"torch::tensor_to_list [torch::bitwise_not {a}]") == "-6 -13 7"
    assert tcl.eval(f"torch::tensor_to_list [torch::bitwise_left_shift {a} {b}]") == "40 12288 -16"
    assert tcl.eval(f"torch::tensor_to_list [torch::bitwise_right_shift {a} {b}]") == "0 0 -4"  # arithmetic


@pytest.mark.parametrize("name, dtype", [(name, dtype) for name in [*BITWISE, "bitwise_not"]
                                         for dtype in ["float32", "float64", "bool"]
                                         if dtype != "bool" or name in SHIFTS])
def test_bitwise_of_a_wrong_dtype_is_an_error(tcl, name, dtype):
    t, i = tcl.create([1, 0], dtype), tcl.create([1, 0], "int32")
    takes = "integer" if name in SHIFTS else "integer or boolean"
    message = f"{name}: expected {takes} tensors, got {DISPLAY[dtype]}; convert it with torch::tensor_to"
    assert tcl.error(f"torch::{name} {t}" + ("" if name == "bitwise_not" else f" {i}")) == message
    if name != "bitwise_not":
        assert tcl.error(f"torch::{name} {i} {t}") == message


# ---- isclose, allclose ----

@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_isclose_matches_torch(tcl, dtype):
    a = np.array([1.0, 2.0, 0.0, 100.0, 5.0])
    b = np.array([1.05, 2.0000001, 0.05, 101.0, 9.0]) if dtype.startswith("float") else np.array([1, 2, 0, 101, 9])
    if not dtype.startswith("float"):
        a = a.astype(np.int64)
    ta, tb = tcl.create(a, dtype), tcl.create(b, dtype)
    x, y = torch_of(a, dtype), torch_of(b, dtype)
    same(tcl, tcl.eval(f"torch::isclose {ta} {tb}"), torch.isclose(x, y))
    same(tcl, tcl.eval(f"torch::isClose {ta} {tb} 0.1"), torch.isclose(x, y, 0.1))
    same(tcl, tcl.eval(f"torch::isclose {ta} {tb} 0.02 0.1"), torch.isclose(x, y, 0.02, 0.1))
    for options in ("-rtol 0.02 -atol 0.1", "-relativeTolerance 0.02 -absoluteTolerance 0.1",
                    "-atol 0.1 -rtol 0.02 -equal_nan 0"):
        same(tcl, tcl.eval(f"torch::isclose -input {ta} -other {tb} {options}"), torch.isclose(x, y, 0.02, 0.1))
        same(tcl, tcl.eval(f"torch::isClose -tensor1 {ta} -tensor2 {tb} {options}"), torch.isclose(x, y, 0.02, 0.1))
    same(tcl, tcl.eval(f"torch::isclose {ta} {tb} -atol 1"), torch.isclose(x, y, atol=1.0))


def test_isclose_equal_nan(tcl):
    t = tcl.create(SPECIAL, "float32")
    x = torch_of(SPECIAL, "float32")
    same(tcl, tcl.eval(f"torch::isclose {t} {t}"), torch.isclose(x, x))
    same(tcl, tcl.eval(f"torch::isclose {t} {t} 1e-5 1e-8 1"), torch.isclose(x, x, equal_nan=True))
    same(tcl, tcl.eval(f"torch::isclose -input {t} -other {t} -equalNan true"), torch.isclose(x, x, equal_nan=True))
    assert tcl.eval(f"torch::tensor_to_list [torch::isclose {t} {t} -equal_nan 1]") == "1 1 1 1 1 1"


def test_allclose_still_works(tcl):
    a, b = tcl.create([1.0, 2.0], "float32"), tcl.create([1.0, 2.1], "float32")
    assert (tcl.eval(f"torch::allclose {a} {b}"), tcl.eval(f"torch::allclose {a} {b} 0.1")) == ("0", "1")


@pytest.mark.parametrize("call, message", [
    ("isclose $f $f -0.1", "Invalid rtol: must not be negative, got -0.1"),
    ("isclose -input $f -other $f -atol -1", "Invalid atol: must not be negative, got -1.0"),
    ("isclose $f $d", "isclose: the tensors' dtypes differ (Float32 and Float64); convert one with torch::tensor_to"),
    ("isclose $f $f x", 'Invalid rtol: expected number, got "x"'),
    ("isclose $f $f -equal_nan maybe", 'Invalid equal_nan: expected boolean, got "maybe"'),
    ("isclose $f $three", "isclose: The size of tensor a (2) must match the size of tensor b (3) "
                          "at non-singleton dimension 0"),
    ("isclose $f -bogus 1", "Unknown parameter: -bogus. Valid parameters: -input -tensor1 -other -tensor2 "
                            "-rtol -relativeTolerance -atol -absoluteTolerance -equal_nan -equalNan"),
])
def test_isclose_bad_input(tcl, call, message):
    tcl.eval("set f [torch::tensor_create {1.0 2.0} float32]; set d [torch::tensor_create {1.0 2.0} float64]")
    tcl.eval("set three [torch::tensor_create {1.0 2.0 3.0} float32]")
    assert tcl.error_detail(f"torch::{call}") == message


# ---- tensor_where ----

@pytest.mark.parametrize("dtype", ALL)
def test_tensor_where_matches_torch(tcl, dtype):
    condition = np.array([[1, 0, 1], [0, 0, 1]], dtype=bool)
    x, y = values(A, dtype), values(ROW, dtype)  # y broadcasts
    tc, tx, ty = tcl.create(condition, "bool"), tcl.create(x, dtype), tcl.create(y, dtype)
    expected = torch.where(torch.tensor(condition), torch_of(x, dtype), torch_of(y, dtype))
    for call in (f"tensor_where {tc} {tx} {ty}", f"tensor_where -condition {tc} -x {tx} -y {ty}",
                 f"tensorWhere -y {ty} -condition {tc} -x {tx}", f"tensorWhere {tc} {tx} {ty}"):
        same(tcl, tcl.eval(f"torch::{call}"), expected)


def test_tensor_where_of_mixed_dtypes_promotes(tcl):
    tc, tx, ty = (tcl.create([1, 0], "bool"), tcl.create([10, 20], "int64"), tcl.create([0.5, 1.5], "float32"))
    same(tcl, tcl.eval(f"torch::tensor_where {tc} {tx} {ty}"),
         torch.where(torch.tensor([True, False]), torch.tensor([10, 20]), torch.tensor([0.5, 1.5])))


def test_tensor_where_needs_a_bool_condition(tcl):
    tc, tx = tcl.create([1, 0], "int32"), tcl.create([1.0, 2.0], "float32")
    assert tcl.error(f"torch::tensor_where {tc} {tx} {tx}") == \
        "tensor_where: where expected condition to be a boolean tensor, but got a tensor with dtype Int"


# ---- bad input, every command ----

PAIRS = [*COMPARE, *LOGICAL, *BITWISE]
SINGLES = [*TESTS, "bitwise_not"]


@pytest.mark.parametrize("name", PAIRS)
def test_two_tensor_commands_bad_input(tcl, name):
    a, b, c = tcl.create([1, 2], "int32"), tcl.create([1, 2, 3], "int32"), tcl.create([1, 2], "int32")
    first, second = ("-input", "-other") if name in BITWISE else ("-input1", "-input2")
    assert tcl.error(f"torch::{name} {a} {b}") == (
        f"{name}: The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0")
    assert tcl.error_detail(f"torch::{name} nope {a}") == "Invalid tensor name: nope"
    assert tcl.error_detail(f"torch::{name} {first} {a} {second} nope") == "Invalid tensor name: nope"
    assert tcl.error(f"torch::{name} {a}") == f"Wrong number of arguments (wrong # args). Usage: torch::{name} tensor1 tensor2"
    assert tcl.error(f"torch::{name} {a} {c} {a}") == \
        f"Wrong number of arguments (wrong # args). Usage: torch::{name} tensor1 tensor2"
    assert tcl.error_detail(f"torch::{name} {first} {a}") == f"Required parameters missing: {second}"
    assert tcl.error_detail(f"torch::{name} {first} {a} {second}") == f"Missing value for parameter: {second}. Named parameters must come in pairs"
    assert tcl.error_detail(f"torch::{name} {first} {a} -bogus {c}").startswith(
        f"Unknown parameter: -bogus. Valid parameters: {first} -tensor1 {second} -tensor2")


@pytest.mark.parametrize("name", SINGLES)
def test_one_tensor_commands_bad_input(tcl, name):
    a = tcl.create([1, 2], "int32")
    assert tcl.error_detail(f"torch::{name} nope") == "Invalid tensor name: nope"
    assert tcl.error_detail(f"torch::{name} -input nope") == "Invalid tensor name: nope"
    assert tcl.error(f"torch::{name}") == f"Wrong number of arguments (wrong # args). Usage: torch::{name} tensor"
    assert tcl.error_detail(f"torch::{name} {a} {a}") == f"Wrong number of arguments (wrong # args). Usage: torch::{name} tensor"
    assert tcl.error_detail(f"torch::{name} -input") == "Missing value for parameter: -input. Named parameters must come in pairs"
    assert tcl.error_detail(f"torch::{name} -bogus {a}") == "Unknown parameter: -bogus. Valid parameters: -input -tensor"


def test_tensor_where_bad_input(tcl):
    tc, tx, t3 = tcl.create([1, 0], "bool"), tcl.create([1.0, 2.0], "float32"), tcl.create([1.0, 2, 3], "float32")
    assert tcl.error_detail(f"torch::tensor_where {tc} {tx} {t3}").startswith("tensor_where: The size of tensor")
    assert tcl.error_detail(f"torch::tensor_where nope {tx} {tx}") == "Invalid condition tensor name: nope"
    assert tcl.error(f"torch::tensor_where -condition {tc} -x {tx}") == "Required parameters missing: -y"
    assert tcl.error(f"torch::tensor_where {tc} {tx}") == \
        "Wrong number of arguments (wrong # args). Usage: torch::tensor_where condition x y"
    assert tcl.error_detail(f"torch::tensor_where -foo {tc} -x {tx} -y {tx}") == \
        "Unknown parameter: -foo. Valid parameters: -condition -x -y"
