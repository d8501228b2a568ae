"""Routing and indexing (argmax, argmin, argsort, sort, topk, bincount, nonzero,
index_select, index_add, tensor_clone, tensor_cat) and matmul: values against torch
called directly, every form of call, bad input as clear errors; and
examples/moe_routing.tcl at 1 to 4 ranks against the same routing done in numpy."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.tclsession import TORCH, shown, torch_of

ROOT = Path(__file__).resolve().parent.parent
MPIRUN = str(Path(sys.executable).parent / "mpirun")
NUMBERS = ["float32", "float64", "int32", "int64"]

# Distinct values (no ties: every order is unique); TIES has repeated values.
DISTINCT = np.array([[3, -7, 12, 0, 5], [9, 1, -2, 14, -11], [6, 13, -5, 2, 8]])
TIES = np.array([[2, 1, 2, 0, 1, 2], [0, 0, 3, 3, 1, 0]])


def handles(tcl, text):
    return tcl.tk.splitlist(text)


def same(tcl, handle, expected):
    """The handle's tensor equals the torch tensor ``expected``: dtype, shape, values."""
    dtype = str(expected.dtype).removeprefix("torch.")
    display = {"uint8": "UInt8"}.get(dtype, dtype.capitalize())
    assert tcl.eval(f"torch::tensor_dtype {handle}") == display
    np.testing.assert_array_equal(tcl.read(handle, dtype), expected.numpy())


# ---- argmax, argmin ----

@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", NUMBERS + ["int8", "uint8"])
def test_argmax_and_argmin_match_torch(tcl, name, dtype):
    values = DISTINCT if dtype != "uint8" else DISTINCT + 11
    t, x, function = tcl.create(values, dtype), torch_of(values, dtype), getattr(torch, name)
    same(tcl, tcl.eval(f"torch::{name} {t}"), function(x))  # over all elements: a 0-d index
    assert tcl.eval(f"torch::tensor_shape [torch::{name} {t}]") == ""
    for dim in (0, 1, -1, -2):
        same(tcl, tcl.eval(f"torch::{name} {t} {dim}"), function(x, dim))
        same(tcl, tcl.eval(f"torch::{name} {t} {dim} 1"), function(x, dim, keepdim=True))
        same(tcl, tcl.eval(f"torch::{name} -input {t} -dim {dim} -keepdim true"), function(x, dim, keepdim=True))
        same(tcl, tcl.eval(f"torch::{name} -tensor {t} -dim {dim}"), function(x, dim))
        same(tcl, tcl.eval(f"torch::{name} {t} -dim {dim}"), function(x, dim))
    same(tcl, tcl.eval(f"torch::{name} -tensor {t} -keepdim 1"), function(x, None, True))
    same(tcl, tcl.eval(f"torch::{name} -input {t}"), function(x))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_and_argmin_of_ties_take_the_first(tcl, name):
    t = tcl.create(TIES, "float32")
    x = torch_of(TIES, "float32")
    function = getattr(torch, name)
    same(tcl, tcl.eval(f"torch::{name} {t} 1"), function(x, 1))
    same(tcl, tcl.eval(f"torch::{name} {t}"), function(x))
    assert tcl.eval(f"torch::tensor_to_list [torch::{name} {t} 1]") == ("0 2" if name == "argmax" else "3 0")


def test_argmax_of_a_0_dimensional_and_a_3_dimensional_tensor(tcl):
    assert tcl.eval("torch::tensor_to_list [torch::argmax [torch::full {} 4]]") == "0"
    assert tcl.eval("torch::tensor_to_list [torch::argmax [torch::full {} 4] 0]") == "0"
    values = np.arange(24).reshape(2, 3, 4) % 7
    t, x = tcl.create(values, "int64"), torch_of(values, "int64")
    for dim in (0, 1, 2):
        same(tcl, tcl.eval(f"torch::argmax {t} {dim}"), torch.argmax(x, dim))
        same(tcl, tcl.eval(f"torch::argmin {t} {dim} 1"), torch.argmin(x, dim, keepdim=True))
    # Over a dimension of size 0 elsewhere: empty, as in torch.
    same(tcl, tcl.eval("torch::argmax [torch::zeros {0 3}] 1"), torch.argmax(torch.zeros(0, 3), 1))


