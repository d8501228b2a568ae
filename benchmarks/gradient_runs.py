"""The MPI side of benchmarks.gradients (its docstring says what is measured): the
worker's mode ``gradients``, run on every rank by ``python -m benchmarks.worker``."""

import copy

import torch
import torch.distributed as dist
from mpi4py import MPI

from tcltorch_mpi import buffers

from .implementations import Gloo, repeat

LAYERS, WIDTH, BATCH = 50, 447, 8
TCL_LOOPS = """
proc ::bench_bucketed {params iterations} {
    for {set i 0} {$i < $iterations} {incr i} {
        torch::distributed_all_reduce_gradients $params
    }
}
proc ::bench_per_parameter {grads iterations} {
    for {set i 0} {$i < $iterations} {incr i} {
        foreach g $grads {
            set o [torch::distributed_all_reduce $g mean]
            torch::tensor_free $o
        }
    }
}
"""


def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(*[torch.nn.Linear(WIDTH, WIDTH) for _ in range(LAYERS)])


def step(net, batch):
    net.zero_grad(set_to_none=False)
    net(batch).square().mean().backward()


def runs(session):
    """run(iterations) of each way, on this rank's gradients of its own batch."""
    comm, tk, engine = session.comm, session.tk, session.engine
    batch = torch.randn(BATCH, WIDTH, generator=torch.Generator().manual_seed(comm.Get_rank()))
    net = model()
    step(net, batch)
    tk.eval(TCL_LOOPS)
    params = [engine.tensors.add(p) for p in net.parameters()]
    grads = [engine.tensors.add(p.grad) for p in net.parameters()]
    flat = torch.zeros(sum(p.numel() for p in net.parameters()))  # zeros: sums never grow
    flat_spec = buffers.spec(flat, MPI.FLOAT)
    gloo = Gloo(comm)
    ddp = torch.nn.parallel.DistributedDataParallel(copy.deepcopy(net))
    return gloo, {
        "bucketed": lambda n: tk.call("::bench_bucketed", params, n),
        "per_parameter": lambda n: tk.call("::bench_per_parameter", grads, n),
        "raw_mpi4py": repeat(lambda: comm.Allreduce(MPI.IN_PLACE, flat_spec, MPI.SUM), flat),
        "gloo_flat": repeat(lambda: dist.all_reduce(flat), flat),
        "ddp_gloo": repeat(lambda: step(ddp, batch)),
        "local": repeat(lambda: step(net, batch)),
    }


def measure(session, settings):
    """The worker's mode: median ms per call of each run, the slowest rank's."""
    from .worker import measure as timed  # the shared alternating-batch timer (worker imports us)

    gloo, calls = runs(session)
    latency_us, batch = timed(session.comm, calls, settings)
    gloo.close()
    values = LAYERS * (WIDTH * WIDTH + WIDTH)
    return [{"ranks": session.comm.Get_size(), "tensors": 2 * LAYERS, "values": values,
             "batch_calls": batch, "ms": {name: us / 1000 for name, us in latency_us.items()}}]
