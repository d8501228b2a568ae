"""Autograd (tensor_requires_grad, tensor_backward, tensor_grad, grad, the grad mode
switches, and jacobian, hessian, vjp, jvp, vmap, grad_check, grad_check_finite_diff,
functional_call of a function written in Tcl): values against torch.autograd and
torch.func called directly, every form of call, bad input as clear errors."""

import numpy as np
import pytest
import torch

from tests.tclsession import torch_of

FLOATS = ["float32", "float64"]
X = np.array([0.5, -1.25, 2.0])
M = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])

# The functions the transforms take, as Tcl procs, and the same in torch.
PROCS = """
proc cube {x} { torch::tensor_mul $x [torch::tensor_mul $x $x] }
proc rowsum {x} { torch::tensor_sum $x }
proc sumcube {x} { torch::tensor_sum [cube $x] }
proc mix {x y} { torch::tensor_sum [torch::tensor_mul [torch::sin $x] $y] }
proc pairprod {x y} { torch::tensor_mul $x $y }
proc notahandle {x} { return 42 }
proc broken {x} { torch::tensor_add nosuch $x }
proc detached {x} { torch::tensor_mul $x [torch::tensor_create -data [torch::tensor_to_list $x] -dtype float64] }
namespace eval ns { proc twice {x} { torch::tensor_add $x $x } }
"""


def cube(x):
    return x * x * x


def sumcube(x):
    return cube(x).sum()


def mix(x, y):
    return (torch.sin(x) * y).sum()


@pytest.fixture
def ag(tcl):
    tcl.eval(PROCS)
    return tcl


@pytest.fixture(autouse=True)
def grad_mode_restored():
    """The grad mode is the thread's: a test that turns it off must not change the next."""
    yield
    torch.set_grad_enabled(True)


def close(tcl, handle, expected, dtype=None):
    dtype = dtype or str(expected.dtype).removeprefix("torch.")
    np.testing.assert_allclose(tcl.read(handle, dtype), expected.detach().numpy(), rtol=1e-5, atol=1e-6)


def handles(tcl, text):
    return tcl.tk.splitlist(text)


def leaf(tcl, values, dtype="float32"):
    t, shape = tcl.create(values, dtype), " ".join(map(str, np.shape(values)))
    return tcl.eval(f"torch::tensor_create -data [torch::tensor_to_list {t}] -shape {{{shape}}} "
                    f"-dtype {dtype} -requiresGrad 1")


# ---- tensor_requires_grad, tensor_backward, tensor_grad ----

@pytest.mark.parametrize("dtype", FLOATS)
def test_backward_and_grad_match_torch(tcl, dtype):
    x = leaf(tcl, X, dtype)
    assert tcl.eval(f"torch::tensor_requires_grad {x}") == "1"
    assert tcl.eval(f"torch::tensorRequiresGrad -input {x}") == "1"
    assert tcl.eval(f"torch::tensor_requires_grad -tensor {tcl.create(X, dtype)}") == "0"
    assert tcl.eval(f"torch::tensor_backward [torch::tensor_sum [torch::tensor_mul {x} {x}]]") == "OK"
    expected = torch_of(X, dtype).requires_grad_()
    (expected * expected).sum().backward()
    close(tcl, tcl.eval(f"torch::tensor_grad {x}"), expected.grad)
    close(tcl, tcl.eval(f"torch::tensorGrad -input {x}"), expected.grad)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_a_gradient_retain_graph_and_create_graph(tcl):
    x = leaf(tcl, X)
    y = tcl.eval(f"torch::tensor_mul {x} {x}")
    g = tcl.create([1.0, 0.5, -2.0], "float32")
    assert tcl.eval(f"torch::tensor_backward {y} -gradient {g} -retainGraph 1") == "OK"
    assert tcl.eval(f"torch::tensorBackward -input {y} -grad {g}") == "OK"  # the graph was kept: twice
    expected = torch_of(X, "float32").requires_grad_()
    w = torch.tensor([1.0, 0.5, -2.0])
    (expected * expected).backward(w, retain_graph=True)
    (expected * expected).backward(w)
    close(tcl, tcl.eval(f"torch::tensor_grad {x}"), expected.grad)
    again = tcl.error(f"torch::tensor_backward {y} -gradient {g}")
    assert "Trying to backward through the graph a second time" in again
    # create_graph: the gradient itself records, for a second derivative
    z = leaf(tcl, X)
    tcl.eval(f"torch::tensor_backward [torch::tensor_sum [torch::tensor_mul {z} {z}]] -create_graph 1")
    assert tcl.eval(f"torch::tensor_requires_grad [torch::tensor_grad {z}]") == "1"