# ---- argsort, sort ----

@pytest.mark.parametrize("dtype", NUMBERS + ["int16"])
def test_argsort_matches_torch(tcl, dtype):
    t, x = tcl.create(DISTINCT, dtype), torch_of(DISTINCT, dtype)
    same(tcl, tcl.eval(f"torch::argsort {t}"), torch.argsort(x))
    for dim in (0, 1, -1):
        for descending in (0, 1):
            expected = torch.argsort(x, dim=dim, descending=bool(descending))
            same(tcl, tcl.eval(f"torch::argsort {t} {dim} {descending}"), expected)
            same(tcl, tcl.eval(f"torch::argsort -input {t} -dim {dim} -descending {descending}"), expected)
            same(tcl, tcl.eval(f"torch::argsort {t} -descending {descending} -dim {dim} -stable 1"), expected)


@pytest.mark.parametrize("dtype", NUMBERS)
def test_a_stable_argsort_keeps_equal_elements_in_order(tcl, dtype):
    t, x = tcl.create(TIES, dtype), torch_of(TIES, dtype)
    for dim in (0, 1):
        for descending in (False, True):
            expected = torch.argsort(x, dim=dim, descending=descending, stable=True)
            same(tcl, tcl.eval(f"torch::argsort {t} {dim} {int(descending)} 1"), expected)
            same(tcl, tcl.eval(f"torch::argsort -tensor {t} -dim {dim} -descending {int(descending)} -stable yes"),
                 expected)
    assert tcl.eval(f"torch::tensor_to_list [torch::argsort {t} 1 0 1]") == "3 1 4 0 2 5 0 1 5 4 2 3"


@pytest.mark.parametrize("dtype", NUMBERS)
def test_sort_gives_values_and_indices(tcl, dtype):
    t, x = tcl.create(DISTINCT, dtype), torch_of(DISTINCT, dtype)
    for call, (dim, descending) in [(f"torch::sort {t}", (-1, False)),
                                    (f"torch::sort {t} 0", (0, False)),
                                    (f"torch::sort {t} 1 1", (1, True)),
                                    (f"torch::sort -input {t} -dim 0 -descending 1", (0, True)),
                                    (f"torch::sort {t} -descending true", (-1, True))]:
        pair = handles(tcl, tcl.eval(call))
        assert len(pair) == 2
        values, indices = torch.sort(x, dim=dim, descending=descending)
        same(tcl, pair[0], values)
        same(tcl, pair[1], indices)
    t, x = tcl.create(TIES, dtype), torch_of(TIES, dtype)
    for descending in (0, 1):
        values, indices = handles(tcl, tcl.eval(f"torch::sort -tensor {t} -descending {descending} -stable 1"))
        expected = torch.sort(x, descending=bool(descending), stable=True)
        same(tcl, values, expected.values)
        same(tcl, indices, expected.indices)


def test_sort_and_argsort_of_bool_and_0_dimensional_tensors(tcl):
    flags = np.array([True, False, True, False])
    t = tcl.create(flags, "bool")
    same(tcl, tcl.eval(f"torch::argsort {t} 0 0 1"), torch.argsort(torch.tensor(flags), stable=True))
    values, indices = handles(tcl, tcl.eval("torch::sort [torch::full {} 3]"))
    assert (tcl.eval(f"torch::tensor_to_list {values}"), tcl.eval(f"torch::tensor_to_list {indices}")) == ("3.0", "0")


# ---- topk ----

@pytest.mark.parametrize("dtype", NUMBERS + ["int8"])
def test_topk_matches_torch(tcl, dtype):
    t, x = tcl.create(DISTINCT, dtype), torch_of(DISTINCT, dtype)
    for call, (k, dim, largest) in [(f"torch::topk {t} 2", (2, -1, True)),
                                    (f"torch::topk {t} 3 1 0", (3, 1, False)),
                                    (f"torch::topk {t} 2 0", (2, 0, True)),
                                    (f"torch::topk {t} 0", (0, -1, True)),
                                    (f"torch::topk {t} 5", (5, -1, True)),
                                    (f"torch::topk -input {t} -k 1 -dim 0 -largest 0", (1, 0, False)),
                                    (f"torch::topk {t} 4 -largest false -sorted 1", (4, -1, False))]:
        pair = handles(tcl, tcl.eval(call))
        assert len(pair) == 2
        expected = torch.topk(x, k, dim, largest, True)
        same(tcl, pair[0], expected.values)
        same(tcl, pair[1], expected.indices)


