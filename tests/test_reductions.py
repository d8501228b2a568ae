"""Reductions and statistics (tensor_sum, tensor_mean, tensor_max, tensor_min,
tensor_median, tensor_mode, tensor_quantile, tensor_std, tensor_var, std_dim, var_dim,
mean_dim, median_dim, kthvalue, cumsum, cumprod, cummax, cummin, diff, gradient,
take_along_dim, tensor_unique): values against torch called directly, every form of
call, bad input as clear errors."""

import fnmatch

import numpy as np
import pytest
import torch

from tests.tclsession import torch_of

FLOATS = ["float32", "float64"]
NUMBERS = FLOATS + ["int32", "int64"]
VALUES = np.array([[3, -7, 12, 0, 5], [9, 1, -2, 14, -11], [6, 13, -5, 2, 8]])
TIES = np.array([[2, 1, 2, 0, 1, 2], [0, 0, 3, 3, 1, 0]])


def same(tcl, handle, expected, exact=True):
    """The handle's tensor equals the torch tensor ``expected``: dtype, shape, values."""
    dtype = str(expected.dtype).removeprefix("torch.")
    assert tcl.eval(f"torch::tensor_dtype {handle}") == dtype.capitalize()
    got = tcl.read(handle, dtype)
    assert got.shape == tuple(expected.shape)
    if exact:
        np.testing.assert_array_equal(got, expected.numpy())
    else:
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-6, atol=1e-6)


# ---- overall, or along a dimension ----

OVERALL = [  # command, torch over all elements, torch along a dim, dtypes it takes
    ("tensor_sum", torch.sum, lambda x, d: torch.sum(x, d), NUMBERS),
    ("tensor_mean", torch.mean, lambda x, d: torch.mean(x, d), FLOATS),
    ("tensor_max", torch.max, lambda x, d: torch.max(x, d).values, NUMBERS),
    ("tensor_min", torch.min, lambda x, d: torch.min(x, d).values, NUMBERS),
    ("tensor_median", torch.median, lambda x, d: torch.median(x, d).values, NUMBERS),
    ("tensor_mode", lambda x: torch.mode(x.reshape(-1)).values, lambda x, d: torch.mode(x, d).values, NUMBERS),
    ("tensor_std", torch.std, lambda x, d: torch.std(x, d), FLOATS),
    ("tensor_var", torch.var, lambda x, d: torch.var(x, d), FLOATS),
]


@pytest.mark.parametrize("name,overall,along,dtype", [(n, o, a, d) for n, o, a, kinds in OVERALL for d in kinds],
                         ids=[f"{c[0]}-{d}" for c in OVERALL for d in c[3]])
def test_overall_and_along_a_dim_match_torch(tcl, name, overall, along, dtype):
    data = TIES if name == "tensor_mode" else VALUES
    t, x = tcl.create(data, dtype), torch_of(data, dtype)
    camel = "tensor" + name[7:].title()
    exact = dtype.startswith("int")
    for form in (f"{name} {t}", f"{name} -input {t}", f"{camel} -tensor {t}"):
        same(tcl, tcl.eval(f"torch::{form}"), overall(x), exact)
    for dim in (0, 1, -1):
        for form in (f"{name} {t} {dim}", f"{name} -input {t} -dim {dim}", f"{camel} {t} -dimension {dim}"):
            same(tcl, tcl.eval(f"torch::{form}"), along(x, dim), exact)


@pytest.mark.parametrize("name", ["tensor_sum", "tensor_mean", "tensor_std", "tensor_var"])
def test_a_list_of_dims(tcl, name):
    x = torch_of(VALUES, "float64").reshape(3, 5, 1)
    t = tcl.create(x.numpy(), "float64")
    function = getattr(torch, name[7:])
    same(tcl, tcl.eval(f"torch::{name} {t} {{0 1}}"), function(x, (0, 1)), exact=False)