@pytest.mark.parametrize("script, message", [
    ("torch::tensor_backward [torch::ones {2}]", "Tensor does not require gradients"),
    ("torch::tensor_grad [torch::ones {2}]", "Tensor does not require gradients"),
    ("torch::tensor_grad $x", "No gradient computed yet"),
    ("torch::tensor_backward [torch::tensor_mul $x $x]",
     "tensor_backward: grad can be implicitly created only for scalar outputs"),
    ("torch::tensor_backward [torch::tensor_mul $x $x] -gradient [torch::ones {5}]",
     "tensor_backward: Mismatch in shape"),
    ("torch::tensor_backward nosuch", "Invalid tensor name: nosuch"),
    ("torch::tensor_grad nosuch", "Invalid tensor name: nosuch"),
    ("torch::tensor_requires_grad nosuch", "Invalid tensor name: nosuch"),
    ("torch::tensor_backward $x -gradient nosuch", "Invalid tensor name: nosuch"),
    ("torch::tensor_backward $x -retainGraph maybe", 'Invalid retain_graph: expected boolean, got "maybe"'),
    ("torch::tensor_backward $x -bogus 1", "Unknown parameter: -bogus. Valid parameters:"),
    ("torch::tensor_requires_grad $x extra", "Wrong number of arguments (wrong # args). Usage: torch::tensor_requires_grad tensor"),
    ("torch::tensor_grad", "Wrong number of arguments (wrong # args). Usage: torch::tensor_grad tensor"),
])
def test_backward_and_grad_errors(tcl, script, message):
    tcl.eval(f"set x {leaf(tcl, X)}")
    assert message in tcl.error_detail(script)


# ---- grad mode ----

def test_grad_mode_switches(tcl):
    x = leaf(tcl, X)
    assert tcl.eval("torch::is_grad_enabled") == "1"
    for off, on in [("torch::no_grad", "torch::enable_grad"), ("torch::noGrad", "torch::enableGrad"),
                    ("torch::set_grad_enabled 0", "torch::set_grad_enabled 1"),
                    ("torch::setGradEnabled -enabled false", "torch::setGradEnabled -enabled true")]:
        assert tcl.eval(off) == "ok"
        assert tcl.eval("torch::is_grad_enabled") == tcl.eval("torch::isGradEnabled") == "0"
        assert torch.is_grad_enabled() is False  # the thread's mode: torch's own
        assert tcl.eval(f"torch::tensor_requires_grad [torch::tensor_mul {x} {x}]") == "0"
        assert tcl.eval(on) == "ok"
        assert tcl.eval("torch::is_grad_enabled") == "1"
        assert tcl.eval(f"torch::tensor_requires_grad [torch::tensor_mul {x} {x}]") == "1"


@pytest.mark.parametrize("script, message", [
    ("torch::no_grad extra", "Wrong number of arguments (wrong # args). Usage: torch::no_grad"),
    ("torch::enable_grad a b", "Wrong number of arguments (wrong # args). Usage: torch::enable_grad"),
    ("torch::is_grad_enabled 1", "Wrong number of arguments (wrong # args). Usage: torch::is_grad_enabled"),
    ("torch::set_grad_enabled", "Wrong number of arguments (wrong # args). Usage: torch::set_grad_enabled enabled"),
    ("torch::set_grad_enabled 1 2", "Wrong number of arguments (wrong # args). Usage: torch::set_grad_enabled enabled"),
    ("torch::set_grad_enabled maybe", 'Invalid enabled: expected boolean, got "maybe"'),
    ("torch::set_grad_enabled -on 1", "Unknown parameter: -on. Valid parameters: -enabled"),
])
def test_grad_mode_errors(tcl, script, message):
    assert message in tcl.error_detail(script)
    assert torch.is_grad_enabled()


