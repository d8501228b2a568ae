"""Tensor creation (zeros, ones, empty, full, eye, arange, linspace, logspace and the
*_like commands): values against torch called directly, the positional, named and
camelCase forms, the extension's positional dtype forms, and bad input as clear errors."""

import numpy as np
import pytest
import torch

from tests.tclsession import TORCH

DTYPES = list(TORCH)


def tensor(tcl, script):
    """The tensor a creation call returns (the test runs in the interpreter's process)."""
    return tcl.engine.tensor(tcl.eval(script))


def same(actual, expected):
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert torch.equal(actual, expected), (actual, expected)


# ---- zeros, ones, empty, full ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("call, expected", [
    ("torch::zeros {2 3} %s", lambda d: torch.zeros(2, 3, dtype=d)),
    ("torch::ones -shape {2 3} -dtype %s", lambda d: torch.ones(2, 3, dtype=d)),
    ("torch::full {2 3} 1 %s cpu 0", lambda d: torch.full((2, 3), 1, dtype=d)),
    ("torch::full -shape {4} -value 0 -dtype %s -requiresGrad false", lambda d: torch.full((4,), 0, dtype=d)),
    ("torch::eye 3 %s", lambda d: torch.eye(3, dtype=d)),
    ("torch::eye 2 4 %s cpu", lambda d: torch.eye(2, 4, dtype=d)),
    ("torch::eye -n 3 -m 1 -dtype %s", lambda d: torch.eye(3, 1, dtype=d)),
])
def test_filled_match_torch(tcl, call, expected, dtype):
    same(tensor(tcl, call % dtype), expected(TORCH[dtype]))


@pytest.mark.parametrize("call", ["torch::empty {2 0 3} int32", "torch::Empty -shape {2 0 3} -dtype int32",
                                  "torch::empty_like [torch::zeros {2 0 3} int32]"])
def test_empty_has_the_shape_and_dtype(tcl, call):
    t = tensor(tcl, call)
    assert t.shape == (2, 0, 3) and t.dtype == torch.int32


@pytest.mark.parametrize("on, off", [
    ("torch::zeros {2} float32 cpu 1", "torch::zeros {2} float32 cpu 0"),
    ("torch::ones -shape {2} -requiresGrad 1", "torch::ones -shape {2}"),
    ("torch::empty {2} -requires_grad yes", "torch::empty {2} -requires_grad no"),
    ("torch::full {2} 3.5 float64 cpu true", "torch::full {2} 3.5 float64 cpu"),
    ("torch::eye 2 float32 cpu 1", "torch::eye 2 float32 cpu"),
    ("torch::eye -n 2 -requiresGrad 1", "torch::eye -n 2 -requiresGrad 0"),
    ("torch::zeros_like [torch::ones {2}] -requiresGrad 1", "torch::zeros_like [torch::ones {2}]"),
    ("torch::full_like -input [torch::ones {2}] -value 2 -requiresGrad true", "torch::full_like [torch::ones {2}] 2"),
    ("torch::tensor_create {1 2} -requiresGrad 1", "torch::tensor_create {1 2}")])
def test_requires_grad(tcl, on, off):
    assert tensor(tcl, on).requires_grad and not tensor(tcl, off).requires_grad


def test_full_value_is_converted_to_the_dtype(tcl):
    same(tensor(tcl, "torch::full {3} 2.75 int32"), torch.full((3,), 2.75).to(torch.int32))
    same(tensor(tcl, "torch::full {2} -1"), torch.full((2,), -1.0))


# ---- eye, arange, linspace, logspace ----