def test_topk_unsorted_holds_the_same_elements(tcl):
    t, x = tcl.create(DISTINCT, "float64"), torch_of(DISTINCT, "float64")
    values, indices = handles(tcl, tcl.eval(f"torch::topk -tensor {t} -k 3 -sorted 0"))
    expected = torch.topk(x, 3, sorted=True)
    got_values, got_indices = tcl.read(values, "float64"), tcl.read(indices, "int64")
    order = np.argsort(-got_values, axis=1)
    np.testing.assert_array_equal(np.take_along_axis(got_values, order, 1), expected.values.numpy())
    np.testing.assert_array_equal(np.take_along_axis(got_indices, order, 1), expected.indices.numpy())
    np.testing.assert_array_equal(np.take_along_axis(DISTINCT, got_indices, 1), got_values)


# ---- bincount ----

@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
def test_bincount_counts_like_torch(tcl, dtype):
    values = np.array([1, 4, 1, 0, 4, 4, 7])
    t, x = tcl.create(values, dtype), torch_of(values, dtype)
    same(tcl, tcl.eval(f"torch::bincount {t}"), torch.bincount(x))
    same(tcl, tcl.eval(f"torch::bincount {t} -minlength 12"), torch.bincount(x, minlength=12))
    same(tcl, tcl.eval(f"torch::bincount -input {t} -minlength 3"), torch.bincount(x, minlength=3))
    same(tcl, tcl.eval(f"torch::bincount -tensor {t}"), torch.bincount(x))
    # No values: zeros of minlength.
    same(tcl, tcl.eval(f"torch::bincount [torch::tensor_create {{}} {{0}} {dtype}] -minlength 3"),
         torch.bincount(torch.tensor([], dtype=TORCH[dtype]), minlength=3))


@pytest.mark.parametrize("weights_dtype", NUMBERS)
def test_bincount_sums_weights_like_torch(tcl, weights_dtype):
    values, weights = np.array([2, 0, 2, 5]), np.array([1.5, -2, 4, 8])
    if weights_dtype.startswith("int"):
        weights = np.array([3, -2, 4, 8])
    t, w = tcl.create(values, "int64"), tcl.create(weights, weights_dtype)
    x, y = torch_of(values, "int64"), torch_of(weights, weights_dtype)
    same(tcl, tcl.eval(f"torch::bincount {t} -weights {w}"), torch.bincount(x, y))
    same(tcl, tcl.eval(f"torch::bincount -weights {w} -input {t} -minlength 8"), torch.bincount(x, y, 8))
    same(tcl, tcl.eval(f"torch::bincount {t} -weights {{}}"), torch.bincount(x))  # empty: not given


# ---- nonzero ----

@pytest.mark.parametrize("dtype", NUMBERS + ["bool"])
def test_nonzero_matches_torch(tcl, dtype):
    values = np.array([[0, 3, 0], [-2, 0, 1]]) if dtype != "bool" else np.array([[0, 1, 0], [1, 0, 1]])
    t, x = tcl.create(values, dtype), torch_of(values, dtype)
    same(tcl, tcl.eval(f"torch::nonzero {t}"), torch.nonzero(x))
    same(tcl, tcl.eval(f"torch::nonzero -input {t}"), torch.nonzero(x))
    same(tcl, tcl.eval(f"torch::nonzero -tensor {t}"), torch.nonzero(x))
    assert tcl.eval(f"torch::tensor_shape [torch::nonzero {t}]") == "3 2"


def test_nonzero_of_other_shapes(tcl):
    cube = (np.arange(24).reshape(2, 3, 4) % 5 == 0).astype(np.float32)
    same(tcl, tcl.eval(f"torch::nonzero {tcl.create(cube, 'float32')}"), torch.nonzero(torch.tensor(cube)))
    assert tcl.eval("torch::tensor_shape [torch::nonzero [torch::zeros {4}]]") == "0 1"
    assert tcl.eval("torch::tensor_shape [torch::nonzero [torch::full {} 2]]") == "1 0"


