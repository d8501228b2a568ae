"""Data-parallel gradient reduction: what one training step's communication costs.

A model of 100 parameter tensors (50 linear layers of 447 x 447 and their biases,
10.0M float32 values) has its gradients averaged over the ranks, six ways, in the
same run on the same gradients:

  bucketed        torch::distributed_all_reduce_gradients $params (a Tcl loop)
  per_parameter   one torch::distributed_all_reduce per gradient, from Tcl
  raw_mpi4py      one Allreduce of a flat buffer of all 10.0M values (the floor)
  gloo_flat       torch.distributed.all_reduce of that flat buffer over gloo
  ddp_gloo        DistributedDataParallel over gloo: forward and backward, whose
                  bucketed all_reduce runs during the backward pass
  local           the same forward and backward without communication

DDP's communication is ddp_gloo - local (it overlaps with the backward pass).

    python -m benchmarks.gradients [--ranks 2 4] [--repetitions 5]

Prints the table and writes benchmarks/results/gradients.json (--out elsewhere).
"""

import json
import sys
from pathlib import Path

from . import argument_parser
from .launch import RESULTS, machine, run_worker

RUNS = ("bucketed", "per_parameter", "raw_mpi4py", "gloo_flat", "ddp_gloo", "local")


def table(rows):
    lines = ["# gradient reduction of 100 tensors, 10.0M float32: median ms per step, slowest rank",
             "# ranks " + "".join(f"{name:>15}" for name in RUNS)
             + "   ddp_comm  bucketed/raw  per_param/bucketed  ddp_comm/bucketed"]
    for row in rows:
        ms = row["ms"]
        ddp_comm = ms["ddp_gloo"] - ms["local"]
        lines.append(f"{row['ranks']:>7} " + "".join(f"{ms[name]:15.2f}" for name in RUNS)
                     + f"{ddp_comm:11.2f}{ms['bucketed'] / ms['raw_mpi4py']:14.2f}"
                     + f"{ms['per_parameter'] / ms['bucketed']:20.2f}{ddp_comm / ms['bucketed']:19.2f}")
    return "\n".join(lines)


def main(argv=None):
    parser = argument_parser("python -m benchmarks.gradients", __doc__)
    parser.add_argument("--ranks", type=int, nargs="+", default=[2, 4], metavar="N")
    parser.add_argument("--repetitions", type=int, default=5, help="timed batches per figure")
    parser.add_argument("--out", type=Path, default=RESULTS / "gradients.json")
    args = parser.parse_args(argv)
    rows = []
    for ranks in args.ranks:
        print(f"gradients on {ranks} ranks ...", file=sys.stderr, flush=True)
        rows += run_worker(ranks, "gradients", "--repetitions", args.repetitions,
                           "--batch-seconds", 0.2, "--min-batch-calls", 2)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