@pytest.mark.parametrize("call, expected", [
    ("torch::arange 5", torch.arange(5)),
    ("torch::arange 3 int32", torch.arange(3, dtype=torch.int32)),
    ("torch::arange 2 8", torch.arange(2, 8)),
    ("torch::arange 1 6 2", torch.arange(1, 6, 2)),
    ("torch::arange 1 6 float64", torch.arange(1, 6, dtype=torch.float64)),
    ("torch::arange 1 6 1 float64 cpu", torch.arange(1, 6, 1, dtype=torch.float64)),
    ("torch::arange 0 1 0.25", torch.arange(0, 1, 0.25)),
    ("torch::arange 5 0 -1.5 float64", torch.arange(5, 0, -1.5, dtype=torch.float64)),
    ("torch::arange -end 3 -dtype int32", torch.arange(3, dtype=torch.int32)),
    ("torch::arange -dtype float32 -end 3 -start 0 -step 1", torch.arange(0, 3, 1, dtype=torch.float32)),
    ("torch::arange 1 4 -dtype float64 -device cpu", torch.arange(1, 4, dtype=torch.float64)),
    ("torch::linspace 0 10 5", torch.linspace(0, 10, 5)),
    ("torch::linspace 1 5 4 float64", torch.linspace(1, 5, 4, dtype=torch.float64)),
    ("torch::linspace 0 1 10 float32 cpu", torch.linspace(0, 1, 10)),
    ("torch::linspace -dtype float64 -start 2 -end 8 -steps 6 -device cpu", torch.linspace(2, 8, 6, dtype=torch.float64)),
    ("torch::linspace 0 9 4 int32", torch.linspace(0, 9, 4, dtype=torch.int32)),
    ("torch::linspace 0 1 0", torch.linspace(0, 1, 0)),
    ("torch::logspace 0 2 3", torch.logspace(0, 2, 3)),
    ("torch::logspace 0 3 4 2", torch.logspace(0, 3, 4, 2)),
    ("torch::logspace 0 3 4 float64", torch.logspace(0, 3, 4, dtype=torch.float64)),
    ("torch::logspace 0 3 4 2 float64 cpu", torch.logspace(0, 3, 4, 2, dtype=torch.float64)),
    ("torch::logspace -start -1 -end 1 -steps 3 -base 2.5", torch.logspace(-1, 1, 3, 2.5)),
])
def test_ranges_match_torch(tcl, call, expected):
    same(tensor(tcl, call), expected)


@pytest.mark.parametrize("snake, camel", [
    ("zeros_like {t}", "zerosLike {t}"), ("ones_like {t} float64", "onesLike -input {t} -dtype float64"),
    ("full_like {t} 7", "fullLike -input {t} -value 7"), ("eye 3 2", "eye -m 2 -n 3"),
    ("linspace 0 1 3", "linspace -steps 3 -end 1 -start 0")])
def test_forms_and_camel_case_agree(tcl, snake, camel):
    t = tcl.create(np.arange(6).reshape(2, 3), "int32")
    same(tensor(tcl, f"torch::{camel.format(t=t)}"), tensor(tcl, f"torch::{snake.format(t=t)}"))


# ---- shaped like another tensor ----

@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "bfloat16"])  # (numpy has no bfloat16)
@pytest.mark.parametrize("name, factory", [
    ("zeros_like", lambda x, **kw: torch.zeros_like(x, **kw)), ("ones_like", lambda x, **kw: torch.ones_like(x, **kw)),
    ("full_like", lambda x, **kw: torch.full_like(x, 1, **kw))])
def test_like_takes_the_input_shape_and_dtype(tcl, name, factory, dtype):
    x = torch.arange(6).reshape(3, 1, 2).to(TORCH[dtype])
    t = tcl.create(x.numpy(), dtype)
    value = " 1" if name == "full_like" else ""
    same(tensor(tcl, f"torch::{name} {t}{value}"), factory(x))
    same(tensor(tcl, f"torch::{name} {t}{value} float64 cpu"), factory(x, dtype=torch.float64))
    named = "-value 1 " if name == "full_like" else ""
    same(tensor(tcl, f"torch::{name} -dtype int64 {named}-input {t}"), factory(x, dtype=torch.int64))
    same(tensor(tcl, f"torch::{name} -tensor {t} {named}-device cpu"), factory(x))


def test_full_like_value(tcl):
    x = torch.zeros(2, 2, dtype=torch.float64)
    t = tcl.create(x.numpy(), "float64")
    same(tensor(tcl, f"torch::full_like {t} 3.14"), torch.full_like(x, 3.14))
    same(tensor(tcl, f"torch::full_like {t} 2.5 int32"), torch.full_like(x, 2.5, dtype=torch.int32))


# ---- bad input: each a clear error ----

