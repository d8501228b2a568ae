"""Shape, layout and indexing: every command's values against torch called directly, in
its positional, named and camelCase forms, for each dtype it takes; splits and grids as
Tcl lists of handles; bad input as clear Tcl errors."""

import numpy as np
import pytest
import torch

from tests.tclsession import TORCH

DTYPES = ["float32", "float64", "int32", "int64", "uint8", "bool"]
CUBE = np.arange(24).reshape(2, 3, 4)          # a 3-d tensor of distinct values
GRID = np.arange(12).reshape(3, 4)             # a 2-d one
ROW = np.arange(6)                             # a 1-d one


def values_of(array, dtype):
    array = np.asarray(array)
    return array % 2 == 1 if dtype == "bool" else array


def same(tcl, handle, expected):
    """The handle's tensor equals the torch tensor ``expected``: dtype, shape, values."""
    dtype = str(expected.dtype).removeprefix("torch.")
    display = {"uint8": "UInt8"}.get(dtype, dtype.capitalize())
    assert tcl.eval(f"torch::tensor_dtype {handle}") == display
    np.testing.assert_array_equal(tcl.read(handle, dtype), expected.numpy())


def same_list(tcl, text, expected):
    handles = tcl.tk.splitlist(text)
    assert len(handles) == len(expected)
    for handle, tensor in zip(handles, expected):
        same(tcl, handle, tensor)