# ---- grad ----

@pytest.mark.parametrize("dtype", FLOATS)
def test_grad_matches_torch_autograd_grad(tcl, dtype):
    x, y = leaf(tcl, X, dtype), leaf(tcl, X[::-1].copy(), dtype)
    out = tcl.eval(f"torch::tensor_sum [torch::tensor_mul [torch::sin {x}] {y}]")
    tx, ty = torch_of(X, dtype).requires_grad_(), torch_of(X[::-1].copy(), dtype).requires_grad_()
    expected = torch.autograd.grad(mix(tx, ty), (tx, ty), retain_graph=True)
    gx, gy = handles(tcl, tcl.eval(f"torch::grad {out} [list {x} {y}] -retainGraph 1"))
    close(tcl, gx, expected[0])
    close(tcl, gy, expected[1])
    close(tcl, tcl.eval(f"torch::grad -outputs {out} -inputs {x} -retain_graph 1"), expected[0])
    close(tcl, tcl.eval(f"torch::grad -output {out} -input {y}"), expected[1])


def test_grad_with_grad_outputs_create_graph_and_unused_inputs(tcl):
    x, unused = leaf(tcl, X), leaf(tcl, X)
    y = tcl.eval(f"torch::tensor_mul {x} [torch::tensor_mul {x} {x}]")
    v = tcl.create([1.0, 2.0, 3.0], "float32")
    tx = torch_of(X, "float32").requires_grad_()
    (first,) = torch.autograd.grad(cube(tx), tx, torch.tensor([1.0, 2.0, 3.0]), create_graph=True)
    g = tcl.eval(f"torch::grad {y} {x} -gradOutputs {v} -createGraph 1")
    close(tcl, g, first)
    assert tcl.eval(f"torch::tensor_requires_grad {g}") == "1"
    (second,) = torch.autograd.grad(first.sum(), tx)
    close(tcl, tcl.eval(f"torch::grad [torch::tensor_sum {g}] {x}"), second)
    # an input the output does not depend on: zeros with -allowUnused 1, else torch's error
    out = tcl.eval(f"torch::tensor_sum {x}")
    gx, gu = handles(tcl, tcl.eval(f"torch::grad {out} [list {x} {unused}] -allowUnused 1 -retainGraph 1"))
    np.testing.assert_array_equal(tcl.read(gu, "float32"), np.zeros(3, np.float32))
    np.testing.assert_array_equal(tcl.read(gx, "float32"), np.ones(3, np.float32))
    assert "appears to not have been used in the graph" in tcl.error(f"torch::grad {out} {unused}")


@pytest.mark.parametrize("script, message", [
    ("torch::grad $y", "Wrong number of arguments (wrong # args). Usage: torch::grad outputs inputs"),
    ("torch::grad -outputs $y", "Required parameters missing: -inputs"),
    ("torch::grad $y nosuch", "Invalid tensor name: nosuch"),
    ("torch::grad {} $x", "Invalid outputs: expected at least one tensor handle"),
    ("torch::grad $y {}", "Invalid inputs: expected at least one tensor handle"),
    ("torch::grad $y $x -gradOutputs [list $x $x]",
     "Invalid grad_outputs: expected 1 tensor handle (one per output), got 2"),
    ("torch::grad [torch::tensor_mul $x $x] $x", "grad: grad can be implicitly created only for scalar outputs"),
    ("torch::grad [torch::ones {1}] $x", "grad: element 0 of tensors does not require grad"),
    ("torch::grad $y $x -unknown 1", "Unknown parameter: -unknown"),
])
def test_grad_errors(tcl, script, message):
    tcl.eval(f"set x {leaf(tcl, X)}; set y [torch::tensor_sum $x]")
    assert message in tcl.error_detail(script)


# ---- jacobian, hessian, vjp, jvp ----

