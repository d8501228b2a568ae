"""Per-call cost of small commands as a script makes them, next to the MPI call alone.

The figures issues quote before and after a change: a small all_to_all (positional
and named form), an all_reduce, a blocking send/recv ping-pong between ranks 0 and 1
(half a round trip; at one rank a send to oneself then its receive), and
``tensor_numel``. Every rank runs every loop; rank 0 prints the best of a few rounds:

    mpirun -n 2 python -m benchmarks.per_call [--floats 8] [--calls 20000]
"""

import time

import numpy as np

from tcltorch_mpi import interp, runtime

from . import argument_parser

# Each loop body runs ``$n`` times inside a Tcl proc with the tensor ``$t``.
PING = """if {$rank == 0} {
    torch::distributed_send $t $peer; torch::tensor_free [torch::distributed_recv $shape $peer]
} elseif {$rank == 1} {
    torch::tensor_free [torch::distributed_recv $shape 0]; torch::distributed_send $t 0
}"""
SELF = "torch::distributed_send $t 0; torch::tensor_free [torch::distributed_recv $shape 0]"
LOOPS = {
    "all_to_all": "torch::tensor_free [torch::distributed_all_to_all $t]",
    "all_to_all, named form": "torch::tensor_free [torch::distributedAllToAll -tensor $t -group {}]",
    "all_reduce sum": "torch::tensor_free [torch::distributed_all_reduce $t sum]",
    "tensor_numel": "torch::tensor_numel $t",
}


def best_per_call(run, calls, rounds=5):
    best = float("inf")
    for _ in range(rounds):
        runtime.WORLD.Barrier()
        start = time.perf_counter()
        run(calls)
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e6


def raw_loops(floats):
    comm, size = runtime.WORLD, runtime.WORLD.Get_size()
    send, out = np.zeros(floats, np.float32), np.zeros(floats, np.float32)
    rank, peer = comm.Get_rank(), (1 if comm.Get_rank() == 0 else 0)

    def ping(calls):
        for _ in range(calls):
            if size == 1:
                comm.Sendrecv(send, 0, 1, out, 0, 1)
            elif rank == 0:
                comm.Send(send, peer, 1)
                comm.Recv(out, peer, 1)
            elif rank == 1:
                comm.Recv(out, 0, 1)
                comm.Send(send, 0, 1)

    def loop(call):
        return lambda calls: [call() for _ in range(calls)]

    from mpi4py import MPI
    return {"all_to_all": loop(lambda: comm.Alltoall(send, out)),
            "all_reduce sum": loop(lambda: comm.Allreduce(send, out, MPI.SUM)),
            "send/recv (half round trip)": lambda calls: ping(calls)}


def main(argv=None):
    parser = argument_parser("python -m benchmarks.per_call", __doc__)
    parser.add_argument("--floats", type=int, default=8)
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args(argv)
    size = runtime.WORLD.Get_size()
    tk, engine = interp.create()
    tk.eval(f"set t [torch::zeros {{{args.floats * size}}} float32]; set shape {{{args.floats * size}}}")
    tk.eval(f"set rank [torch::get_rank]; set peer {1 if size > 1 else 0}")
    loops = dict(LOOPS)
    loops["send/recv (half round trip)"] = PING if size > 1 else SELF
    raw = raw_loops(args.floats)
    report = print if runtime.WORLD.Get_rank() == 0 else (lambda *a: None)
    report(f"# {args.floats} float32 per rank, {size} rank(s): us per call (raw mpi4py)")
    for index, (name, body) in enumerate(loops.items()):
        proc = f"::per_call_{index}"
        tk.eval(f"proc {proc} {{n}} {{ global t shape rank peer\n"
                f" for {{set i 0}} {{$i < $n}} {{incr i}} {{ {body} }} }}")
        run = lambda calls, proc=proc: tk.call(proc, calls)
        run(args.calls // 10)
        us = best_per_call(run, args.calls)
        if name.startswith("send"):
            us /= 2
        floor = ""
        if name in raw:
            raw[name](args.calls // 10)
            raw_us = best_per_call(raw[name], args.calls) / (2 if name.startswith("send") else 1)
            floor = f"  ({raw_us:.2f})"
        report(f"{us:9.2f}{floor}  {name}")
    interp.end(engine)


if __name__ == "__main__":
    main()
