"""The LibTorch extension's older collectives, torch::all_reduce (allReduce) and
torch::broadcast, over MPI on the world group (run under mpirun by test_mpi_ranks.py).

Expected values are computed with numpy on every rank; each test does all of its
communication before it asserts."""

import numpy as np
import pytest
from mpi4py import MPI

pytestmark = pytest.mark.mpi
COMM = MPI.COMM_WORLD
W, RANK = COMM.Get_size(), COMM.Get_rank()
SHAPE = (2, 3)


def data(rank):
    """Rank ``rank``'s values: whole numbers, so sums are exact, with the largest and
    smallest element coming from different ranks."""
    return (np.arange(6, dtype=np.float64).reshape(SHAPE) - 2.5) * (rank + 1) + 10 * (rank % 2)


EVERY_RANK = np.stack([data(r) for r in range(W)])
REDUCED = {"sum": EVERY_RANK.sum(axis=0), "mean": EVERY_RANK.sum(axis=0) / W,
           "max": EVERY_RANK.max(axis=0), "min": EVERY_RANK.min(axis=0)}


@pytest.mark.parametrize("operation", list(REDUCED))
def test_all_reduce_positional_named_and_camel_case(tcl, operation):
    mine = tcl.create(data(RANK), "float64")
    forms = [f"torch::all_reduce {mine} {operation}",
             f"torch::all_reduce -tensor {mine} -operation {operation}",
             f"torch::allReduce {mine} {operation}",
             f"torch::allReduce -tensor {mine} -operation {operation}",
             f"torch::all_reduce {mine} -operation {operation}"]
    results = {form: tcl.eval(form) for form in forms}
    for form, handle in results.items():
        assert tcl.eval(f"torch::tensor_dtype {handle}") == "Float64", form
        np.testing.assert_allclose(tcl.read(handle, "float64"), REDUCED[operation], rtol=1e-15, err_msg=form)
    np.testing.assert_array_equal(tcl.read(mine, "float64"), data(RANK))  # the input is left as it was


def test_all_reduce_sums_by_default(tcl):
    mine = tcl.create(data(RANK), "float64")
    results = [tcl.eval(f"torch::all_reduce {mine}"), tcl.eval(f"torch::allReduce -tensor {mine}")]
    for handle in results:
        np.testing.assert_array_equal(tcl.read(handle, "float64"), REDUCED["sum"])


@pytest.mark.parametrize("root", [0, W - 1], ids=["first", "last"])
def test_broadcast_positional_and_named(tcl, root):
    mine = tcl.create(data(RANK), "float64")
    forms = [f"torch::broadcast {mine} {root}", f"torch::broadcast -tensor {mine} -root {root}",
             f"torch::broadcast {mine} -root {root}"]
    if root == 0:
        forms += [f"torch::broadcast {mine}", f"torch::broadcast -tensor {mine}"]
    results = {form: tcl.eval(form) for form in forms}
    for form, handle in results.items():
        np.testing.assert_array_equal(tcl.read(handle, "float64"), data(root), err_msg=form)


def test_bad_arguments_are_the_same_error_on_every_rank(tcl):
    mine = tcl.create(data(RANK), "float64")
    messages = [tcl.error(script) for script in (
        f"torch::broadcast {mine} {W}", f"torch::broadcast {mine} x",
        f"torch::all_reduce {mine} nosuch", f"torch::all_reduce -tensor {mine} -group {{}}",
        "torch::allReduce")]
    assert COMM.allgather(messages) == [messages] * W
    assert messages == [
        f"Invalid root: {W} is not a rank of the world group (ranks 0..{W - 1})",
        'Invalid root: expected integer, got "x"',
        'Invalid operation: expected one of sum mean max min product band bor bxor, got "nosuch"',
        "Unknown parameter: -group. Valid parameters: -tensor -operation",
        "Wrong number of arguments (wrong # args). Usage: torch::all_reduce tensor ?operation?"]
