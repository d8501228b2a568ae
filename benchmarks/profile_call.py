"""Where the per-call time of a small all_to_all goes, layer by layer.

Each line adds one layer on top of the one before: the MPI call alone, the engine's
Python collective, the engine's commands with handles (result registered, then
freed), the same primitives called from a Tcl loop, and the torch:: commands as
users write them (through the shim's argument parser). One process, or under mpirun:

    python -m benchmarks.profile_call [--floats 8] [--calls 20000] [--cprofile]
"""

import cProfile
import pstats
import sys
import time

from tcltorch_mpi import buffers, collectives, interp, runtime

from . import argument_parser
from .implementations import repeat

ENGINE = "::tcltorch_mpi::engine"
TCL_LOOPS = {
    "engine primitives from Tcl (no shim)":
        f"set o [{ENGINE}::distributed_all_to_all $t {{}} {{}} {{}} 0]; {ENGINE}::tensor_free $o",
    "torch:: commands (shim + engine)":
        "set o [torch::distributed_all_to_all $t]; torch::tensor_free $o",
}


def best_per_call(run, calls, rounds=5):
    """Fastest of a few rounds, in us per call: the least disturbed by other work."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run(calls)
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e6


def main(argv=None):
    parser = argument_parser("python -m benchmarks.profile_call", __doc__)
    parser.add_argument("--floats", type=int, default=8)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--cprofile", action="store_true", help="also cProfile the torch:: loop")
    args = parser.parse_args(argv)

    tk, engine = interp.create()
    handle = tk.eval(f"torch::zeros {{{args.floats}}} float32")
    tensor, group = engine.tensors.get(handle), engine.groups.get("")
    out = tensor.clone()
    send, recv = buffers.spec(tensor), buffers.spec(out)
    layers = {
        "MPI Alltoall (mpi4py, specs built once)": repeat(lambda: group.comm.Alltoall(send, recv)),
        "collectives.all_to_all (engine, Python)": repeat(lambda: collectives.all_to_all(group, tensor)),
        "engine commands from Python (+ handles)": repeat(
            lambda: engine.tensor_free(engine.distributed_all_to_all(handle, "", "", "", "0"))),
    }
    for name, body in TCL_LOOPS.items():
        proc = f"::profile_{len(layers)}"
        tk.eval(f"proc {proc} {{t n}} {{ for {{set i 0}} {{$i < $n}} {{incr i}} {{ {body} }} }}")
        layers[name] = lambda calls, proc=proc: tk.call(proc, handle, calls)

    # Every rank runs every layer (they are collective); rank 0 reports.
    reporting = runtime.WORLD.Get_rank() == 0
    report = print if reporting else (lambda *args: None)
    report(f"# all_to_all of {args.floats} float32 on {group.size} rank(s): us per call")
    previous = None
    for name, run in layers.items():
        run(args.calls // 10)  # warm-up
        us = best_per_call(run, args.calls)
        added = "" if previous is None else f"  (+{us - previous:.2f})"
        report(f"{us:9.2f}  {name}{added}")
        previous = us
    if args.cprofile:
        profile = cProfile.Profile()
        profile.runcall(layers[list(TCL_LOOPS)[-1]], args.calls)
        if reporting:
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(15)
    interp.end(engine)


if __name__ == "__main__":
    main()
