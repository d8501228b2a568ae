"""Data-parallel training on real ranks (run under mpirun by test_mpi_ranks.py):
distributed_broadcast_parameters and distributed_all_reduce_gradients against
gradients computed with torch directly on the whole batch, in this process.

Each test does all of its communication before it asserts."""

import numpy as np
import pytest
import torch
from mpi4py import MPI

from tests.tclsession import tcl_list

pytestmark = pytest.mark.mpi
COMM = MPI.COMM_WORLD
W, RANK = COMM.Get_size(), COMM.Get_rank()
ROWS = 12  # divisible by every world size tested (1-4): equal shards
TORCH = {"float32": torch.float32, "float64": torch.float64}


def batch():
    x = np.linspace(-1.0, 1.0, ROWS * 3).reshape(ROWS, 3)
    target = np.sin(np.arange(ROWS, dtype=np.float64)).reshape(ROWS, 1)
    return x, target


def start_values(rank):
    """A rank's own start (different on every rank): W1 {3 4}, b1 {4}, W2 {4 1}."""
    scale = 0.1 * (rank + 1)
    return [np.arange(12.0).reshape(3, 4) * scale - 0.5, np.full(4, 0.2 * scale), np.linspace(-1, 1, 4).reshape(4, 1)]


MODEL = """
proc forward {x W1 b1 W2} {
    set h [torch::tensor_add [torch::matmul $x $W1] $b1]
    return [torch::matmul [torch::tensor_mul $h $h] $W2]
}
proc shard_loss {x target W1 b1 W2} {
    set error [torch::tensor_sub [forward $x $W1 $b1 $W2] $target]
    return [torch::tensor_mean [torch::tensor_mul $error $error]]
}
"""


def leaf(tcl, array, dtype):
    shape = " ".join(map(str, array.shape))
    return tcl.eval(f"torch::tensor_create -data {{{tcl_list(array)}}} -shape {{{shape}}} -dtype {dtype} "
                    "-requiresGrad 1")


def torch_gradients(parameters, x, target, dtype):
    """The whole batch's gradients, by torch called directly."""
    leaves = [torch.tensor(p, dtype=TORCH[dtype], requires_grad=True) for p in parameters]
    w1, b1, w2 = leaves
    h = torch.tensor(x, dtype=TORCH[dtype]) @ w1 + b1
    loss = (((h * h) @ w2 - torch.tensor(target, dtype=TORCH[dtype])) ** 2).mean()
    loss.backward()
    return [leaf.grad.numpy() for leaf in leaves]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bucket", ["", "-bucketMB 0.00001"], ids=["one-bucket", "a-bucket-per-tensor"])
