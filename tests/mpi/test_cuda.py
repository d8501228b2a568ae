"""CUDA tensors over MPI: the same results as on the CPU, results on the input's GPU.
Skipped where no GPU is visible (the staging code itself also runs on the CPU in
the TCLTORCH_MPI_STAGE_CPU=1 launch of this suite). Which path carries the data
(direct or staged) is the run's: see `python -m tcltorch_mpi --version`."""

import numpy as np
import pytest
import torch
from mpi4py import MPI

pytestmark = [pytest.mark.mpi, pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU visible")]
W, RANK = MPI.COMM_WORLD.Get_size(), MPI.COMM_WORLD.Get_rank()
RIGHT, LEFT = (RANK + 1) % W, (RANK - 1) % W


def _braced(numbers):
    return "{" + " ".join(map(str, numbers)) + "}"


def _local_rank():
    node = MPI.COMM_WORLD.Split_type(MPI.COMM_TYPE_SHARED)
    rank = node.Get_rank()
    node.Free()
    return rank


@pytest.fixture
def my_gpu():
    return f"cuda:{_local_rank() % torch.cuda.device_count()}"


def test_cuda_means_this_ranks_gpu(tcl, my_gpu):
    assert tcl.eval("torch::tensor_device [torch::zeros {2} float32 cuda]") == my_gpu


def _calls(t, dtype):
    """Every collective form, as Tcl calls on the tensor ``t`` (4*W rows of 2)."""
    everything_right = _braced(4 * W if j == RIGHT else 0 for j in range(W))
    everything_from_left = _braced(4 * W if j == LEFT else 0 for j in range(W))
    calls = {
        "all_to_all": f"torch::distributed_all_to_all {t}",
        "all_to_all uneven": f"torch::distributed_all_to_all {t} -inputSplits {everything_right}",
        "all_to_all both splits": (f"torch::distributed_all_to_all {t} -inputSplits {everything_right}"
                                   f" -outputSplits {everything_from_left}"),
        "all_to_all async": f"torch::distributed_wait [torch::distributed_all_to_all {t} -async 1]",
        "broadcast": f"torch::distributed_broadcast {t} {W - 1}",
        "all_gather": f"torch::distributed_all_gather {t}",
        "all_gather permuted": f"torch::distributed_all_gather [torch::tensor_permute {t} {{1 0}}]",
        "gather": f"torch::distributed_gather {t} {W - 1}",
        "scatter": f"torch::distributed_scatter {t} 0",
    }
    if dtype != "complex64":
        calls["all_reduce max"] = f"torch::distributed_all_reduce {t} max"
        calls["reduce_scatter max"] = f"torch::distributed_reduce_scatter {t} max"
    if dtype.startswith(("float", "bfloat")):  # float16/bfloat16 are reduced in float32
        calls["all_reduce mean"] = f"torch::distributed_all_reduce {t} mean"
        calls["reduce_scatter sum"] = f"torch::distributed_reduce_scatter {t} sum"
    return calls


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int64", "bool", "complex64"])
def test_every_collective_matches_the_cpu_on_cuda(tcl, my_gpu, dtype):
    data = _braced((i + 3 * RANK) % 5 for i in range(8 * W))
    results = {}
    for device in ("cpu", "cuda"):
        t = tcl.eval(f"torch::tensor_create {data} {{{4 * W} 2}} {dtype} {device}")
        results[device] = {}
        for name, call in _calls(t, dtype).items():
            handle = tcl.eval(call)
            if handle:  # gather answers "" off its destination
                results[device][name] = (tcl.eval(f"torch::tensor_device {handle}"),
                                         tcl.eval(f"torch::tensor_shape {handle}"),
                                         tcl.eval(f"torch::tensor_to_list {handle}"))
    assert results["cuda"].keys() == results["cpu"].keys()
    for name, (device, shape, values) in results["cuda"].items():
        assert device == my_gpu, name
        assert (shape, values) == results["cpu"][name][1:], name


def test_send_recv_between_gpus(tcl):
    tcl.eval(f"torch::distributed_send [torch::full {{1000}} {RANK} float32 cuda] {RIGHT}")
    out = tcl.eval(f"torch::distributed_recv {{1000}} {LEFT}")
    np.testing.assert_array_equal(tcl.read(out, "float32"), np.full(1000, LEFT, np.float32))


def test_isend_irecv_between_gpus(tcl):
    receive = tcl.eval(f"torch::distributed_irecv {{3 5}} {LEFT} 4")
    send = tcl.eval(f"torch::distributed_isend [torch::full {{3 5}} {RANK + 0.5} bfloat16 cuda] {RIGHT} 4")
    out = tcl.eval(f"torch::distributed_wait {receive}")
    assert tcl.eval(f"torch::distributed_wait {send}") == "send_completed"
    np.testing.assert_array_equal(tcl.read(out, "bfloat16"), np.full((3, 5), LEFT + 0.5, np.float32))


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs two GPUs")
def test_a_gpu_that_is_not_the_current_one(tcl, my_gpu):
    other = f"cuda:{(int(my_gpu[5:]) + 1) % torch.cuda.device_count()}"
    t = tcl.eval(f"torch::full {{6}} {RANK + 1} float32 {other}")
    out = tcl.eval(f"torch::distributed_all_reduce {t} sum")
    assert tcl.eval(f"torch::tensor_device {out}") == other
    np.testing.assert_array_equal(tcl.read(out, "float32"), np.full(6, W * (W + 1) / 2, np.float32))
