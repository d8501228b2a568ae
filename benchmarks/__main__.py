"""python -m benchmarks [--quick] [--ranks N ...] [--out-dir DIR]

Latency of tcltorch_mpi's collectives driven from a Tcl loop, against raw mpi4py on
the same tensors (the floor) and torch.distributed with gloo, OSU style: the median
per-call time of the slowest rank, per message size (bytes per rank, float32).
Prints the tables and writes JSON, CSV and PNG plots under benchmarks/results/
(benchmarks/results/quick/ with --quick).
"""

import os
import sys
import time
from pathlib import Path

from . import argument_parser, report
from .launch import RESULTS, machine, run_worker


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
