"""Tensor information and conversion (tensor_shape, tensor_dtype, tensor_device,
tensor_is_cuda, tensor_numel, tensor_item, tensor_print, tensor_to): results against
torch called directly, every form of call, every dtype, bad input as clear errors."""

import numpy as np
import pytest
import torch

from tests.tclsession import TORCH

DISPLAY = {"float32": "Float32", "float64": "Float64", "float16": "Float16", "bfloat16": "BFloat16",
           "int8": "Int8", "uint8": "UInt8", "int16": "Int16", "int32": "Int32", "int64": "Int64", "bool": "Bool",
           "complex64": "Complex64", "complex128": "Complex128"}
REAL = [d for d in TORCH if not d.startswith("complex")]
SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 1, 1, 5)]
CUDA = torch.cuda.is_available()


def make(tcl, shape, dtype):
    """A tensor of ``shape`` and its torch twin (values 0, 1, 2, ... cast to dtype)."""
    expected = torch.arange(int(np.prod(shape)), dtype=torch.float64).reshape(shape).to(TORCH[dtype])
    if not shape:  # tensor_create makes a {1} tensor of one value
        return tcl.eval(f"torch::full {{}} 0 {dtype}"), expected
    return tcl.create(expected.numpy(), dtype), expected


def forms(name, camel, handle):
    return [f"torch::{name} {handle}", f"torch::{name} -tensor {handle}", f"torch::{name} -input {handle}",
            f"torch::{camel} {handle}", f"torch::{camel} -input {handle}"]


# ---- tensor_shape, tensor_numel, tensor_dtype, tensor_device, tensor_is_cuda ----

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_shape_and_numel_match_torch(tcl, shape, dtype):
    t, x = make(tcl, shape, dtype)
    for call in forms("tensor_shape", "tensorShape", t):
        assert tcl.eval(call) == " ".join(map(str, x.shape))
    for call in forms("tensor_numel", "tensorNumel", t):
        assert tcl.eval(call) == str(x.numel())


@pytest.mark.parametrize("dtype", list(TORCH))
def test_dtype_names_each_dtype(tcl, dtype):
    t = tcl.eval(f"torch::zeros {{2}} {dtype}")
    for call in forms("tensor_dtype", "tensorDtype", t):
        assert tcl.eval(call) == DISPLAY[dtype]


def test_device_and_is_cuda_of_a_cpu_tensor(tcl):
    t = tcl.eval("torch::tensor_create {1.0 2.0}")
    for call in forms("tensor_device", "tensorDevice", t):
        assert tcl.eval(call) == "cpu"
    for call in forms("tensor_is_cuda", "tensorIsCuda", t):
        assert tcl.eval(call) == "0"


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device")
def test_device_and_is_cuda_of_a_cuda_tensor(tcl):
    t = tcl.eval("torch::tensor_to [torch::tensor_create {1.0 2.0}] cuda")
    assert (tcl.eval(f"torch::tensor_device {t}"), tcl.eval(f"torch::tensor_is_cuda {t}")) == ("cuda:0", "1")
    back = tcl.eval(f"torch::tensor_to {t} cpu")
    assert (tcl.eval(f"torch::tensor_is_cuda {back}"), tcl.eval(f"torch::tensor_to_list {back}")) == ("0", "1.0 2.0")
    assert tcl.eval(f"torch::tensor_item [torch::tensor_sum {t}]") == "3.0"


# ---- tensor_item ----

@pytest.mark.parametrize("dtype, value", [
    ("float32", 0.1), ("float32", -2.5), ("float32", 1e-7), ("float32", 999999.0), ("float64", 3.14159265359),
    ("float64", 1e-300), ("float16", 0.1), ("bfloat16", 3.0), ("int8", -100), ("uint8", 255), ("int16", 30000),
    ("int32", 2147483647), ("int64", 2**62 + 1), ("int64", -(2**63)), ("bool", 1), ("bool", 0),
])
def test_item_matches_torch(tcl, dtype, value):
    x = torch.tensor(value, dtype=TORCH[dtype])
    t = tcl.eval(f"torch::tensor_create -data {value} -dtype {dtype}")
    for call in forms("tensor_item", "tensorItem", t):
        text = tcl.eval(call)
        if dtype == "bool":
            assert text == str(int(x.item()))
        elif x.dtype.is_floating_point:  # the shortest text that reads back as the element
            assert torch.tensor(float(text), dtype=torch.float64).to(x.dtype) == x
            assert len(text) <= len(repr(value)) + 2
        else:
            assert text == str(x.item())