@pytest.mark.parametrize("dtype", FLOATS)
def test_jacobian_and_hessian_match_torch(ag, dtype):
    x, tx = ag.create(M, dtype), torch_of(M, dtype)
    expected = torch.autograd.functional.jacobian(cube, tx)
    for script in (f"torch::jacobian cube {x}", f"torch::Jacobian -func cube -inputs {x}",
                   f"torch::jacobian -function cube -input {x} -vectorize 1",
                   f"torch::jacobian -inputs {x} -func cube"):
        close(ag, ag.eval(script), expected)
    close(ag, ag.eval(f"torch::hessian sumcube {x}"), torch.autograd.functional.hessian(sumcube, tx))
    close(ag, ag.eval(f"torch::hessian -function sumcube -input {x} -vectorize 1"),
          torch.autograd.functional.hessian(sumcube, tx))


def test_jacobian_and_hessian_of_several_inputs_and_command_prefixes(ag):
    x, y = ag.create(X, "float64"), ag.create(X * 2, "float64")
    tx, ty = torch_of(X, "float64"), torch_of(X * 2, "float64")
    jx, jy = handles(ag, ag.eval(f"torch::jacobian mix [list {x} {y}]"))
    ex, ey = torch.autograd.functional.jacobian(mix, (tx, ty))
    close(ag, jx, ex)
    close(ag, jy, ey)
    rows = [handles(ag, row) for row in handles(ag, ag.eval(f"torch::hessian mix [list {x} {y}]"))]
    for got_row, expected_row in zip(rows, torch.autograd.functional.hessian(mix, (tx, ty))):
        for got, expected in zip(got_row, expected_row):
            close(ag, got, expected)
    # a command with its first words, and a proc found from the caller's namespace
    close(ag, ag.eval(f"torch::jacobian torch::sin {x}"), torch.autograd.functional.jacobian(torch.sin, tx))
    close(ag, ag.eval(f"namespace eval ns {{torch::jacobian twice {x}}}"), 2 * torch.eye(3, dtype=torch.float64))
    close(ag, ag.eval(f"torch::jacobian {{torch::tensor_mul {y}}} {x}"), torch.diag(ty))
    # create_graph: the result records, for a derivative of it
    j = ag.eval("torch::jacobian cube [torch::tensor_create -data {1.0 2.0} -requiresGrad 1] -createGraph 1")
    assert ag.eval(f"torch::tensor_requires_grad {j}") == "1"


@pytest.mark.parametrize("dtype", FLOATS)
def test_vjp_and_jvp_match_torch(ag, dtype):
    x, v = ag.create(M, dtype), ag.create(M[::-1].copy(), dtype)
    tx, tv = torch_of(M, dtype), torch_of(M[::-1].copy(), dtype)
    expected = torch.autograd.functional.vjp(cube, tx, tv)[1]
    for script in (f"torch::vjp cube {x} {v}", f"torch::vectorJacobianProduct -func cube -inputs {x} -v {v}",
                   f"torch::vjp -v {v} -function cube -input {x}", f"torch::vjp cube {x} -vector {v}"):
        close(ag, ag.eval(script), expected)
    expected = torch.autograd.functional.jvp(cube, tx, tv)[1]
    for script in (f"torch::jvp cube {x} {v}", f"torch::jvp -func cube -inputs {x} -v {v}",
                   f"torch::jvp -vector {v} -function cube -input {x}"):
        close(ag, ag.eval(script), expected)


def test_vjp_and_jvp_of_several_inputs(ag):
    x, y, u = ag.create(X, "float64"), ag.create(X + 1, "float64"), ag.create(X * 3, "float64")
    tx, ty, tu = torch_of(X, "float64"), torch_of(X + 1, "float64"), torch_of(X * 3, "float64")
    one = ag.eval(f"torch::tensor_sum {ag.create([1.5], 'float64')}")  # 0-dimensional, as mix's result
    gx, gy = handles(ag, ag.eval(f"torch::vjp mix [list {x} {y}] {one}"))
    ex, ey = torch.autograd.functional.vjp(mix, (tx, ty), torch.tensor(1.5, dtype=torch.float64))[1]
    close(ag, gx, ex)
    close(ag, gy, ey)
    expected = torch.autograd.functional.jvp(lambda a, b: a * b, (tx, ty), (tu, tu))[1]
    close(ag, ag.eval(f"torch::jvp pairprod [list {x} {y}] [list {u} {u}]"), expected)