# ---- index_select, index_add ----

@pytest.mark.parametrize("dtype", NUMBERS)
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_index_select_matches_torch(tcl, dtype, index_dtype):
    t, x = tcl.create(DISTINCT, dtype), torch_of(DISTINCT, dtype)
    for dim, positions in [(0, [2, 0, 2]), (1, [4, 1]), (-1, [0]), (0, [])]:
        index = tcl.create(np.array(positions, dtype=np.int64), index_dtype) if positions else \
            tcl.eval(f"torch::tensor_create {{}} {{0}} {index_dtype}")
        expected = torch.index_select(x, dim, torch.tensor(positions, dtype=TORCH[index_dtype]))
        same(tcl, tcl.eval(f"torch::index_select {t} {dim} {index}"), expected)
        same(tcl, tcl.eval(f"torch::index_select -input {t} -dim {dim} -index {index}"), expected)
        same(tcl, tcl.eval(f"torch::indexSelect -index {index} -tensor {t} -dim {dim}"), expected)
        same(tcl, tcl.eval(f"torch::indexSelect {t} {dim} {index}"), expected)


@pytest.mark.parametrize("dtype", NUMBERS)
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_index_add_matches_torch_and_leaves_its_input(tcl, dtype, index_dtype):
    base, source = np.arange(12).reshape(3, 4), np.array([[1, 2, 3, 4], [10, 20, 30, 40], [5, 5, 5, 5]])
    t, s = tcl.create(base, dtype), tcl.create(source, dtype)
    index = tcl.create(np.array([2, 0, 2]), index_dtype)  # repeated: both rows are added
    x, y, i = torch_of(base, dtype), torch_of(source, dtype), torch_of([2, 0, 2], index_dtype)
    expected = torch.index_add(x, 0, i, y)
    for call in (f"torch::index_add {t} 0 {index} {s}", f"torch::indexAdd {t} 0 {index} {s}",
                 f"torch::index_add -input {t} -dim 0 -index {index} -source {s}",
                 f"torch::indexAdd -source {s} -index {index} -dim 0 -tensor {t}"):
        same(tcl, tcl.eval(call), expected)
    same(tcl, t, x)  # out of place: the input is unchanged
    columns = tcl.create(np.array([3, 1, 3]), index_dtype)
    y = torch_of(source[:, :3], dtype)
    s = tcl.create(source[:, :3], dtype)
    same(tcl, tcl.eval(f"torch::index_add {t} -1 {columns} {s}"),
         torch.index_add(x, -1, torch_of([3, 1, 3], index_dtype), y))


def test_index_add_of_bool_and_0_dimensional_tensors(tcl):
    flags = tcl.create(np.array([False, False, True]), "bool")
    added = tcl.eval(f"torch::index_add {flags} 0 [torch::tensor_create {{0}} int64] "
                     "[torch::tensor_create {1} {} bool]")
    assert tcl.eval(f"torch::tensor_to_list {added}") == "1 0 1"
    scalar = tcl.eval("torch::index_add [torch::full {} 3] 0 [torch::tensor_create {0} int64] [torch::full {} 4]")
    assert (tcl.eval(f"torch::tensor_shape {scalar}"), tcl.eval(f"torch::tensor_to_list {scalar}")) == ("", "7.0")


# ---- tensor_clone, tensor_cat ----

@pytest.mark.parametrize("dtype", NUMBERS + ["bool", "uint8"])
def test_tensor_clone_is_an_equal_tensor_with_its_own_memory(tcl, dtype):
    values = DISTINCT % 2 if dtype in ("bool", "uint8") else DISTINCT
    t = tcl.create(values, dtype)
    for call in (f"torch::tensor_clone {t}", f"torch::tensorClone {t}", f"torch::tensor_clone -input {t}",
                 f"torch::tensorClone -tensor {t}"):
        clone = tcl.eval(call)
        assert clone != t
        same(tcl, clone, torch.clone(torch_of(values, dtype)))
        assert tcl.engine.tensor(clone).data_ptr() != tcl.engine.tensor(t).data_ptr()