def test_averaged_shard_gradients_are_the_whole_batch_gradient(tcl, dtype, bucket):
    tcl.eval(MODEL)
    params = [leaf(tcl, p, dtype) for p in start_values(RANK)]
    plist = " ".join(params)
    tcl.eval(f"torch::distributed_broadcast_parameters {{{plist}}} {W - 1}")
    x, target = batch()
    rows = slice(RANK * ROWS // W, (RANK + 1) * ROWS // W)
    hx, ht = leaf(tcl, x[rows], dtype), leaf(tcl, target[rows], dtype)
    tcl.eval(f"torch::tensor_backward [shard_loss {hx} {ht} {plist}]")
    tcl.eval(f"torch::distributed_all_reduce_gradients {{{plist}}} {bucket}")
    got = [tcl.read(tcl.eval(f"torch::tensor_grad {p}"), dtype) for p in params]
    values = [tcl.read(p, dtype) for p in params]
    expected = torch_gradients(start_values(W - 1), x, target, dtype)
    tolerance = {"float32": 2e-5, "float64": 1e-12}[dtype]
    for value, root_value in zip(values, start_values(W - 1)):
        np.testing.assert_array_equal(value, root_value.astype(value.dtype))  # root's start, exactly
    for grad, want in zip(got, expected):
        np.testing.assert_allclose(grad, want, rtol=tolerance, atol=tolerance)
    every = COMM.allgather([g.tobytes() for g in got])
    assert every == [every[0]] * W  # the same bits on every rank


def test_a_parameter_without_a_gradient_counts_as_zeros_and_sum_adds(tcl):
    # Only even ranks run a backward pass: the others' gradient is none, i.e. zeros.
    w = tcl.eval("torch::tensor_create -data {1.0 2.0} -requiresGrad 1")
    if RANK % 2 == 0:
        tcl.eval(f"torch::tensor_backward [torch::tensor_sum [torch::tensor_mul {w} "
                 f"[torch::tensor_create -data {{{RANK + 1}.0 {RANK + 2}.0}}]]]")
    tcl.eval(f"torch::distributed_all_reduce_gradients [list {w}] -op sum")
    summed = tcl.read(tcl.eval(f"torch::tensor_grad {w}"), "float32")
    tcl.eval(f"torch::distributedAllReduceGradients -parameters [list {w}]")  # the mean of the sums
    mean = tcl.read(tcl.eval(f"torch::tensorGrad {w}"), "float32")
    even = [r for r in range(W) if r % 2 == 0]
    expected = np.array([sum(r + 1 for r in even), sum(r + 2 for r in even)], dtype=np.float32)
    np.testing.assert_array_equal(summed, expected)
    np.testing.assert_array_equal(mean, expected)  # every rank already held the sum


def test_different_parameter_lists_are_the_same_error_on_every_rank(tcl):
    a = tcl.eval("torch::tensor_create -data {1.0 2.0} -requiresGrad 1")
    b = tcl.eval(f"torch::tensor_create -data {{1.0 2.0 3.0}} -shape {{{1 if RANK else 3} {3 if RANK else 1}}} "
                 "-requiresGrad 1")
    count = shapes = None
    if W > 1:  # (the same on every rank: all take this branch or none)
        count = tcl.error(f"torch::distributed_all_reduce_gradients [list {a}{' ' + a if RANK == 0 else ''}]")
        shapes = tcl.error(f"torch::distributed_broadcast_parameters [list {a} {b}]")
    frozen = tcl.eval("torch::tensor_create -data {1.0 2.0}")
    no_grad = tcl.error(f"torch::distributed_all_reduce_gradients [list {a} {frozen}]")
    texts = COMM.allgather((count, shapes, no_grad))
    assert texts == [texts[0]] * W
    if W > 1:
        assert count == ("collective mismatch on the world group: all_reduce_gradients: "
                         "rank 0 has parameters 2, rank 1 has parameters 1")
        assert shapes == ("collective mismatch on the world group: broadcast_parameters: "
                          "rank 0 has shapes {2} {3 1}, rank 1 has shapes {2} {1 3}")
    assert no_grad == "Invalid parameters: parameter 1 (shape {2}) does not require gradients"


TRAINING = """
proc train {hidden output params x target steps} {
    set optimizer [torch::optimizer_sgd $params 0.1 0.9]
    for {set i 0} {$i < $steps} {incr i} {
        torch::optimizer_zero_grad $optimizer
        set h [torch::tensor_relu [torch::layer_forward $hidden $x]]
        torch::tensor_backward [torch::mse_loss [torch::layer_forward $output $h] $target]
        torch::distributed_all_reduce_gradients $params
        torch::optimizer_step $optimizer
    }
}
"""


def torch_training(start, x, target, steps):
    """Single-process, whole-batch training from ``start``, by torch called directly."""
    w1, b1, w2, b2 = (torch.tensor(p, requires_grad=True) for p in start)
    optimizer = torch.optim.SGD([w1, b1, w2, b2], lr=0.1, momentum=0.9)
    x, target = torch.tensor(x, dtype=torch.float32), torch.tensor(target, dtype=torch.float32)
    for _ in range(steps):
        optimizer.zero_grad()
        prediction = torch.relu(x @ w1.T + b1) @ w2.T + b2
        torch.nn.functional.mse_loss(prediction, target).backward()
        optimizer.step()
    return [p.detach().numpy() for p in (w1, b1, w2, b2)]


def test_data_parallel_training_equals_single_process_whole_batch_training(tcl):
    tcl.eval(TRAINING)
    tcl.eval(f"torch::manual_seed {100 + RANK}")  # a different start on every rank ...
    hidden, output = tcl.eval("torch::linear 3 5"), tcl.eval("torch::linear 5 1")
    params = tcl.eval(f"concat [torch::layer_parameters {hidden}] [torch::layer_parameters {output}]")
    tcl.eval(f"torch::distributed_broadcast_parameters {{{params}}}")  # ... until rank 0's is taken
    handles = tcl.tk.splitlist(params)
    start = [tcl.read(p, "float32") for p in handles]
    x, target = (a.astype(np.float32) for a in batch())
    rows = slice(RANK * ROWS // W, (RANK + 1) * ROWS // W)
    shard_x, shard_target = leaf(tcl, x[rows], "float32"), leaf(tcl, target[rows], "float32")
    tcl.eval(f"train {hidden} {output} {{{params}}} {shard_x} {shard_target} 5")
    trained = [tcl.read(p, "float32") for p in handles]
    every = COMM.allgather([p.tobytes() for p in trained])
    starts = COMM.allgather([p.tobytes() for p in start])
    assert [p.shape for p in start] == [(5, 3), (5,), (1, 5), (1,)]  # weight, bias of each layer
    assert starts == [starts[0]] * W  # rank 0's start everywhere
    assert every == [every[0]] * W  # the same bits on every rank after training
    expected = torch_training(start, x, target, 5)
    for got, want, first in zip(trained, expected, start):
        assert not np.array_equal(got, first)  # it trained
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