# ---- vmap ----

@pytest.mark.parametrize("dtype", FLOATS + ["int64"])
def test_vmap_matches_torch_func_vmap(ag, dtype):
    values = (M * 4).astype(int) if dtype == "int64" else M
    x, tx = ag.create(values, dtype), torch_of(values, dtype)
    expected = torch.func.vmap(torch.sum)(tx)
    for script in (f"torch::vmap rowsum {x}", f"torch::vectorMap -func rowsum -inputs {x}",
                   f"torch::vmap -function rowsum -input {x} -inDims 0"):
        close(ag, ag.eval(script), expected, dtype)
    close(ag, ag.eval(f"torch::vmap rowsum {x} -in_dims 1"), torch.func.vmap(torch.sum, 1)(tx), dtype)
    close(ag, ag.eval(f"torch::vmap cube {x} -inDims 1 -outDims 1"), torch.func.vmap(cube, 1, 1)(tx), dtype)


def test_vmap_of_several_inputs_and_randomness(ag):
    x, y = ag.create(M, "float32"), ag.create(X, "float32")
    tx, ty = torch_of(M, "float32"), torch_of(X, "float32")
    close(ag, ag.eval(f"torch::vmap pairprod [list {x} {y}] -inDims {{1 0}}"),
          torch.func.vmap(torch.mul, (1, 0))(tx, ty))
    ag.eval("proc noisy {x} { torch::tensor_add $x [torch::rand {3}] }")
    assert "vmap: called random operation while in randomness error mode" in ag.error(f"torch::vmap noisy {x}")
    torch.manual_seed(5)
    expected = torch.func.vmap(lambda r: r + torch.rand(3), randomness="same")(tx)
    ag.eval("torch::manual_seed 5")
    close(ag, ag.eval(f"torch::vmap noisy {x} -randomness same"), expected)


def test_the_functions_handles_are_released(ag):
    x = ag.create(M, "float32")
    before = len(ag.engine.tensors)
    ag.eval(f"torch::vmap cube {x}; torch::jacobian cube {x}; torch::hessian sumcube {x}")
    assert len(ag.engine.tensors) == before + 3  # the three results, nothing the functions made
    # a handle the function returns that existed before stays
    ag.eval(f"proc constant {{x}} {{ return {x} }}")
    close(ag, ag.eval("torch::vmap constant [torch::zeros {4 2}]"), torch_of(M, "float32").expand(4, 2, 3))
    assert ag.eval(f"torch::tensor_shape {x}") == "2 3"


# ---- grad_check, grad_check_finite_diff ----

@pytest.mark.parametrize("dtype", FLOATS)
def test_grad_check_agrees_with_torch_gradcheck(ag, dtype):
    x, y = ag.create(X, dtype), ag.create(X + 1, dtype)
    tx, ty = torch_of(X, "float64").requires_grad_(), torch_of(X + 1, "float64").requires_grad_()
    assert torch.autograd.gradcheck(mix, (tx, ty))
    for script in (f"torch::grad_check cube {x}", f"torch::gradCheck -func mix -inputs [list {x} {y}]",
                   f"torch::grad_check -function cube -input {x} -eps 1e-5 -atol 1e-4 -rtol 1e-2",
                   f"torch::grad_check_finite_diff cube {x}", f"torch::grad_check_finite_diff cube {x} 1e-4",
                   f"torch::gradCheckFiniteDiff -func mix -inputs [list {x} {y}] -epsilon 1e-6"):
        assert ag.eval(script) == "1"
    # a gradient autograd gets wrong (the second factor is detached): torch's verdict, 0
    detached = lambda t: t * t.detach()
    assert not torch.autograd.gradcheck(detached, (torch_of(X, "float64").requires_grad_(),), raise_exception=False)
    assert ag.eval(f"torch::grad_check detached {x}") == "0"
    # with recording off: checked with it on, as the other transforms compute; the mode stays off
    assert ag.eval(f"torch::no_grad; torch::grad_check cube {x}") == "1"
    close(ag, ag.eval(f"torch::jacobian cube {x}"), torch.autograd.functional.jacobian(cube, torch_of(X, dtype)))
    assert ag.eval("torch::is_grad_enabled") == "0"
    ag.eval(f"catch {{torch::grad_check {{error boom}} {x}}}")
    assert ag.eval("torch::is_grad_enabled") == "0"
    ag.eval("torch::enable_grad")
    # an integer input is passed as it is, not checked
    ag.eval("proc scaled {x n} { torch::tensor_mul $x $n }")
    assert ag.eval(f"torch::grad_check scaled [list {x} [torch::tensor_create {{1 2 3}} int64]]") == "1"
    assert ag.eval(f"torch::grad_check_finite_diff -func detached -inputs {x} -eps 1e-4") == "0"