def test_item_values_as_text(tcl):
    cases = {"-data 5.0 -dtype float32": "5.0", "-data 0.1 -dtype float32": "0.1", "-data 42 -dtype int32": "42",
             "-data 3.14159265359 -dtype float64": "3.14159265359", "-data {{{7.5}}} -dtype float64": "7.5"}
    for options, text in cases.items():
        assert tcl.eval(f"torch::tensor_item [torch::tensor_create {options}]") == text
    assert tcl.eval("torch::tensor_item [torch::tensor_sum [torch::tensor_create {1.0 2.0 3.0}]]") == "6.0"
    assert tcl.eval("expr {[torch::tensor_item [torch::tensor_create {2.5}]] * 2}") == "5.0"


@pytest.mark.parametrize("dtype, expected", [("complex64", complex(1.5, -2)), ("complex128", complex(0.1, 3))])
def test_item_of_a_complex_tensor(tcl, dtype, expected):
    text = tcl.eval(f"torch::tensor_item [torch::tensor_create {{{str(expected).strip('()')}}} {dtype}]")
    assert complex(text) == expected


def test_item_of_infinity_and_nan(tcl):
    assert tcl.eval("torch::tensor_item [torch::full {} Inf]") == "Inf"
    assert tcl.eval("torch::tensor_item [torch::full {} -Inf float64]") == "-Inf"
    nan = tcl.eval("torch::tensor_div [torch::full {} 0.0] [torch::full {} 0.0]")
    assert tcl.eval(f"string match -nocase *nan [torch::tensor_item {nan}]") == "1"


@pytest.mark.parametrize("data, shape", [("{1.0 2.0 3.0}", "3"), ("{}", "0"), ("{{1 2} {3 4}}", "2 2")])
def test_item_of_not_one_element_is_an_error(tcl, data, shape):
    count = int(np.prod([int(d) for d in shape.split()]))
    assert tcl.error(f"torch::tensor_item [torch::tensor_create {data}]") == \
        f"tensor_item: Tensor must have exactly one element, got {count} (shape {{{shape}}})"


# ---- tensor_print ----

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bool"])
def test_print_matches_torch(tcl, shape, dtype):
    t, x = make(tcl, shape, dtype)
    for call in forms("tensor_print", "tensorPrint", t):
        assert tcl.eval(call) == str(x)


# ---- tensor_to ----

@pytest.mark.parametrize("source", REAL)
@pytest.mark.parametrize("target", REAL + ["complex64"])
def test_to_converts_like_torch(tcl, source, target):
    values = torch.tensor([[0.0, 1.5, 2.0], [7.25, 100.0, 1.0]], dtype=TORCH[source])
    t = tcl.eval(f"torch::tensor_to [torch::tensor_create {{{{0 1.5 2}} {{7.25 100 1}}}} float64] cpu {source}")
    expected = values.to(TORCH[target])
    for call in (f"torch::tensor_to {t} cpu {target}", f"torch::tensor_to -input {t} -device cpu -dtype {target}",
                 f"torch::tensorTo -dtype {target} -tensor {t} -device cpu", f"torch::tensorTo {t} cpu -dtype {target}"):
        out = tcl.eval(call)
        assert tcl.eval(f"torch::tensor_dtype {out}") == DISPLAY[target]
        assert tcl.eval(f"torch::tensor_shape {out}") == "2 3"
        np.testing.assert_array_equal(tcl.read(out, target), expected.float().numpy()
                                      if target == "bfloat16" else expected.numpy())