@pytest.mark.parametrize("name,function", [("tensor_std", torch.std), ("tensor_var", torch.var),
                                           ("std_dim", torch.std), ("var_dim", torch.var)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_spread_unbiased_and_keepdim(tcl, name, function, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    same(tcl, tcl.eval(f"torch::{name} {t} 1 0"), function(x, 1, unbiased=False), exact=False)
    same(tcl, tcl.eval(f"torch::{name} -input {t} -dim 0 -unbiased 0"), function(x, 0, unbiased=False), exact=False)
    if name != "tensor_std":
        same(tcl, tcl.eval(f"torch::{name} {t} 1 1 1"), function(x, 1, keepdim=True), exact=False)
        same(tcl, tcl.eval(f"torch::{name} -dim 0 -keepdim 1 -input {t}"), function(x, 0, keepdim=True),
             exact=False)
    if name.endswith("_dim"):
        camel = name[:3] + "Dim"
        same(tcl, tcl.eval(f"torch::{camel} {t} 1"), function(x, 1), exact=False)


@pytest.mark.parametrize("name,function,dtype", [
    ("mean_dim", lambda x, d, k: torch.mean(x, d, k), "float32"),
    ("mean_dim", lambda x, d, k: torch.mean(x, d, k), "float64"),
    *(("median_dim", lambda x, d, k: torch.median(x, d, k).values, dtype) for dtype in NUMBERS)])
def test_mean_dim_and_median_dim(tcl, name, function, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    camel = name[:-4] + "Dim"
    for dim in (0, 1, -1):
        same(tcl, tcl.eval(f"torch::{name} {t} {dim}"), function(x, dim, False))
        same(tcl, tcl.eval(f"torch::{name} {t} {dim} 1"), function(x, dim, True))
        same(tcl, tcl.eval(f"torch::{camel} -input {t} -dim {dim} -keepdim true"), function(x, dim, True))


@pytest.mark.parametrize("dtype", FLOATS)
def test_tensor_quantile(tcl, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    for q in (0.0, 0.25, 0.5, 1.0):
        same(tcl, tcl.eval(f"torch::tensor_quantile {t} {q}"), torch.quantile(x, q), exact=False)
        same(tcl, tcl.eval(f"torch::tensorQuantile -input {t} -quantile {q} -dimension 1"),
             torch.quantile(x, q, 1), exact=False)
    same(tcl, tcl.eval(f"torch::tensor_quantile -tensor {t} -q 0.3 -dim 0"), torch.quantile(x, 0.3, 0), exact=False)


@pytest.mark.parametrize("dtype", NUMBERS)
def test_kthvalue(tcl, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    for k, dim in ((1, 0), (3, 0), (2, 1), (5, -1)):
        same(tcl, tcl.eval(f"torch::kthvalue {t} {k} {dim}"), torch.kthvalue(x, k, dim).values)
        same(tcl, tcl.eval(f"torch::kthValue -input {t} -k {k} -dim {dim} -keepdim 1"),
             torch.kthvalue(x, k, dim, keepdim=True).values)


# ---- running values, differences ----

@pytest.mark.parametrize("name,alias,function", [
    ("cumsum", "cumSum", torch.cumsum), ("cumprod", "cumProd", torch.cumprod),
    ("cummax", "cumMax", lambda x, d: torch.cummax(x, d).values),
    ("cummin", "cumMin", lambda x, d: torch.cummin(x, d).values)])
@pytest.mark.parametrize("dtype", NUMBERS)
def test_running_values(tcl, name, alias, function, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    for dim in (0, 1, -1):
        for form in (f"{name} {t} {dim}", f"{name} -input {t} -dim {dim}", f"{alias} -dim {dim} -tensor {t}"):
            same(tcl, tcl.eval(f"torch::{form}"), function(x, dim))


@pytest.mark.parametrize("dtype", NUMBERS)
def test_diff(tcl, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    same(tcl, tcl.eval(f"torch::diff {t}"), torch.diff(x))
    same(tcl, tcl.eval(f"torch::diff {t} 2"), torch.diff(x, 2))
    same(tcl, tcl.eval(f"torch::diff {t} 1 0"), torch.diff(x, 1, 0))
    same(tcl, tcl.eval(f"torch::diff -input {t} -n 2 -dim 0"), torch.diff(x, 2, 0))
    same(tcl, tcl.eval(f"torch::diff {t} 0"), x)


@pytest.mark.parametrize("dtype", NUMBERS)
def test_gradient(tcl, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    same(tcl, tcl.eval(f"torch::gradient {t}"), torch.gradient(x, dim=-1)[0], exact=False)
    same(tcl, tcl.eval(f"torch::gradient {t} {{}} 0"), torch.gradient(x, dim=0)[0], exact=False)
    same(tcl, tcl.eval(f"torch::gradient {t} 0.5 1"), torch.gradient(x, spacing=0.5, dim=1)[0], exact=False)
    same(tcl, tcl.eval(f"torch::gradientCmd -input {t} -dimension 0 -spacing 2 -edgeOrder 2"),
         torch.gradient(x, spacing=2.0, dim=0, edge_order=2)[0], exact=False)


@pytest.mark.parametrize("dtype", NUMBERS)
def test_take_along_dim(tcl, dtype):
    t, x = tcl.create(VALUES, dtype), torch_of(VALUES, dtype)
    order = torch.argsort(x, 1)
    i = tcl.create(order.numpy(), "int64")
    same(tcl, tcl.eval(f"torch::take_along_dim {t} {i} 1"), torch.take_along_dim(x, order, 1))
    same(tcl, tcl.eval(f"torch::takeAlongDim -input {t} -indices {i} -dim -1"), torch.take_along_dim(x, order, -1))
    flat = tcl.create([14, 0, 3], "int64")
    same(tcl, tcl.eval(f"torch::take_along_dim {t} {flat}"), torch.take_along_dim(x, torch.tensor([14, 0, 3])))


@pytest.mark.parametrize("dtype", NUMBERS)
def test_tensor_unique(tcl, dtype):
    data = [3, 1, 2, 1, 4, 2]
    t, x = tcl.create(data, dtype), torch_of(data, dtype)
    same(tcl, tcl.eval(f"torch::tensor_unique {t}"), torch.unique(x))
    same(tcl, tcl.eval(f"torch::tensorUnique -input {t} -sorted 1"), torch.unique(x))
    values, inverse = torch.unique(x, return_inverse=True)
    for form in (f"tensor_unique {t} 1 1", f"tensor_unique -tensor {t} -returnInverse 1"):
        words = tcl.tk.splitlist(tcl.eval(f"torch::{form}"))
        assert words[0] == "unique" and words[2] == "inverse"
        same(tcl, words[1], values)
        same(tcl, words[3], inverse)


def test_tensor_sum_of_a_plain_call_is_torch_sum(tcl):
    from tcltorch_mpi import commands
    command = next(c for c in commands.COMMANDS if c.name == "tensor_sum")
    assert command.torch is torch.sum


# ---- bad input ----

@pytest.mark.parametrize("script,message", [
    ("torch::tensor_sum $t 5", "tensor_sum: Dimension out of range*"),
    ("torch::tensor_sum nosuch", "Invalid tensor name*"),
    ("torch::tensor_sum $t -keepdim 1", "Unknown parameter: -keepdim*"),
    ("torch::tensor_mean $i", "tensor_mean: mean of an integer tensor*"),
    ("torch::tensor_mean $t 2", "Invalid dim: 2 is out of range for a 2-dimensional tensor*"),
    ("torch::tensor_max $t 2", "tensor_max: Dimension out of range (expected to be in range of [[]-2, 1], but got 2)"),
    ("torch::tensor_max $e", "tensor_max: the tensor has no elements"),
    ("torch::tensor_min $t x", 'Invalid dim: expected integer, got "x"'),
    ("torch::tensor_min -dim 0", "Required parameters missing: -input"),
    ("torch::tensor_mode $t -3", "tensor_mode: Dimension out of range*"),
    ("torch::tensor_median $e", "tensor_median: the tensor has no elements"),
    ("torch::tensor_mode $e", "tensor_mode: the tensor has no elements"),
    ("torch::tensor_quantile $t 1.5", "Invalid q: expected a number in 0 .. 1, got 1.5"),
    ("torch::tensor_quantile $t -0.1", "Invalid q: expected a number in 0 .. 1, got -0.1"),
    ("torch::tensor_quantile $i 0.5", "tensor_quantile: needs a floating-point tensor, got Int64*"),
    ("torch::tensor_quantile $t 0.5 3", "tensor_quantile: Dimension out of range*"),
    ("torch::tensor_std $i", "tensor_std: needs a floating-point tensor, got Int64*"),
    ("torch::tensor_std $t 0 x", 'Invalid unbiased: expected boolean, got "x"'),
    ("torch::tensor_var $t 4", "Invalid dim: 4 is out of range*"),
    ("torch::std_dim $t", "Wrong number of arguments (wrong # args). Usage: torch::std_dim tensor dim ?unbiased? ?keepdim?"),
    ("torch::var_dim $i 0", "var_dim: needs a floating-point tensor, got Int64*"),
    ("torch::mean_dim $i 0", "mean_dim: mean of an integer tensor*"),
    ("torch::median_dim $t 2", "median_dim: Dimension out of range*"),
    ("torch::kthvalue $t 6 1", "Invalid k: expected 1 .. 5 (the size of dimension 1), got 6"),
    ("torch::kthvalue $t 0 1", "Invalid k: expected 1 .. 5*"),
    ("torch::kthvalue -input $t -k 1", "Required parameters missing: -dim"),
    ("torch::cumsum $t", "Wrong number of arguments (wrong # args). Usage: torch::cumsum tensor dim"),
    ("torch::cumprod $t 2", "Invalid dim: 2 is out of range*"),
    ("torch::cummax -input $t -dim", "Missing value for parameter: -dim. Named parameters must come in pairs"),
    ("torch::cummin -input $t -bogus 0", "Unknown parameter: -bogus. Valid parameters: *"),
    ("torch::cummax $b 0", "cummax: *"),
    ("torch::diff $t -1", "Invalid n: must not be negative, got -1"),
    ("torch::diff $t 1 5", "Invalid dim: 5 is out of range*"),
    ("torch::diff $s", "diff: needs a tensor of at least 1 dimension*"),
    ("torch::gradient $t {} x", 'Invalid dim: expected integer, got "x"'),
    ("torch::gradient $t abc", 'Invalid spacing: expected number, got "abc"'),
    ("torch::gradient $t {1 2}", "Invalid spacing: expected one number*"),
    ("torch::gradient $one", "gradient: dimension -1 has 1 elements; it needs at least 2*"),
    ("torch::gradient $t -edgeOrder 3", "Invalid edgeOrder: expected 1 or 2, got 3"),
    ("torch::take_along_dim $t $t 1", "Invalid indices: expected an Int64 tensor, got Float32*"),
    ("torch::take_along_dim $t $idx 1", "Invalid indices: out of range for dimension 1 of size 5*"),
    ("torch::take_along_dim $t $flat 1", "Invalid indices: expected a 2-dimensional tensor*"),
    ("torch::take_along_dim $t $idx 3", "Invalid dim: 3 is out of range*"),
    ("torch::tensor_unique $t x", 'Invalid sorted: expected boolean, got "x"'),
    ("torch::tensor_unique -tensor $t -sorted", "Missing value for parameter: -sorted. Named parameters must come in pairs"),
])
def test_bad_input_is_a_clear_error(tcl, script, message):
    tcl.eval(f"set t {tcl.create(VALUES, 'float32')}; set i {tcl.create(VALUES, 'int64')}")
    tcl.eval("set e [torch::zeros {0}]; set s [torch::full {} 2.0]; set one [torch::ones {1}]")
    tcl.eval("set b [torch::tensor_create {1+2j 3} {} complex64]")
    tcl.eval("set idx [torch::tensor_create {{0 9 1 1 1} {0 0 0 0 0} {1 1 1 1 1}} {} int64]")
    tcl.eval("set flat [torch::tensor_create {0 1} {} int64]")
    got = tcl.error_detail(script)
    assert fnmatch.fnmatchcase(got, message), got
