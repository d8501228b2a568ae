"""python -m benchmarks [--quick] [--ranks N ...] [--out-dir DIR]

Latency of tcltorch_mpi's collectives driven from a Tcl loop, against raw mpi4py on
the same tensors (the floor) and torch.distributed with gloo, OSU style: the median
per-call time of the slowest rank, per message size (bytes per rank, float32).
Prints the tables and writes JSON, CSV and PNG plots under benchmarks/results/
(benchmarks/results/quick/ with --quick).
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from . import argument_parser, report

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def powers_of_four(first, last):
    sizes, size = [], first
    while size <= last:
        sizes.append(size)
        size *= 4
    return sizes


# 8 B, then 16 B ... 64 MiB in powers of 4: both ends of the range, and 256 KiB.
FULL = {"ranks": [2, 4], "sizes": [8] + powers_of_four(16, 64 << 20), "small_ranks": [1, 2, 3, 4],
        "repetitions": 9, "batch_seconds": 0.04, "elements": 1_000_000, "bulk_repetitions": 3}
QUICK = {"ranks": [2], "sizes": [8, 4096, 256 << 10], "small_ranks": [2],
         "repetitions": 3, "batch_seconds": 0.005, "elements": 1_000_000, "bulk_repetitions": 1}


def mpirun():
    """The launcher beside this Python (the venv's MPICH), else the one on PATH."""
    beside = Path(sys.executable).parent / "mpirun"
    return str(beside) if beside.exists() else "mpirun"


def run_worker(ranks, mode, *options):
    """Runs benchmarks.worker on ``ranks`` ranks and returns what rank 0 wrote."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "figures.json"
        command = [mpirun(), "-n", str(ranks), sys.executable, "-m", "benchmarks.worker", mode,
                   "--out", str(out), *map(str, options)]
        subprocess.run(command, cwd=HERE.parent, check=True)
        return json.loads(out.read_text())


def machine():
    packages = {name: _version(name) for name in ("torch", "mpi4py", "mpich", "numpy")}
    return {"host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
            **packages, "commit": _commit(), "load_average_before": os.getloadavg()[0]}


def _commit():
    """The checkout measured: its commit, marked + when the working tree differs."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                               text=True, capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+" if dirty else "")


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def run(plan):
    started = time.time()
    results = {"machine": machine(), "plan": plan, "collectives": [], "small_all_to_all": []}
    timing = ["--repetitions", plan["repetitions"], "--batch-seconds", plan["batch_seconds"]]
    sizes = ",".join(map(str, plan["sizes"]))
    for ranks in plan["ranks"]:
        print(f"sweep on {ranks} ranks ...", file=sys.stderr, flush=True)
        results["collectives"] += run_worker(ranks, "sweep", "--sizes", sizes, *timing)
    for ranks in plan["small_ranks"]:
        results["small_all_to_all"] += run_worker(ranks, "small", *timing)
    results["bulk"] = run_worker(1, "bulk", "--elements", plan["elements"],
                                 "--repetitions", plan["bulk_repetitions"])
    results["machine"]["load_average_after"] = os.getloadavg()[0]
    results["seconds"] = round(time.time() - started, 1)
    return results


def parse_args(argv):
    parser = argument_parser("python -m benchmarks", __doc__)
    parser.add_argument("--quick", action="store_true",
                        help="a few sizes, short batches, 2 ranks: a smoke run of well under a minute")
    parser.add_argument("--ranks", type=int, nargs="+", metavar="N",
                        help="world sizes of the sweep (default: 2 4; quick: 2)")
    parser.add_argument("--out-dir", type=Path,
                        help="where the JSON, CSV and plots go (default: benchmarks/results[/quick])")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    plan = dict(QUICK if args.quick else FULL)
    if args.ranks:
        plan["ranks"] = args.ranks
    out_dir = args.out_dir or (RESULTS / "quick" if args.quick else RESULTS)
    results = run(plan)
    print(report.tables(results))
    report.save(results, out_dir)
    print(f"results: {out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