@pytest.mark.parametrize("command", ["grad_check", "grad_check_finite_diff"])
@pytest.mark.parametrize("script, message", [
    ("{c} cube", "Wrong number of arguments (wrong # args). Usage: torch::{c} func inputs"),
    ("{c} -func cube", "Required parameters missing: -inputs"),
    ("{c} -inputs $x", "Required parameters missing: -func"),
    ("{c} cube nosuch", "Invalid tensor name: nosuch"),
    ("{c} cube $x -eps 0", "Invalid eps: must be positive, got 0.0"),
    ("{c} cube $x -eps -1e-5", "Invalid eps: must be positive, got -1e-05"),
    ("{c} cube $x -eps abc", 'Invalid eps: expected number, got "abc"'),
    ("{c} cube $x -atol -1", "Invalid atol: must not be negative, got -1.0"),
    ("{c} cube [torch::tensor_create {{1 2}} int64]",
     "{c}: no input is a floating-point tensor, so there is no gradient to check"),
    ("{c} notahandle $x", '{c}: the function notahandle must return a tensor handle, got "42"'),
])
def test_grad_check_errors(ag, command, script, message):
    ag.eval(f"set x {ag.create(X, 'float32')}")
    assert message.format(c=command) in ag.error_detail("torch::" + script.format(c=command))


# ---- errors common to the transforms of a Tcl function ----

@pytest.mark.parametrize("command, extra", [("jacobian", ""), ("hessian", ""), ("vjp", " $x"), ("jvp", " $x"),
                                            ("vmap", "")])
@pytest.mark.parametrize("script, message", [
    ("{c} dummy_func $x{e}", 'Invalid func: expected a Tcl command (a proc taking tensor handles and returning a '
                             'tensor handle), got "dummy_func"'),
    ("{c} {{}} $x{e}", "Required parameters missing: -func"),
    ("{c} \\{{ $x{e}", 'Invalid func: expected a Tcl command prefix (a list), got "{{": unmatched open brace in list'),
    ("{c} broken $x{e}", "{c}: the function broken failed: Invalid tensor name: nosuch"),
    ("{c} {{error boom}} $x{e}", "{c}: the function error boom failed: boom"),
    ("{c} notahandle $x{e}", '{c}: the function notahandle must return a tensor handle, got "42"'),
    ("{c} cube nosuch{e}", "Invalid tensor name: nosuch"),
    ("{c} cube {{}}{e}", "Invalid inputs: expected at least one tensor handle"),
    ("{c} -func cube", "Required parameters missing: -inputs"),
    ("{c} -func cube -inputs $x -bogus 1{e}", "Unknown parameter: -bogus. Valid parameters:"),
    ("{c} -func cube -inputs", "Missing value for parameter: -inputs. Named parameters must come in pairs"),
])
def test_transform_errors(ag, command, extra, script, message):
    ag.eval(f"set x {ag.create(X, 'float32')}")
    got = ag.error_detail("torch::" + script.format(c=command, e=extra))
    assert message.format(c=command) in got, got