@pytest.mark.parametrize("dtype", NUMBERS)
def test_tensor_cat_matches_torch(tcl, dtype):
    a, b, c = DISTINCT, DISTINCT[:2] * 2, np.array([[1, 2], [3, 4], [5, 6]])
    ha, hb, hc = (tcl.create(v, dtype) for v in (a, b, c))
    xa, xb, xc = (torch_of(v, dtype) for v in (a, b, c))
    same(tcl, tcl.eval(f"torch::tensor_cat [list {ha} {hb}] 0"), torch.cat([xa, xb], 0))
    same(tcl, tcl.eval(f"torch::tensor_cat {{{ha} {hc} {ha}}} 1"), torch.cat([xa, xc, xa], 1))
    same(tcl, tcl.eval(f"torch::tensorCat [list {ha} {hc}] -1"), torch.cat([xa, xc], -1))
    same(tcl, tcl.eval(f"torch::tensor_cat -tensors [list {hb} {ha}] -dim 0"), torch.cat([xb, xa], 0))
    same(tcl, tcl.eval(f"torch::tensorCat -dim -2 -tensors [list {ha}]"), torch.cat([xa], -2))
    same(tcl, tcl.eval(f"torch::tensor_cat {ha} 0"), xa)  # a list of one handle


def test_tensor_cat_promotes_mixed_dtypes_as_torch(tcl):
    i, f = tcl.create(np.array([1, 2]), "int32"), tcl.create(np.array([0.5]), "float64")
    same(tcl, tcl.eval(f"torch::tensor_cat [list {i} {f}] 0"),
         torch.cat([torch.tensor([1, 2], dtype=torch.int32), torch.tensor([0.5], dtype=torch.float64)]))


# ---- matmul ----

@pytest.mark.parametrize("dtype", NUMBERS)
def test_matmul_matches_torch(tcl, dtype):
    rng = np.random.default_rng(3)
    shapes = [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((4,), (4,)), ((2, 2, 3), (3, 5)),
              ((2, 1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 1))]
    for left, right in shapes:
        a, b = rng.integers(-5, 6, size=left), rng.integers(-5, 6, size=right)
        ha, hb = tcl.create(a, dtype), tcl.create(b, dtype)
        expected = torch.matmul(torch_of(a, dtype), torch_of(b, dtype))
        same(tcl, tcl.eval(f"torch::matmul {ha} {hb}"), expected)
        same(tcl, tcl.eval(f"torch::matmul -input {ha} -other {hb}"), expected)
        same(tcl, tcl.eval(f"torch::matmul -b {hb} -a {ha}"), expected)


# ---- the family in torch::help ----

def test_help_lists_the_routing_family(tcl):
    text = tcl.eval("torch::help")
    family = text.split("Tensor routing:\n", 1)[1].split(":\n")[0]
    listed = re.findall(r"^  torch::(\w+)", family, re.M)
    assert listed[:10] == ["argmax", "argmin", "argsort", "sort", "topk", "bincount", "nonzero", "index_select",
                           "index_add", "tensor_clone"]
    assert "torch::tensor_cat " in text.split("Shape, layout and indexing:\n", 1)[1]
    assert "torch::matmul " in text.split("Linear algebra:\n", 1)[1]
    assert tcl.eval("torch::help torch::indexAdd").splitlines()[:5] == [
        "torch::index_add - A copy of tensor with source's entries added at the given indices",
        "Positional:", "  torch::index_add tensor dim index source", "Named:",
        "  torch::index_add -tensor tensor -dim dim -index index -source source"]
    assert "  torch::bincount tensor ?-weights weights? ?-minlength minlength?" in \
        tcl.eval("torch::help bincount").splitlines()


# ---- bad input: each a clear Tcl error ----

SETUP = """
set m [torch::tensor_create {{1 5 3} {7 2 2}}]
set i [torch::tensor_create {0 2 2} int64]
set flags [torch::tensor_create {1 0} {} bool]
set z [torch::tensor_create {1+1j 2} {} complex64]
"""