def test_to_keeps_the_dtype_when_not_given_and_copies(tcl):
    t = tcl.eval("torch::tensor_create {1 2 3} int16")
    out = tcl.eval(f"torch::tensor_to {t} cpu")
    assert out != t
    assert (tcl.eval(f"torch::tensor_dtype {out}"), tcl.eval(f"torch::tensor_to_list {out}")) == ("Int16", "1 2 3")
    tcl.eval(f"torch::tensor_free {t}")
    assert tcl.eval(f"torch::tensor_to_list {out}") == "1 2 3"


@pytest.mark.parametrize("call, message", [
    ("tensor_to $t gpu", 'Invalid device: expected cpu, cuda or cuda:<index>, got "gpu"'),
    ("tensor_to $t cpu float99", "Invalid dtype: expected one of float32 float64 float16 bfloat16 int8 uint8 int16 "
                                 'int32 int64 bool complex64 complex128, got "float99"'),
    ("tensor_to $t", "Wrong number of arguments (wrong # args). Usage: torch::tensor_to tensor device ?dtype?"),
    ("tensor_to $t cpu float32 extra", "Wrong number of arguments (wrong # args). Usage: torch::tensor_to tensor device ?dtype?"),
    ("tensor_to -input $t -dtype float64", "Required parameters missing: -device"),
    ("tensor_to -input $t -device", "Missing value for parameter: -device. Named parameters must come in pairs"),
    ("tensor_to -input $t -device cpu -bogus 1", "Unknown parameter: -bogus. Valid parameters: -tensor -input "
                                                 "-device -dtype"),
    ("tensor_to nope cpu", "Invalid tensor name: nope"),
] + ([] if CUDA else [("tensor_to $t cuda", 'Invalid device: "cuda" was asked for, but CUDA is not available '
                                              "in this process")]))
def test_to_bad_input(tcl, call, message):
    tcl.eval("set t [torch::tensor_create {1.0 2.0}]")
    assert tcl.error(f"torch::{call}") == message


# ---- bad input, the one-tensor commands ----

@pytest.mark.parametrize("name", ["tensor_shape", "tensor_dtype", "tensor_device", "tensor_is_cuda",
                                  "tensor_numel", "tensor_item", "tensor_print"])
def test_one_tensor_commands_bad_input(tcl, name):
    t = tcl.eval("torch::tensor_create {1.0}")
    assert tcl.error_detail(f"torch::{name} nope") == "Invalid tensor name: nope"
    assert tcl.error_detail(f"torch::{name} -input nope") == "Invalid tensor name: nope"
    assert tcl.error(f"torch::{name}") == f"Wrong number of arguments (wrong # args). Usage: torch::{name} tensor"
    assert tcl.error_detail(f"torch::{name} {t} extra") == f"Wrong number of arguments (wrong # args). Usage: torch::{name} tensor"
    assert tcl.error_detail(f"torch::{name} -tensor") == "Missing value for parameter: -tensor. Named parameters must come in pairs"
    assert tcl.error_detail(f"torch::{name} -bogus {t}") == "Unknown parameter: -bogus. Valid parameters: -tensor -input"
    assert tcl.error(f"torch::{name} -tensor {t} -input {t}") == \
        "Parameter given twice: -input (also as -tensor)"
    tcl.eval(f"torch::tensor_free {t}")
    assert tcl.error_detail(f"torch::{name} {t}") == f"Invalid tensor name: {t}"


def test_free_and_count_still_work(tcl):
    before = int(tcl.eval("torch::tensor_count"))
    a, b = tcl.eval("torch::tensor_create {1}"), tcl.eval("torch::tensor_create {2}")
    assert int(tcl.eval("torch::tensorCount")) == before + 2
    tcl.eval(f"torch::tensor_free {a} {b} {a}")
    assert int(tcl.eval("torch::tensor_count")) == before
    assert tcl.eval("torch::tensor_to_list [torch::tensor_create {1.5 2}]") == "1.5 2.0"
