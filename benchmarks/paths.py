"""python -m benchmarks.paths [--device cuda|cpu] [--ranks N] [--out-dir DIR]

Large messages over the two ways a tensor reaches MPI, side by side: direct (MPI reads
the tensor's own memory: CPU tensors, or CUDA tensors with cupy and a CUDA-aware MPI)
and staged (copied through host memory each way). One run of benchmarks.worker per
path on the same sizes, with raw mpi4py on the tensors' own memory as the floor where
MPI can read it. On the CPU, TCLTORCH_MPI_STAGE_CPU=1 forces staging, so the
comparison runs anywhere; for CUDA the direct path is measured only where this
machine's run would choose it (the MPI library reports CUDA support).
"""

import json
import subprocess
import sys
from pathlib import Path

from . import COLLECTIVES, argument_parser
from .launch import RESULTS, machine, run_worker

ENVIRONMENTS = {
    "cpu": {"staged": {"TCLTORCH_MPI_STAGE_CPU": "1"}, "direct": {"TCLTORCH_MPI_STAGE_CPU": "0"}},
    "cuda": {"staged": {"TCLTORCH_MPI_CUDA_AWARE": "0"}, "direct": {"TCLTORCH_MPI_CUDA_AWARE": "1"}},
}
SIZES = [4 << 20, 16 << 20, 64 << 20]


def cuda_path():
    """What a run on this machine chooses for CUDA tensors, as --version says it."""
    version = subprocess.run([sys.executable, "-m", "tcltorch_mpi", "--version"],
                             capture_output=True, text=True, check=True).stdout
    return version.rsplit("CUDA tensors: ", 1)[1].strip()


def table(rows, ranks, device):
    by_key = {(row["path"], row["collective"], row["bytes"]): row["latency_us"] for row in rows}
    lines = []
    for collective in COLLECTIVES:
        lines += [f"# {collective}, {ranks} ranks, {device} tensors: median latency per call (us), slowest rank",
                  f"# Size      {'staged':>12}{'direct':>12}{'raw_mpi4py':>12}{'staged/direct':>15}"]
        for size in sorted({row["bytes"] for row in rows if row["collective"] == collective}):
            staged = by_key.get(("staged", collective, size), {})
            direct = by_key.get(("direct", collective, size), {})
            figures = [staged.get("tcltorch"), direct.get("tcltorch"), direct.get("raw_mpi4py")]
            ratio = figures[0] / figures[1] if None not in figures[:2] else None
            lines.append(f"{size:<12}" + "".join("{:>12}".format("-" if f is None else f"{f:.1f}")
                                                 for f in figures)
                         + "{:>15}".format("-" if ratio is None else f"{ratio:.2f}"))
        lines.append("")
    return "\n".join(lines)


def parse_args(argv):
    parser = argument_parser("python -m benchmarks.paths", __doc__)
    parser.add_argument("--device", choices=ENVIRONMENTS, default="cuda")
    parser.add_argument("--ranks", type=int, default=4, help="world size (default 4)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="bytes per rank, comma-separated (default 4, 16 and 64 MiB)")
    parser.add_argument("--repetitions", type=int, default=5, help="timed batches per figure")
    parser.add_argument("--out-dir", type=Path, default=RESULTS, help="where paths_<device>.json goes")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    environments = dict(ENVIRONMENTS[args.device])
    if args.device == "cuda":
        chosen = cuda_path()
        if chosen == "no GPU visible":
            print("benchmarks.paths: no GPU visible; --device cpu compares the paths on the CPU",
                  file=sys.stderr)
            return 2
        if not chosen.startswith("direct"):
            print(f"direct path not measured: CUDA tensors here are {chosen}", file=sys.stderr)
            del environments["direct"]
    measured_on, rows = machine(), []
    for path, environment in environments.items():
        print(f"{path} path on {args.ranks} ranks ...", file=sys.stderr, flush=True)
        # Raw mpi4py reads the tensors' own memory, as the direct path does.
        raw = ["--with-raw"] if path == "direct" else []
        rows += [{**row, "path": path} for row in run_worker(
            args.ranks, "exchange", "--device", args.device, "--sizes", args.sizes, *raw,
            "--repetitions", args.repetitions, "--batch-seconds", 0.2, env=environment)]
    print(table(rows, args.ranks, args.device))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / f"paths_{args.device}.json"
    out.write_text(json.dumps({"machine": measured_on, "device": args.device, "ranks": args.ranks,
                               "rows": rows}, indent=1))
    print(f"results: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