ERRORS = [
    # argmax, argmin
    ("torch::argmax $m 2", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::argmin $m -3", "Invalid dim: -3 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::argmax [torch::full {} 1] 1", "Invalid dim: 1 is out of range for a 0-dimensional tensor (expected -1 .. 0)"),
    ("torch::argmax [torch::zeros {0}]", "argmax: the tensor has no elements, so there is none to choose"),
    ("torch::argmin [torch::zeros {2 0}] 1", "argmin: dimension 1 has size 0, so there is no element to choose"),
    ("torch::argmax $m x", 'Invalid dim: expected integer, got "x"'),
    ("torch::argmax $m 0 maybe", 'Invalid keepdim: expected boolean, got "maybe"'),
    ("torch::argmax $flags", "argmax: argmax(): does not support bool input"),
    ("torch::argmax -input $m -axis 0", "Unknown parameter: -axis. Valid parameters: -tensor -input -dim -keepdim"),
    ("torch::argmin", "Wrong number of arguments (wrong # args). Usage: torch::argmin tensor ?dim? ?keepdim?"),
    ("torch::argmax nope", "Invalid tensor name: nope"),
    # argsort, sort
    ("torch::argsort $m 2", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::sort $m -3 1", "Invalid dim: -3 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::argsort $m 0 up", 'Invalid descending: expected boolean, got "up"'),
    ("torch::sort $m 0 0 often", 'Invalid stable: expected boolean, got "often"'),
    ("torch::sort $z", "sort: Sort does not support complex dtypes on CPU"),
    ("torch::argsort -dim 0", "Required parameters missing: -tensor"),
    # topk
    ("torch::topk $m 4", "Invalid k: expected 0 .. 3 (the size of dimension -1), got 4"),
    ("torch::topk $m 3 0", "Invalid k: expected 0 .. 2 (the size of dimension 0), got 3"),
    ("torch::topk $m -1", "Invalid k: expected 0 .. 3 (the size of dimension -1), got -1"),
    ("torch::topk $m 1 2", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::topk $m", "Wrong number of arguments (wrong # args). Usage: torch::topk tensor k ?dim? ?largest? ?sorted?"),
    ("torch::topk -input $m", "Required parameters missing: -k"),
    ("torch::topk $flags 1", "topk: topk does not support bool dtypes on CPU"),
    # bincount
    ("torch::bincount $m", "Invalid tensor: bincount counts integers, got a Float32 tensor; "
                           "convert it with torch::tensor_to"),
    ("torch::bincount $flags", "Invalid tensor: bincount counts integers, got a Bool tensor; "
                               "convert it with torch::tensor_to"),
    ("torch::bincount [torch::tensor_create {3 -1} int32]",
     "Invalid tensor: bincount counts non-negative integers, got -1"),
    ("torch::bincount [torch::tensor_create {{1 2} {3 4}} int64]",
     "Invalid tensor: bincount needs a 1-dimensional tensor, got shape {2 2}"),
    ("torch::bincount $i -weights [torch::ones {2}]",
     "Invalid weights: expected a 1-dimensional tensor of 3 elements (one per element of tensor), got shape {2}"),
    ("torch::bincount $i -weights [torch::tensor_create {1 2 3} {} complex64]",
     "Invalid weights: expected real numbers, got Complex64"),
    ("torch::bincount $i -weights nope", "Invalid tensor name: nope"),
    ("torch::bincount $i -minlength -2", "Invalid minlength: must not be negative, got -2"),
    ("torch::bincount $i 4", "Wrong number of arguments (wrong # args). Usage: torch::bincount tensor"),
    ("torch::bincount $i -minlength", "Missing value for parameter: -minlength. Named parameters must come in pairs"),
    # nonzero
    ("torch::nonzero nope", "Invalid tensor name: nope"),
    ("torch::nonzero $m 0", "Wrong number of arguments (wrong # args). Usage: torch::nonzero tensor"),
    # index_select
    ("torch::index_select $m 0 [torch::tensor_create {0.0}]",
     "Invalid index: expected an Int64 or Int32 tensor, got Float32; convert it with torch::tensor_to"),
    ("torch::index_select $m 0 [torch::tensor_create {0} int16]",
     "Invalid index: expected an Int64 or Int32 tensor, got Int16; convert it with torch::tensor_to"),
    ("torch::index_select $m 0 [torch::tensor_create {{0 1}} int64]",
     "Invalid index: expected a 1-dimensional tensor of indices, got shape {1 2}"),
    ("torch::index_select $m 1 [torch::tensor_create {0 3} int32]",
     "Invalid index: 3 is out of range for dimension 1 of size 3 (expected 0 .. 2)"),
    ("torch::index_select $m 0 $i", "Invalid index: 2 is out of range for dimension 0 of size 2 (expected 0 .. 1)"),
    ("torch::index_select $m 0 [torch::tensor_create {-1} int64]",
     "Invalid index: -1 is out of range for dimension 0 of size 2 (expected 0 .. 1)"),
    ("torch::index_select $m 2 $i", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::indexSelect $m 0", "Wrong number of arguments (wrong # args). Usage: torch::index_select tensor dim index"),
    # index_add
    ("torch::index_add $m 0 [torch::tensor_create {1} int64] [torch::ones {1 3} float64]",
     "Invalid source: its dtype is Float64, the tensor's Float32; convert one with torch::tensor_to"),
    ("torch::index_add $m 0 [torch::tensor_create {1} int64] [torch::ones {1 2}]",
     "Invalid source: expected shape {1 3} (the tensor's, with dimension 0 the length of index), got {1 2}"),
    ("torch::index_add $m 1 $i [torch::ones {2 2}]",
     "Invalid source: expected shape {2 3} (the tensor's, with dimension 1 the length of index), got {2 2}"),
    ("torch::index_add $m 0 $i [torch::ones {3 3}]",
     "Invalid index: 2 is out of range for dimension 0 of size 2 (expected 0 .. 1)"),
    ("torch::index_add $m 0 [torch::tensor_create {1.0}] [torch::ones {1 3}]",
     "Invalid index: expected an Int64 or Int32 tensor, got Float32; convert it with torch::tensor_to"),
    ("torch::index_add $m -3 $i [torch::ones {3 3}]",
     "Invalid dim: -3 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::index_add [torch::full {} 1] 0 [torch::tensor_create {0 0} int64] [torch::full {} 1]",
     "Invalid index: a 0-dimensional tensor takes one index, got 2"),
    ("torch::indexAdd -tensor $m -dim 0 -index $i", "Required parameters missing: -source"),
    # tensor_clone
    ("torch::tensor_clone", "Wrong number of arguments (wrong # args). Usage: torch::tensor_clone tensor"),
    ("torch::tensorClone nope", "Invalid tensor name: nope"),
    # tensor_cat
    ("torch::tensor_cat {} 0", "Invalid tensors: give at least one tensor handle"),
    ("torch::tensor_cat [list $m nope] 0", "Invalid tensor name: nope"),
    ("torch::tensor_cat [list $m [torch::full {} 1]] 0",
     "Invalid tensors: tensor 1 of the list has no dimensions (reshape it to {1} first)"),
    ("torch::tensor_cat [list $m $m] 2", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::tensor_cat [list $m [torch::ones {2 2}]] 0",
     "tensor_cat: Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list."),
    ("torch::tensor_cat [list $m $i] 0", "tensor_cat: Tensors must have same number of dimensions: got 2 and 1"),
    ("torch::tensorCat [list $m]", "Wrong number of arguments (wrong # args). Usage: torch::tensor_cat tensors dim"),
    ("torch::tensor_cat -tensors [list $m]", "Required parameters missing: -dim"),
    # matmul
    ("torch::matmul $m $m", "matmul: shapes {2 3} and {2 3} do not fit: the last dimension of input (3) "
                            "must equal the second-to-last dimension of other (2)"),
    ("torch::matmul $m [torch::ones {2}]", "matmul: shapes {2 3} and {2} do not fit: the last dimension of input (3) "
                                           "must equal the length of other (2)"),
    ("torch::matmul $m [torch::ones {3} float64]",
     "matmul: the dtypes differ (Float32 and Float64); convert one with torch::tensor_to"),
    ("torch::matmul [torch::full {} 2] $m", "matmul: both tensors need at least one dimension, got shapes {} and {2 3}"),
    ("torch::matmul [torch::ones {2 2} bool] [torch::ones {2 2} bool]",
     "matmul: Bool tensors cannot be multiplied; convert them to a number dtype first"),
    ("torch::matmul [torch::ones {2 2 3}] [torch::ones {3 3 1}]",
     "matmul: shapes {2 2 3} and {3 3 1} do not fit: their batch dimensions {2} and {3} do not broadcast"),
    ("torch::matmul -a $m", "Required parameters missing: -other"),
]


@pytest.mark.parametrize("call,message", ERRORS, ids=[call for call, _ in ERRORS])
def test_bad_input_is_a_clear_error(tcl, call, message):
    tcl.eval(SETUP)
    assert tcl.error_detail(call) == message


def test_no_handle_is_left_behind_by_an_error(tcl):
    tcl.eval(SETUP)
    before = tcl.eval("torch::tensor_count")
    for call in ("torch::topk $m 9", "torch::index_add $m 0 $i $m", "torch::bincount $m"):
        tcl.error(call)
    assert tcl.eval("torch::tensor_count") == before


# ---- examples/moe_routing.tcl ----

FEATURES = 4


def moe_expected(world):
    """Per rank: the tokens, their experts, the splits and the result of the example's
    routing, done here in numpy (integer values: every score is exact)."""
    router = np.array([[(d + 6 * e) % 7 - 3 for e in range(world)] for d in range(FEATURES)])
    tokens = {r: np.array([[(7 * r + 3 * t + 5 * d) % 11 - 5 for d in range(FEATURES)] for t in range(r + 3)])
              for r in range(world)}
    expected = {}
    for r, x in tokens.items():
        scores = x @ router
        experts = scores.argmax(axis=1)
        # No ties at these sizes: the choice does not depend on which maximum wins.
        assert world == 1 or all(sorted(row)[-1] != sorted(row)[-2] for row in scores.tolist())
        expected[r] = {"tokens": x, "experts": experts, "sends": np.bincount(experts, minlength=world),
                       "result": x * (experts[:, None] + 1)}
    for r in range(world):
        expected[r]["receives"] = np.array([expected[j]["sends"][r] for j in range(world)])
    return expected


def rows(text):
    return np.array([[float(v) for v in row.split()] for row in re.findall(r"\{([^{}]*)\}", text)])


@pytest.mark.parametrize("ranks", [1, 2, 3, 4])
def test_the_moe_example_routes_on_tensors(ranks):
    result = subprocess.run([MPIRUN, "-n", str(ranks), sys.executable, "-m", "tcltorch_mpi",
                             str(ROOT / "examples" / "moe_routing.tcl")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    shown(result.stdout, result.stderr)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr
    lines = {}
    for rank, text in re.findall(r"^rank (\d+): (.*)$", result.stdout, re.M):
        lines.setdefault(int(rank), []).append(text)
    assert sorted(lines) == list(range(ranks))
    for r, want in moe_expected(ranks).items():
        said = lines[r]
        assert len(said) == 6, said
        assert said[0].startswith("tokens ")
        np.testing.assert_array_equal(rows(said[0]), want["tokens"])
        assert said[1] == "experts " + " ".join(map(str, want["experts"]))
        assert said[2] == (f"sends {' '.join(map(str, want['sends']))} "
                           f"receives {' '.join(map(str, want['receives']))}")
        assert said[3] == f"expert {r} received {want['receives'].sum()} tokens, all routed to it: 1"
        assert said[4].startswith("result ")
        np.testing.assert_array_equal(rows(said[4]), want["result"])
        assert said[5] == "ok 1"


def test_the_moe_routing_done_by_torch_agrees_with_numpy():
    # The example's steps, in torch, on the tokens of all 4 ranks: what the example's
    # output is compared with above does not depend on numpy's choice of maximum.
    world, expected = 4, moe_expected(4)
    router = torch.tensor([[(d + 6 * e) % 7 - 3 for e in range(world)] for d in range(FEATURES)],
                          dtype=torch.float32)
    grouped = {}
    for r in range(world):
        x = torch.tensor(expected[r]["tokens"], dtype=torch.float32)
        choice = torch.argmax(torch.matmul(x, router), 1)
        np.testing.assert_array_equal(choice.numpy(), expected[r]["experts"])
        order = torch.argsort(choice, stable=True)
        grouped[r] = (torch.index_select(x, 0, order), order, torch.bincount(choice, minlength=world))
    for r in range(world):
        x, order, counts = grouped[r]
        pieces = torch.split(x, counts.tolist())
        worked = torch.cat([piece * (e + 1) for e, piece in enumerate(pieces)])
        restored = torch.index_select(worked, 0, torch.argsort(order))
        np.testing.assert_array_equal(restored.numpy(), expected[r]["result"])
