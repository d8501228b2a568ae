"""CUDA tensors over MPI: the same results as on the CPU, results on the input's GPU.
Skipped where no GPU is visible (the staging code itself also runs on the CPU in
the TCLTORCH_MPI_STAGE_CPU=1 launch of this suite)."""

import numpy as np
import pytest
import torch
from mpi4py import MPI

from tests.tclsession import TclSession

pytestmark = [pytest.mark.mpi, pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU visible")]
W, RANK = MPI.COMM_WORLD.Get_size(), MPI.COMM_WORLD.Get_rank()


@pytest.fixture
def tcl():
    return TclSession()


def test_cuda_means_this_ranks_gpu(tcl):
    device = tcl.eval("torch::tensor_device [torch::zeros {2} float32 cuda]")
    local = MPI.COMM_WORLD.Split_type(MPI.COMM_TYPE_SHARED).Get_rank()
    assert device == f"cuda:{local % torch.cuda.device_count()}"


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int64", "bool", "complex64"])
def test_every_collective_matches_the_cpu_on_cuda(tcl, dtype):
    data = " ".join(str((i + 3 * RANK) % 5) for i in range(4 * W))
    results = {}
    for device in ("cpu", "cuda"):
        t = tcl.eval(f"torch::tensor_create {{{data}}} {{{4 * W}}} {dtype} {device}")
        calls = {"all_to_all": f"torch::distributed_all_to_all {t}",
                 "broadcast": f"torch::distributed_broadcast {t} {W - 1}",
                 "all_gather": f"torch::distributed_all_gather {t}",
                 "scatter": f"torch::distributed_scatter {t} 0"}
        if dtype != "complex64":
            calls["all_reduce"] = f"torch::distributed_all_reduce {t} max"
            calls["reduce_scatter"] = f"torch::distributed_reduce_scatter {t} max"
        handles = {name: tcl.eval(call) for name, call in calls.items()}
        results[device] = {name: (tcl.eval(f"torch::tensor_device {h}"), tcl.eval(f"torch::tensor_to_list {h}"))
                           for name, h in handles.items()}
    for name, (device, values) in results["cuda"].items():
        assert device.startswith("cuda"), name
        assert values == results["cpu"][name][1], name


def test_send_recv_between_gpus(tcl):
    right, left = (RANK + 1) % W, (RANK - 1) % W
    tcl.eval(f"torch::distributed_send [torch::full {{1000}} {RANK} float32 cuda] {right}")
    out = tcl.eval(f"torch::distributed_recv {{1000}} {left}")
    np.testing.assert_array_equal(tcl.read(out, "float32"), np.full(1000, left, np.float32))