@pytest.mark.parametrize("script, message", [
    ("torch::jacobian cube [torch::tensor_create {1 2} int64]",
     "jacobian: only Tensors of floating point dtype can require gradients"),
    ("torch::hessian cube $x", "hessian: The Tensor returned by the function given to hessian should contain a "
                               "single element"),
    ("torch::vjp cube $x [torch::ones {2}]", "vjp: v has invalid size: should be torch.Size([3])"),
    ("torch::jvp cube $x [torch::ones {2}]", "jvp: v has invalid size: should be torch.Size([3])"),
    ("torch::jvp cube $x [list $x $x]", "Invalid v: expected 1 tensor handle (one per input), got 2"),
    ("torch::vjp cube $x nosuch", "Invalid tensor name: nosuch"),
    ("torch::vjp cube $x", "Wrong number of arguments (wrong # args). Usage: torch::vjp func inputs v"),
    ("torch::vmap cube $x -inDims 2", "vmap: vmap(cube, in_dims=2, ...)(<inputs>): Got in_dim=2 for some input"),
    ("torch::vmap cube $x -inDims a", 'Invalid in_dims: expected integer or list of integers, got "a"'),
    ("torch::vmap cube $x -outDims 1.5", 'Invalid out_dims: expected integer, got "1.5"'),
    ("torch::jacobian cube $x -vectorize maybe", 'Invalid vectorize: expected boolean, got "maybe"'),
    ("torch::vmap cube $x -randomness sometimes",
     'Invalid randomness: expected one of error, different, same, got "sometimes"'),
    ("torch::jacobian {torch::tensor_add 1} $x", "jacobian: the function torch::tensor_add 1 failed: "
                                                 "Invalid tensor name: 1"),
])
def test_transform_errors_from_torch_and_options(ag, script, message):
    ag.eval(f"set x {ag.create(X, 'float32')}")
    assert message in ag.error_detail(script)


# ---- functional_call ----

def test_functional_call_matches_torch_func(ag):
    torch.manual_seed(3)
    layer = torch.nn.Linear(3, 2)
    name = ag.engine.layers.add(layer, "linear")
    w, b, x = ag.create(M * 0.5, "float32"), ag.create([1.0, -1.0], "float32"), ag.create(M, "float32")
    tw, tb, tx = torch_of(M * 0.5, "float32"), torch.tensor([1.0, -1.0]), torch_of(M, "float32")
    expected = torch.func.functional_call(layer, {"weight": tw, "bias": tb}, (tx,))
    for script in (f"torch::functional_call {name} [list weight {w} bias {b}] {x}",
                   f"torch::functionalCall -func {name} -parameters [list bias {b} weight {w}] -args {x}",
                   f"torch::functional_call -layer {name} -params [list {w} {b}] -args [list {x}]"):
        close(ag, ag.eval(script), expected)
    # only the bias replaced: the layer's own weight for the rest; the layer itself unchanged
    close(ag, ag.eval(f"torch::functional_call {name} [list bias {b}] {x}"),
          torch.func.functional_call(layer, {"bias": tb}, (tx,)))
    close(ag, ag.eval(f"torch::functional_call {name} {{}} {x}"), layer(tx))


@pytest.mark.parametrize("script, message", [
    ("torch::functional_call $l {foo $w} $x", 'Invalid parameters: the layer has no parameter or buffer "foo" '
                                              '(it has: weight bias)'),
    ("torch::functional_call $l $w $x",
     "Invalid parameters: the layer has 2 parameters (weight bias), got 1 tensor handle"),
    ("torch::functional_call $l {weight} $x",
     "Invalid parameters: expected a dict of parameter names and tensor handles"),
    ("torch::functional_call $l {weight nosuch} $x", "Invalid tensor name: nosuch"),
    ("torch::functional_call nosuch {} $x", "Invalid layer name: nosuch"),
    ("torch::functional_call $l {} $x nosuch", "Invalid tensor name: nosuch"),
    ("torch::functional_call $l {} [torch::ones {2 5}]", "functional_call: mat1 and mat2 shapes cannot be multiplied"),
    ("torch::functional_call $l", "Wrong number of arguments (wrong # args). Usage: torch::functional_call func parameters"),
    ("torch::functional_call -func $l -parameters", "Missing value for parameter: -parameters. Named parameters must come in pairs"),
])
def test_functional_call_errors(ag, script, message):
    ag.eval(f"set l {ag.engine.layers.add(torch.nn.Linear(3, 2), 'linear')}")
    ag.eval(f"set w {ag.create(M * 0.5, 'float32')}; set x {ag.create(M, 'float32')}")
    assert message in ag.error_detail(script)