# ---- one tensor in, one tensor out: (positional args, named args, camelCase, torch function) ----
# Each row: command, array, positional words, named words, camel spelling, expectation from torch.
ONE = [
    ("atleast_1d", np.array(5), "", "", "atleast1d", torch.atleast_1d),
    ("atleast_1d", ROW, "", "", "atleast1D", torch.atleast_1d),
    ("atleast_2d", np.array(5), "", "", "atleast2d", torch.atleast_2d),
    ("atleast_2d", ROW, "", "", "atleast2D", torch.atleast_2d),
    ("atleast_2d", CUBE, "", "", "atleast2d", torch.atleast_2d),
    ("atleast_3d", ROW, "", "", "atleast3d", torch.atleast_3d),
    ("atleast_3d", GRID, "", "", "atleast3D", torch.atleast_3d),
    ("atleast_3d", np.array(5), "", "", "atleast3d", torch.atleast_3d),
    ("tensor_contiguous", GRID, "", "", "tensorContiguous", torch.Tensor.contiguous),
    ("tensor_expand", np.arange(3).reshape(3, 1), "{3 4}", "-sizes {3 4}", "tensorExpand",
     lambda x: x.expand(3, 4)),
    ("tensor_expand", ROW, "{2 -1}", "-shape {2 -1}", "tensorExpand", lambda x: x.expand(2, -1)),
    ("tensor_repeat", GRID, "{2 1}", "-repeats {2 1}", "tensorRepeat", lambda x: x.repeat(2, 1)),
    ("tensor_repeat", ROW, "{2 3}", "-repeats {2 3}", "tensorRepeat", lambda x: x.repeat(2, 3)),
    ("flip", CUBE, "{0 2}", "-dims {0 2}", "Flip", lambda x: torch.flip(x, (0, 2))),
    ("flip", GRID, "-1", "-dimensions -1", "flip", lambda x: torch.flip(x, (-1,))),
    ("roll", GRID, "{1 -2} {0 1}", "-shifts {1 -2} -dims {0 1}", "roll", lambda x: torch.roll(x, (1, -2), (0, 1))),
    ("roll", GRID, "5", "-shifts 5", "roll", lambda x: torch.roll(x, 5)),
    ("rot90", GRID, "", "", "Rot90", lambda x: torch.rot90(x)),
    ("rot90", CUBE, "-1 {1 2}", "-k -1 -dims {1 2}", "rot90", lambda x: torch.rot90(x, -1, (1, 2))),
    ("rot90", GRID, "2", "-k 2", "rot90", lambda x: torch.rot90(x, 2)),
    ("narrow_copy", CUBE, "2 1 2", "-dim 2 -start 1 -length 2", "narrowCopy", lambda x: x.narrow_copy(2, 1, 2)),
    ("narrow_copy", GRID, "0 -2 2", "-dim 0 -start -2 -length 2", "narrowCopy", lambda x: x.narrow_copy(0, 1, 2)),
    ("squeeze_multiple", np.arange(3).reshape(1, 3, 1, 1), "", "", "squeezeMultiple", torch.squeeze),
    ("squeeze_multiple", np.arange(3).reshape(1, 3, 1, 1), "{0 2}", "-dims {0 2}", "squeezeMultiple",
     lambda x: x.squeeze((0, 2))),
    ("squeeze_multiple", np.arange(3).reshape(1, 3, 1), "{1 2}", "-dims {1 2}", "squeezeMultiple",
     lambda x: x.squeeze((1, 2))),
    ("unsqueeze_multiple", GRID, "{0 2}", "-dims {0 2}", "unsqueezeMultiple",
     lambda x: x.unsqueeze(2).unsqueeze(0)),
    ("unsqueeze_multiple", GRID, "{2 0}", "-dims {2 0}", "unsqueezeMultiple",
     lambda x: x.unsqueeze(2).unsqueeze(0)),
    ("unsqueeze_multiple", GRID, "{1 1 -1}", "-dims {1 1 -1}", "unsqueezeMultiple",
     lambda x: x.unsqueeze(2).unsqueeze(1).unsqueeze(1)),
    ("unsqueeze_multiple", ROW, "{-1}", "-dims -1", "unsqueezeMultiple", lambda x: x.unsqueeze(-1)),
    ("unsqueeze_multiple", GRID, "{-1 -3}", "-dims {-3 -1}", "unsqueezeMultiple",
     lambda x: x.unsqueeze(-1).unsqueeze(-3)),
    ("tensor_slice", CUBE, "2 1", "-dim 2 -start 1", "tensorSlice", lambda x: x[:, :, 1:]),
    ("tensor_slice", ROW, "0 -4 -1", "-dimension 0 -start -4 -end -1", "tensorSlice", lambda x: x[-4:-1]),
    ("tensor_slice", GRID, "1 0 4 2", "-dim 1 -start 0 -end 4 -step 2", "tensorSlice", lambda x: x[:, 0:4:2]),
    ("tensor_slice", ROW, "0 2 90", "-dim 0 -start 2 -end 90", "tensorSlice", lambda x: x[2:90]),
    ("tensor_reshape", CUBE, "{4 -1}", "-shape {4 -1}", "tensorReshape", lambda x: x.reshape(4, -1)),
    ("tensor_permute", CUBE, "{2 0 1}", "-dims {2 0 1}", "tensorPermute", lambda x: x.permute(2, 0, 1)),
    ("combinations", np.arange(4), "", "", "combinations", torch.combinations),
    ("combinations", np.arange(4), "3", "-r 3", "combinations", lambda x: torch.combinations(x, 3)),
    ("combinations", np.arange(3), "2 1", "-r 2 -with_replacement 1", "combinations",
     lambda x: torch.combinations(x, 2, True)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, array, positional, named, camel, function", ONE,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(ONE)])
def test_one_tensor_commands_match_torch(tcl, dtype, name, array, positional, named, camel, function):
    values = values_of(array, dtype)
    t, expected = tcl.create(values, dtype), function(torch.tensor(values, dtype=TORCH[dtype]))
    same(tcl, tcl.eval(f"torch::{name} {t} {positional}"), expected)
    same(tcl, tcl.eval(f"torch::{name} -input {t} {named}"), expected)
    same(tcl, tcl.eval(f"torch::{camel} -tensor {t} {named}"), expected)
    same(tcl, tcl.eval(f"torch::{camel} {t} {positional}"), expected)


def test_combinations_spelling_of_replacement(tcl):
    t = tcl.create(np.arange(3), "int64")
    expected = torch.combinations(torch.arange(3), 2, with_replacement=True)
    same(tcl, tcl.eval(f"torch::combinations -tensor {t} -replacement 1"), expected)
    same(tcl, tcl.eval(f"torch::combinations -r 2 -input {t} -withReplacement true"), expected)
    # Any shape: its elements in order
    same(tcl, tcl.eval(f"torch::combinations {tcl.create(GRID[:1, :3], 'int64')}"), torch.combinations(torch.arange(3)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_fill_matches_torch(tcl, dtype):
    values, mask = values_of(GRID, dtype), GRID % 3 == 0
    x, m = torch.tensor(values, dtype=TORCH[dtype]), torch.tensor(mask)
    t, h = tcl.create(values, dtype), tcl.create(mask, "bool")
    value = 1 if dtype == "bool" else 7
    same(tcl, tcl.eval(f"torch::tensor_masked_fill {t} {h} {value}"), x.masked_fill(m, value))
    same(tcl, tcl.eval(f"torch::tensorMaskedFill -tensor {t} -mask {h} -value {value}"), x.masked_fill(m, value))
    row = tcl.create(mask[0], "bool")  # a mask that broadcasts
    same(tcl, tcl.eval(f"torch::tensor_masked_fill -input {t} -mask {row} -value 0"), x.masked_fill(m[0], 0))
    if dtype.startswith("float"):
        same(tcl, tcl.eval(f"torch::tensor_masked_fill {t} {h} -1.5"), x.masked_fill(m, -1.5))


@pytest.mark.parametrize("dtype", DTYPES)
def test_contiguity(tcl, dtype):
    t = tcl.create(values_of(GRID, dtype), dtype)
    assert tcl.eval(f"torch::tensor_is_contiguous {t}") == "1"
    view = tcl.eval(f"torch::tensor_permute {t} {{1 0}}")
    assert tcl.eval(f"torch::tensorIsContiguous -tensor {view}") == "0"
    assert tcl.eval(f"torch::tensor_is_contiguous -input [torch::tensor_contiguous {view}]") == "1"
    same(tcl, tcl.eval(f"torch::tensor_contiguous {view}"),
         torch.tensor(values_of(GRID, dtype), dtype=TORCH[dtype]).T.contiguous())


# ---- several tensors in ----

PIECES = [np.arange(6).reshape(2, 3), np.arange(6, 12).reshape(2, 3)]
JOINED = [
    ("hstack", "hStack", torch.hstack, PIECES),
    ("hstack", "hstack", torch.hstack, [np.arange(3), np.arange(5)]),
    ("vstack", "vStack", torch.vstack, PIECES + [np.arange(3).reshape(1, 3)]),
    ("vstack", "vstack", torch.vstack, [np.arange(3), np.arange(3, 6)]),
    ("row_stack", "rowStack", torch.vstack, PIECES),
    ("dstack", "dStack", torch.dstack, PIECES),
    ("dstack", "dstack", torch.dstack, [np.arange(3), np.arange(3, 6)]),
    ("column_stack", "columnStack", torch.column_stack, [np.arange(2), PIECES[0]]),
    ("cartesian_prod", "cartesianProd", lambda ts: torch.cartesian_prod(*ts), [np.arange(2), np.arange(3), np.arange(2)]),
    ("cartesian_prod", "cartesianProd", lambda ts: torch.cartesian_prod(*ts), [np.arange(3)]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, camel, function, arrays", JOINED, ids=[f"{r[0]}-{i}" for i, r in enumerate(JOINED)])
def test_joining_commands_match_torch(tcl, dtype, name, camel, function, arrays):
    arrays = [values_of(a, dtype) for a in arrays]
    handles = " ".join(tcl.create(a, dtype) for a in arrays)
    expected = function([torch.tensor(a, dtype=TORCH[dtype]) for a in arrays])
    same(tcl, tcl.eval(f"torch::{name} {handles}"), expected)            # several words
    same(tcl, tcl.eval(f"torch::{name} [list {handles}]"), expected)     # one list
    same(tcl, tcl.eval(f"torch::{name} -tensors [list {handles}]"), expected)
    same(tcl, tcl.eval(f"torch::{camel} -inputs [list {handles}]"), expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_broadcast_tensors_and_meshgrid_give_lists(tcl, dtype):
    a, b, c = (values_of(v, dtype) for v in (np.arange(3).reshape(3, 1), np.arange(4), np.arange(2)))
    x, y, z = (torch.tensor(v, dtype=TORCH[dtype]) for v in (a, b, c))
    ha, hb, hc = tcl.create(a, dtype), tcl.create(b, dtype), tcl.create(c, dtype)
    same_list(tcl, tcl.eval(f"torch::broadcast_tensors {ha} {hb}"), torch.broadcast_tensors(x, y))
    same_list(tcl, tcl.eval(f"torch::broadcastTensors -tensors [list {ha} {hb}]"), torch.broadcast_tensors(x, y))
    same_list(tcl, tcl.eval(f"torch::broadcast_tensors -tensors {ha}"), [x])
    grids = torch.meshgrid(y, z, z, indexing="ij")
    same_list(tcl, tcl.eval(f"torch::meshgrid {hb} {hc} {hc}"), grids)
    same_list(tcl, tcl.eval(f"torch::meshGrid -tensors [list {hb} {hc} {hc}]"), grids)


def test_broadcast_shapes(tcl):
    assert tcl.eval("torch::broadcast_shapes {2 3} {1 3}") == "2 3"
    assert tcl.eval("torch::broadcastShapes {5} {3 1} {4 1 1}") == " ".join(map(str, torch.broadcast_shapes((5,), (3, 1), (4, 1, 1))))
    assert tcl.eval("torch::broadcast_shapes -shapes {{2 1} {7}}") == "2 7"
    assert tcl.eval("torch::broadcast_shapes {}") == ""


@pytest.mark.parametrize("dtype", DTYPES)
def test_cat_and_stack_match_torch(tcl, dtype):
    arrays = [values_of(a, dtype) for a in PIECES]
    handles = " ".join(tcl.create(a, dtype) for a in arrays)
    xs = [torch.tensor(a, dtype=TORCH[dtype]) for a in arrays]
    for dim in (0, 1, -1):
        same(tcl, tcl.eval(f"torch::tensor_cat [list {handles}] {dim}"), torch.cat(xs, dim))
        same(tcl, tcl.eval(f"torch::tensorCat -tensors [list {handles}] -dim {dim}"), torch.cat(xs, dim))
    for dim in (0, 1, 2, -1, -3):
        same(tcl, tcl.eval(f"torch::tensor_stack [list {handles}] {dim}"), torch.stack(xs, dim))
        same(tcl, tcl.eval(f"torch::tensorStack -dim {dim} -tensors [list {handles}]"), torch.stack(xs, dim))
    same(tcl, tcl.eval(f"torch::tensor_stack -tensors [list {handles}]"), torch.stack(xs))


# ---- splits: Tcl lists of handles ----

SPLITS = [
    ("tensor_split", "tensorSplit", "3", "-sections 3", GRID, lambda x: torch.tensor_split(x, 3)),
    ("tensor_split", "tensorSplit", "2 1", "-sections 2 -dim 1", GRID, lambda x: torch.tensor_split(x, 2, 1)),
    ("tensor_split", "tensorSplit", "{1 3} -1", "-indices {1 3} -dimension -1", GRID,
     lambda x: torch.tensor_split(x, [1, 3], -1)),
    ("tensor_split", "tensorSplit", "5", "-sections 5", ROW, lambda x: torch.tensor_split(x, 5)),
    ("hsplit", "hSplit", "2", "-sections 2", GRID, lambda x: torch.hsplit(x, 2)),
    ("hsplit", "hSplit", "{1 3}", "-indices {1 3}", GRID, lambda x: torch.hsplit(x, [1, 3])),
    ("hsplit", "hsplit", "3", "-sections 3", ROW, lambda x: torch.hsplit(x, 3)),
    ("vsplit", "vSplit", "3", "-sections 3", GRID, lambda x: torch.vsplit(x, 3)),
    ("vsplit", "vSplit", "{2 5}", "-indices {2 5}", GRID, lambda x: torch.vsplit(x, [2, 5])),
    ("dsplit", "dSplit", "2", "-sections 2", CUBE, lambda x: torch.dsplit(x, 2)),
    ("dsplit", "dSplit", "{1 3}", "-indices {1 3}", CUBE, lambda x: torch.dsplit(x, [1, 3])),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, camel, positional, named, array, function", SPLITS,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(SPLITS)])
def test_splits_match_torch(tcl, dtype, name, camel, positional, named, array, function):
    values = values_of(array, dtype)
    t, expected = tcl.create(values, dtype), function(torch.tensor(values, dtype=TORCH[dtype]))
    same_list(tcl, tcl.eval(f"torch::{name} {t} {positional}"), expected)
    same_list(tcl, tcl.eval(f"torch::{name} -input {t} {named}"), expected)
    same_list(tcl, tcl.eval(f"torch::{camel} {named} -tensor {t}"), expected)


def test_split_indices_of_one_is_not_sections(tcl):
    t = tcl.create(GRID, "int64")
    assert len(tcl.tk.splitlist(tcl.eval(f"torch::tensor_split -input {t} -indices 1"))) == 2
    assert len(tcl.tk.splitlist(tcl.eval(f"torch::tensor_split -input {t} -sections 1"))) == 1


# ---- indexing ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_indexing_commands_match_torch(tcl, dtype, index_dtype):
    values = values_of(GRID, dtype)
    x, t = torch.tensor(values, dtype=TORCH[dtype]), tcl.create(values, dtype)
    rows, cols = np.array([2, 0, 2]), np.array([1, 3, -1])
    hr, hc = tcl.create(rows, index_dtype), tcl.create(cols, index_dtype)
    r, c = torch.tensor(rows), torch.tensor(cols)
    same(tcl, tcl.eval(f"torch::tensor_index_select {t} 1 {hr}"), torch.index_select(x, 1, r))
    same(tcl, tcl.eval(f"torch::tensorIndexSelect -input {t} -dimension 0 -indices {hr}"), torch.index_select(x, 0, r))
    same(tcl, tcl.eval(f"torch::tensor_index_select -tensor {t} -dim -1 -indices {hr}"), torch.index_select(x, -1, r))
    same(tcl, tcl.eval(f"torch::tensor_advanced_index {t} [list {hr} {hc}]"), x[r, c])
    same(tcl, tcl.eval(f"torch::tensorAdvancedIndex -tensor {t} -indices {hr}"), x[r])
    same(tcl, tcl.eval(f"torch::gather_nd {t} {hr}"), x[r])
    same(tcl, tcl.eval(f"torch::gatherNd -input {t} -indices {hr}"), x[r])
    updates = values_of(np.arange(100, 112).reshape(3, 4), dtype)
    hu = tcl.create(updates, dtype)
    expected = x.index_put((torch.tensor([2, 0, 1]),), torch.tensor(updates, dtype=TORCH[dtype]))
    hi = tcl.create(np.array([2, 0, 1]), index_dtype)
    same(tcl, tcl.eval(f"torch::scatter_nd {t} {hi} {hu}"), expected)
    same(tcl, tcl.eval(f"torch::scatterNd -input {t} -indices {hi} -updates {hu}"), expected)
    same(tcl, t, x)  # the input is left as it was


# ---- bad input: clear errors ----

ERRORS = [
    ("torch::atleast_1d nosuch", "Invalid tensor name: nosuch"),
    ("torch::roll nosuch {1}", "Invalid input tensor name: nosuch"),
    ("torch::atleast_2d", "Wrong number of arguments (wrong # args). Usage: torch::atleast_2d input"),
    ("torch::atleast_3d -input $g -bad 1", "Unknown parameter: -bad. Valid parameters: -input -tensor"),
    ("torch::tensor_expand $g {2 3}", "tensor_expand: The expanded size of the tensor (3) must match"),
    ("torch::tensor_repeat $g {2}", "Invalid repeats: give at least one count per dimension of the tensor (2), got {2}"),
    ("torch::tensor_repeat $g {2 -1}", "Invalid repeats: counts must not be negative, got {2 -1}"),
    ("torch::flip $g {0 2}", "Invalid dims: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::flip $g {}", "Invalid dims: give at least one dimension to flip"),
    ("torch::flip $g {0 -2}", "Invalid dims: {0 -2} names a dimension twice"),
    ("torch::roll $g {1 2} {0}", "Invalid dims: give one dimension per shift (2), got {0}"),
    ("torch::roll $g {1 2}", "Invalid shifts: without dims give one shift, got {1 2}"),
    ("torch::roll [torch::full {} 3] 1 0", "roll: Dimension specified as 0 but tensor has no dimensions"),
    ("torch::roll $g 1 5", "Invalid dim: 5 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::rot90 $g 1 {0}", "Invalid dims: expected two dimensions (the plane to rotate in), got {0}"),
    ("torch::rot90 $r", "Invalid input: rot90 needs at least 2 dimensions, got 1"),
    ("torch::rot90 $g x", 'Invalid k: expected integer, got "x"'),
    ("torch::narrow_copy $g 0 1 5", "Invalid length: 5 elements from 1 do not fit in dimension 0 of size 3"),
    ("torch::narrow_copy $g 0 4 1", "Invalid start: 4 is out of range for dimension 0 of size 3"),
    ("torch::narrow_copy $g 2 0 1", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::squeeze_multiple $g {3}", "Invalid dims: 3 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::unsqueeze_multiple $g {3}", "Invalid dims: 3 is out of range for a 2-dimensional tensor (expected -3 .. 2)"),
    ("torch::unsqueeze_multiple $g {-4}", "Invalid dims: -4 is out of range for a 2-dimensional tensor (expected -3 .. 2)"),
    ("torch::unsqueeze_multiple $g {0 -5}", "Invalid dims: -5 is out of range for a 3-dimensional tensor (expected -4 .. 3)"),
    ("torch::unsqueeze_multiple $g {}", "Invalid dims: give at least one position for a new dimension"),
    ("torch::tensor_slice $r 0 1 4 0", "Invalid step: must be positive, got 0"),
    ("torch::tensor_slice $r 1 0", "Invalid dim: 1 is out of range for a 1-dimensional tensor (expected -1 .. 0)"),
    ("torch::tensor_slice $r 0 invalid", 'Invalid start: expected integer, got "invalid"'),
    ("torch::tensor_masked_fill $g $g 0", "Invalid mask: expected a Bool tensor, got Int64; create it with dtype bool"),
    ("torch::tensor_masked_fill $g $m x", 'Invalid value: expected number, got "x"'),
    ("torch::tensor_masked_fill $r $m 0", "tensor_masked_fill: The size of tensor a (4) must match the size of tensor b (6)"),
    ("torch::tensor_cat [list $g $r] 0", "tensor_cat: Tensors must have same number of dimensions"),
    ("torch::tensor_cat [list $g $g] 2", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::tensor_stack [list $g $r] 0", "tensor_stack: stack expects each tensor to be equal size"),
    ("torch::tensor_stack [list $g] 3", "Invalid dim: 3 is out of range for stacking 2-dimensional tensors (expected -3 .. 2)"),
    ("torch::tensor_stack [list $g nosuch] 0", "Invalid tensor name: nosuch"),
    ("torch::hstack", "Wrong number of arguments (wrong # args). Usage: torch::hstack tensors ?tensors ...?"),
    ("torch::vstack {}", "Invalid tensors: vstack needs at least 1 tensor handle"),
    ("torch::vstack $g $r", "vstack: Sizes of tensors must match except in dimension 0"),
    ("torch::dstack $g nosuch", "Invalid tensor name: nosuch"),
    ("torch::broadcast_tensors $g $r", "broadcast_tensors: The size of tensor a (4) must match"),
    ("torch::broadcast_shapes {2 3} {4}", "broadcast_shapes: Attempting to broadcast a dimension of length 4"),
    ("torch::broadcast_shapes {2 x}", 'Invalid shapes: expected list of integers, got "2 x"'),
    ("torch::meshgrid $g", "Invalid tensors: tensor 0 of the list is not 1-dimensional (shape {3 4})"),
    ("torch::meshgrid $r $f", "meshgrid: the tensors have different dtypes (Float32, Int64); convert them with torch::tensor_to"),
    ("torch::cartesian_prod $r $g", "Invalid tensors: tensor 1 of the list is not 1-dimensional (shape {3 4})"),
    ("torch::combinations $r -1", "Invalid r: must not be negative, got -1"),
    ("torch::combinations $r 2 maybe", 'Invalid with_replacement: expected boolean, got "maybe"'),
    ("torch::tensor_split $g 0", "Invalid sections: must be positive, got 0"),
    ("torch::tensor_split $g {}", "Required parameters missing: -sections (or -indices)"),
    ("torch::tensor_split -input $g", "Required parameters missing: -sections (or -indices)"),
    ("torch::tensor_split -input $g -sections 2 -indices {1}", "Invalid sections: give sections or indices, not both"),
    ("torch::tensor_split $g 2 2", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::hsplit $g 3", "hsplit: torch.hsplit attempted to split along dimension 1"),
    ("torch::vsplit $r 2", "Invalid input: vsplit needs a tensor of at least 2 dimensions, got 1"),
    ("torch::dsplit $g 2", "Invalid input: dsplit needs a tensor of at least 3 dimensions, got 2"),
    ("torch::tensor_index_select $g 0 $f", "Invalid index: expected an Int64 or Int32 tensor, got Float32"),
    ("torch::tensor_index_select $g 0 $big", "Invalid index: "),
    ("torch::tensor_index_select $g 2 $i", "Invalid dim: 2 is out of range for a 2-dimensional tensor (expected -2 .. 1)"),
    ("torch::tensor_advanced_index $g {}", "Invalid indices: give at least one index tensor handle"),
    ("torch::tensor_advanced_index $g [list $i nosuch]", "Invalid tensor name: nosuch"),
    ("torch::tensor_advanced_index $g [list $i $i $i]", "Invalid indices: 3 index tensors for a 2-dimensional tensor"),
    ("torch::tensor_advanced_index $g $f", "Invalid indices: expected an Int64 or Int32 tensor, got Float32"),
    ("torch::tensor_advanced_index $g $big", "tensor_advanced_index: index 9 is out of bounds for dimension 0 with size 3"),
    ("torch::gather_nd $g $big", "gather_nd: index 9 is out of bounds for dimension 0 with size 3"),
    ("torch::gather_nd nosuch $i", "Invalid tensor name: nosuch"),
    ("torch::scatter_nd $g $i $f", "Invalid updates: its dtype is Float32, the input's Int64"),
    ("torch::scatter_nd $g $i $g", "scatter_nd: shape mismatch"),
    ("torch::scatter_nd -input $g -indices $i", "Required parameters missing: -updates"),
]


@pytest.mark.parametrize("call, message", ERRORS, ids=[c for c, _ in ERRORS])
def test_bad_input_is_a_clear_error(tcl, call, message):
    tcl.eval(f"set g [torch::tensor_create {{{' '.join(map(str, GRID.reshape(-1)))}}} {{3 4}} int64]")
    tcl.eval("set r [torch::tensor_create {0 1 2 3 4 5} {} int64]; set f [torch::tensor_create {1.5 2.5}]")
    tcl.eval("set m [torch::tensor_create {1 0 1 0} {} bool]; set i [torch::tensor_create {0 2} {} int64]")
    tcl.eval("set big [torch::tensor_create {9} {} int64]")
    assert tcl.error_detail(call).startswith(message)
