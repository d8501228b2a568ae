"""all_to_all across nodes: tcltorch_mpi from Tcl against raw mpi4py, 2 hosts x 2 ranks.

    python -m benchmarks.multihost [--rounds 5] [--hosts 2] [--ppn 2] [--out FILE.json]

Needs root: it makes simulated hosts (tools/simhosts.py: network namespaces on a
bridge; between hosts the data goes over TCP, within a host through shared memory)
and runs itself under mpiexec on them. Every rank times a Tcl loop of
`torch::distributed_all_to_all` and `comm.Alltoall` on the same tensor (a uint8
tensor of 8 B, 64 KiB and 4 MiB per rank), batch by batch alternating, as
benchmarks.worker does (the median batch of the slowest rank); each figure is the
best of --rounds such medians, as the machine is shared and noisy.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = (8, 64 * 1024, 4 * 1024 * 1024)  # bytes per rank
ROOT = Path(__file__).resolve().parent.parent


def worker(options):
    """One rank's side, under mpiexec: times both, rank 0 writes the figures."""
    import socket

    from tcltorch_mpi import interp, runtime  # first: it sets MPI's thread level

    from .implementations import RawMpi4py, TclTorch
    from .worker import measure

    tk, engine = interp.create()
    comm = runtime.WORLD
    implementations = [TclTorch(tk), RawMpi4py(comm)]
    settings = argparse.Namespace(batch_seconds=0.02, min_batch_calls=4, max_batch_calls=2000,
                                  repetitions=options.repetitions)
    rows = []
    for size in SIZES:
        handle = tk.eval(f"torch::zeros {{{size}}} uint8")
        tensor = engine.tensors.get(handle)
        runs = {impl.name: impl.prepare("all_to_all", handle, tensor) for impl in implementations}
        rounds = [measure(comm, runs, settings)[0] for _ in range(options.rounds)]
        best = {name: min(r[name] for r in rounds) for name in runs}
        rows.append({"bytes": size, **{f"{name}_us": us for name, us in best.items()},
                     "ratios": [r["tcltorch"] / r["raw_mpi4py"] for r in rounds]})
        tk.eval(f"torch::tensor_free {handle}")
    hosts = comm.gather(socket.gethostname())
    if comm.Get_rank() == 0:
        Path(options.worker).write_text(json.dumps({"hosts": hosts, "rows": rows}))
    interp.end(engine)


def table(figures, rounds):
    hosts = figures["hosts"]
    layout = ", ".join(f"{h}: ranks {[r for r, x in enumerate(hosts) if x == h]}" for h in dict.fromkeys(hosts))
    lines = [f"# all_to_all, {len(hosts)} ranks on {len(set(hosts))} simulated hosts ({layout}); "
             f"best of {rounds} rounds",
             f"# {'Size':<10} {'tcltorch(us)':>13} {'raw_mpi4py(us)':>15} {'tcltorch/raw':>13}  per round"]
    for row in figures["rows"]:
        ratio = row["tcltorch_us"] / row["raw_mpi4py_us"]
        spread = f"{min(row['ratios']):.2f}-{max(row['ratios']):.2f}"
        lines.append(f"{row['bytes']:<12} {row['tcltorch_us']:>13.2f} {row['raw_mpi4py_us']:>15.2f} "
                     f"{ratio:>13.2f}  {spread}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.multihost", description=__doc__.split("\n\n")[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--ppn", type=int, default=2, help="ranks per host")
    parser.add_argument("--rounds", type=int, default=5, help="figures taken, the best kept")
    parser.add_argument("--repetitions", type=int, default=7, help="timed batches per figure")
    parser.add_argument("--out", help="also write the figures (JSON) here")
    parser.add_argument("--worker", metavar="FILE", help=argparse.SUPPRESS)  # under mpiexec
    options = parser.parse_args(argv)
    if options.worker:
        return worker(options)

    sys.path.insert(0, str(ROOT))
    from tools import simhosts

    reason = simhosts.available()
    if reason:
        print(f"benchmarks.multihost: {reason}", file=sys.stderr)
        return 1
    with simhosts.hosts(options.hosts) as h, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        command = [*h.mpiexec, "-n", str(options.hosts * options.ppn), "-ppn", str(options.ppn),
                   sys.executable, "-m", "benchmarks.multihost", "--worker", str(out),
                   "--rounds", str(options.rounds), "--repetitions", str(options.repetitions)]
        env = {**h.env, **os.environ}  # the user's settings win
        if options.hosts * options.ppn > len(os.sched_getaffinity(0)):
            # The simulated hosts share this machine's cores: with more ranks than cores
            # in all, a rank spinning in MPICH's shared-memory collectives on one host
            # holds a core a rank of the other host needs. The same on every rank.
            env.setdefault("MPIR_CVAR_DEVICE_COLLECTIVES", "none")
        result = subprocess.run(command, cwd=ROOT, env=env, timeout=1800)
        if result.returncode != 0:
            print(f"benchmarks.multihost: the run failed (status {result.returncode})", file=sys.stderr)
            return result.returncode
        figures = json.loads(out.read_text())
    print(table(figures, options.rounds))
    if options.out:
        Path(options.out).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
