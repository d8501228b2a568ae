"""The three ways to run a collective. Each turns (collective, tensor) into
``run(iterations)``, which makes that many calls on the very same tensor."""

import socket

import torch
import torch.distributed as dist
from mpi4py import MPI

from tcltorch_mpi import buffers

# What a user writes: every call returns a new handle, which the script frees.
TCL_CALLS = {
    "all_to_all": "torch::distributed_all_to_all $tensor",
    "all_reduce": "torch::distributed_all_reduce $tensor sum",
    "broadcast": "torch::distributed_broadcast $tensor 0",
}
TCL_LOOP = """proc ::benchmark_%(collective)s {tensor iterations} {
    for {set i 0} {$i < $iterations} {incr i} {
        set o [%(call)s]
        torch::tensor_free $o
    }
}"""


def repeat(call, *keep_alive):
    """run(iterations) calling ``call`` that often. Buffers made from raw addresses do
    not hold their tensors, so the tensors ride along in ``keep_alive``."""
    def run(iterations):
        for _ in range(iterations):
            call()
    run.keep_alive = keep_alive
    return run


class TclTorch:
    """tcltorch_mpi as users run it: the loop itself is a Tcl proc, timed as a whole."""

    name = "tcltorch"

    def __init__(self, tk):
        self.tk = tk
        for collective, call in TCL_CALLS.items():
            tk.eval(TCL_LOOP % {"collective": collective, "call": call})

    def prepare(self, collective, handle, tensor):
        proc = f"::benchmark_{collective}"
        return lambda iterations: self.tk.call(proc, handle, iterations)


class RawMpi4py:
    """The floor: the MPI call the engine makes, on the same memory, with the output
    allocated once and the buffer specs built once."""

    name = "raw_mpi4py"

    def __init__(self, comm):
        self.comm = comm

    def prepare(self, collective, handle, tensor):
        comm, out = self.comm, torch.empty_like(tensor)
        data, result = buffers.spec(tensor), buffers.spec(out)
        floats, float_result = buffers.spec(tensor, MPI.FLOAT), buffers.spec(out, MPI.FLOAT)
        calls = {
            "all_to_all": lambda: comm.Alltoall(data, result),
            "all_reduce": lambda: comm.Allreduce(floats, float_result, MPI.SUM),
            "broadcast": lambda: comm.Bcast(data, 0),
        }
        return repeat(calls[collective], tensor, out)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gloo:
    """torch.distributed's gloo backend, the usual CPU alternative. Its all_reduce and
    broadcast work in place; the tensors hold zeros, so the values never grow."""

    name = "gloo"

    def __init__(self, comm):
        port = comm.bcast(_free_port() if comm.Get_rank() == 0 else None, root=0)
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}",
                                rank=comm.Get_rank(), world_size=comm.Get_size())

    def prepare(self, collective, handle, tensor):
        out = torch.empty_like(tensor)
        calls = {
            "all_to_all": lambda: dist.all_to_all_single(out, tensor),
            "all_reduce": lambda: dist.all_reduce(tensor),
            "broadcast": lambda: dist.broadcast(tensor, 0),
        }
        return repeat(calls[collective], tensor, out)

    def close(self):
        dist.destroy_process_group()