@pytest.mark.parametrize("call, message", [
    ("torch::eye -m 3", "Required parameters missing: -n"),
    ("torch::eye 3 -dtype bad", 'Invalid dtype: expected one of float32'),
    ("torch::eye 3 bad", 'Invalid dtype: expected one of float32'),
    ("torch::eye -1", "Invalid n: must not be negative, got -1"),
    ("torch::eye 2 -3", "Invalid m: must not be negative, got -3"),
    ("torch::eye 2.5", 'Invalid n: expected integer, got "2.5"'),
    ("torch::eye 2 int32 cpu 1", "Invalid requires_grad: only floating-point tensors can require gradients"),
    ("torch::full -shape {2 2} -dtype float32", "Required parameters missing: -value"),
    ("torch::full -shape {2 2} -value 1 -dtype bad", "Invalid dtype: expected one of float32"),
    ("torch::full {2} 1 int64 cpu 1", "Invalid requires_grad: only floating-point tensors can require gradients"),
    ("torch::full {2} 1 float32 cpu maybe", 'Invalid requiresGrad: expected boolean, got "maybe"'),
    ("torch::full {2} 300 uint8", "full: value cannot be converted to type uint8_t without overflow"),
    ("torch::zeros {2} -requiresGrad maybe", 'Invalid requiresGrad: expected boolean, got "maybe"'),
    ("torch::arange 3 int99", "Invalid dtype: expected one of float32"),
    ("torch::arange 0 5 0", "Invalid step: must not be zero"),
    ("torch::arange 0 5 -1", "arange: upper bound and lower bound inconsistent with step sign"),
    ("torch::arange -start 1", "Required parameters missing: -end"),
    ("torch::arange 0 Inf", "arange: unsupported range: 0 -> inf"),  # a number word, not a dtype
    ("torch::arange 1 2 1 float32 tpu", 'Invalid device: expected cpu, cuda or cuda:<index>, got "tpu"'),
    ("torch::linspace -start 0 -end 10", "Required parameters missing: -steps"),
    ("torch::linspace 0 10 -2", "Invalid steps: must not be negative, got -2"),
    ("torch::linspace 0 10 2.5", 'Invalid steps: expected integer, got "2.5"'),
    ("torch::linspace -invalid 5", "Unknown parameter: -invalid. Valid parameters: -start -end -steps -dtype -device"),
    ("torch::linspace -start", "Missing value for parameter: -start. Named parameters must come in pairs"),
    ("torch::linspace 0 1", "Wrong number of arguments (wrong # args). Usage: torch::linspace start end steps ?dtype? ?device?"),
    ("torch::logspace 0 1 3 x", "Invalid dtype: expected one of float32"),
    ("torch::logspace 0 1 3 -base two", 'Invalid base: expected number, got "two"'),
    ("torch::logspace 0 1 3 10 float32 cpu extra", "Wrong number of arguments (wrong # args). Usage: torch::logspace start end "
                                                   "steps ?base? ?dtype? ?device?"),
    ("torch::zeros_like nosuch", "Invalid tensor name: nosuch"),
    ("torch::ones_like -input nosuch", "Invalid tensor name: nosuch"),
    ("torch::empty_like", "Wrong number of arguments (wrong # args). Usage: torch::empty_like input ?dtype? ?device?"),
    ("torch::emptyLike -dtype float32", "Required parameters missing: -input"),
    ("torch::full_like -value 1.0", "Required parameters missing: -input"),
    ("torch::zeros_like [torch::ones {2}] float32 cpu extra", "Wrong number of arguments (wrong # args). Usage: "
                                                               "torch::zeros_like input ?dtype? ?device?"),
    ("torch::full_like [torch::ones {2}]", "Wrong number of arguments (wrong # args). Usage: torch::full_like input value "
                                           "?dtype? ?device?"),
    ("torch::full_like [torch::ones {2}] abc", 'Invalid value: expected number, got "abc"'),
    ("torch::ones_like [torch::ones {2}] -bad 1", "Unknown parameter: -bad. Valid parameters: -input -tensor -dtype "
                                                   "-device -requiresGrad -requires_grad"),
    ("torch::ones_like [torch::ones {2}] -dtype", "Missing value for parameter: -dtype. Named parameters must come in pairs"),
    ("torch::ones_like [torch::ones {2}] bad", "Invalid dtype: expected one of float32"),
    ("torch::ones_like [torch::ones {2}] float32 tpu", 'Invalid device: expected cpu, cuda or cuda:<index>, got "tpu"'),
    ("torch::zeros_like -input [torch::ones {2}] -requiresGrad invalid",
     'Invalid requiresGrad: expected boolean, got "invalid"'),
    ("torch::zeros_like [torch::ones {2} int32] -requiresGrad 1",
     "Invalid requires_grad: only floating-point tensors can require gradients"),
])
def test_bad_input_is_a_clear_error(tcl, call, message):
    assert tcl.error_detail(call).startswith(message)


@pytest.mark.parametrize("call, message", [
    ("torch::eye 10000000000", "eye: a tensor of shape {10000000000 10000000000} has too many elements"),
    ("torch::eye 100000000", "eye: a tensor of shape {100000000 100000000} (float32) needs 35.5 PiB of memory"),
    ("torch::linspace 0 1 100000000000000000 float64", "linspace: a tensor of shape {100000000000000000} "
                                                       "(float64) needs 710.5 PiB of memory"),
])
def test_too_big_is_a_clear_error(tcl, call, message):
    assert tcl.error(call).startswith(message)
