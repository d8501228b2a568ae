"""The MPI side of the benchmarks: ``mpirun -n N python -m benchmarks.worker MODE --out F``.

Every rank times; rank 0 writes the figures (JSON) to F. Modes:
  sweep   every collective x message size x implementation
  small   an ~8-float all_to_all, tcltorch and raw mpi4py only (run at 1, 2, 3, 4 ranks)
  bulk    torch::tensor_create / torch::tensor_to_list of many floats (one process)
  exchange  every collective on --device tensors, tcltorch (and raw mpi4py where MPI can
          read them), through the path the environment chose (see benchmarks.paths)
  gradients  a model's gradients averaged six ways (see benchmarks.gradients)
"""

import json
import statistics
import sys
import time

import numpy as np

from tcltorch_mpi import interp, runtime  # first: it sets MPI's thread level before MPI starts
from mpi4py import MPI  # noqa: E402

from . import COLLECTIVES, FLOAT_BYTES, argument_parser, gradient_runs  # noqa: E402
from .implementations import Gloo, RawMpi4py, TclTorch  # noqa: E402

SMALL_FLOATS = 8
PROBE_CALLS = 3


def time_batch(comm, run, iterations):
    """Seconds per call over one batch, every rank starting it together."""
    comm.Barrier()
    start = time.perf_counter()
    run(iterations)
    return (time.perf_counter() - start) / iterations


def slowest_rank(comm, seconds):
    values = np.asarray(seconds, dtype=np.float64)
    comm.Allreduce(MPI.IN_PLACE, values, op=MPI.MAX)
    return values


def measure(comm, runs, settings):
    """Median seconds per call of each run (the slowest rank's), and calls per batch.

    A short probe sizes each run's batches to last about ``batch_seconds``; the first
    round of batches is a warm-up. Batches alternate between the runs, so the drifts
    of a busy machine hit them all alike."""
    names = list(runs)
    for name in names:
        runs[name](1)  # first calls: connections, page faults, caches
    probe = slowest_rank(comm, [time_batch(comm, runs[name], PROBE_CALLS) for name in names])
    calls = np.clip(settings.batch_seconds / probe, settings.min_batch_calls,
                    settings.max_batch_calls).astype(int)
    batch = {name: int(n) for name, n in zip(names, calls)}
    samples = {name: [] for name in names}
    for repetition in range(1 + settings.repetitions):
        shift = repetition % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(time_batch(comm, runs[name], batch[name]))
    medians = slowest_rank(comm, [statistics.median(samples[name][1:]) for name in names])
    return {name: float(m) * 1e6 for name, m in zip(names, medians)}, batch


class Session:
    """This rank's Tcl interpreter, its engine and the world communicator."""

    def __init__(self):
        self.tk, self.engine = interp.create()
        self.comm = runtime.WORLD


def measure_tensor(session, implementations, collective, floats, settings, device="cpu"):
    """Latencies (us) of ``collective`` on a float32 tensor of ``floats`` zeros on
    ``device``, made by Tcl and shared by every implementation."""
    handle = session.tk.eval(f"torch::zeros {{{floats}}} float32 {device}")
    tensor = session.engine.tensors.get(handle)
    runs = {impl.name: impl.prepare(collective, handle, tensor) for impl in implementations}
    latency, batch = measure(session.comm, runs, settings)
    session.tk.eval(f"torch::tensor_free {handle}")
    return {"collective": collective, "ranks": session.comm.Get_size(),
            "bytes": floats * FLOAT_BYTES, "batch_calls": batch, "latency_us": latency}


def every_collective(session, implementations, settings, device="cpu"):
    rows = []
    for collective in COLLECTIVES:
        for size in settings.sizes:
            floats = size // FLOAT_BYTES
            if collective == "all_to_all" and floats % session.comm.Get_size():
                continue  # the buffer does not split into one equal chunk per rank
            rows.append(measure_tensor(session, implementations, collective, floats, settings, device))
            progress(session.comm, rows[-1])
    return rows


def sweep(session, settings):
    gloo = Gloo(session.comm)
    rows = every_collective(session, (TclTorch(session.tk), RawMpi4py(session.comm), gloo), settings)
    gloo.close()
    return rows


def exchange(session, settings):
    """Tensors on ``--device`` through the path this run's environment chose (direct
    or staged; benchmarks.paths runs it once per path), and with ``--with-raw`` raw
    mpi4py on the tensors' own memory."""
    implementations = [TclTorch(session.tk)]
    if settings.with_raw:
        implementations.append(RawMpi4py(session.comm))
    return every_collective(session, implementations, settings, settings.device)


def small(session, settings):
    """The smallest all_to_all as the world grows: the per-call overhead."""
    size = session.comm.Get_size()
    floats = -(-SMALL_FLOATS // size) * size  # 8 floats, or the next count that splits evenly
    implementations = (TclTorch(session.tk), RawMpi4py(session.comm))
    row = measure_tensor(session, implementations, "all_to_all", floats, settings)
    progress(session.comm, row)
    return [row]


def bulk(session, settings):
    """Seconds to turn a Tcl list of n doubles into a tensor and a tensor into a list.
    Each tensor_create gets a freshly built list, so Tcl's text of it is not cached;
    the list from tensor_to_list is used as a list (llength), never printed whole."""
    tk, n, create, to_list = session.tk, settings.elements, [], []
    tk.eval(f"set source [torch::randn {{{n}}}]")
    for _ in range(settings.repetitions):
        tk.eval(f"set values [lmap x [lrepeat {n} 0] {{expr {{rand()}}}}]")
        create.append(timed(tk, "torch::tensor_free [torch::tensor_create $values float32]"))
        to_list.append(timed(tk, "llength [torch::tensor_to_list $source]"))
    return {"elements": n, "tensor_create_s": statistics.median(create),
            "tensor_to_list_s": statistics.median(to_list)}


def timed(tk, script):
    start = time.perf_counter()
    tk.eval(script)
    return time.perf_counter() - start


def progress(comm, row):
    if comm.Get_rank() == 0:
        figures = "  ".join(f"{name} {us:.1f}" for name, us in row["latency_us"].items())
        print(f"  {row['collective']} {row['ranks']} ranks {row['bytes']} B: {figures} us",
              file=sys.stderr, flush=True)


MODES = {"sweep": sweep, "small": small, "bulk": bulk, "exchange": exchange, "gradients": gradient_runs.measure}


def parse_args(argv):
    parser = argument_parser("python -m benchmarks.worker", __doc__)
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--out", required=True, help="JSON file rank 0 writes")
    parser.add_argument("--sizes", type=lambda text: [int(s) for s in text.split(",")], default=[],
                        help="message sizes in bytes per rank, comma-separated")
    parser.add_argument("--repetitions", type=int, default=7,
                        help="timed batches per figure after a warm-up one (bulk: timed rounds)")
    parser.add_argument("--batch-seconds", type=float, default=0.02, help="how long a batch should last")
    # Several calls even for the largest messages: a batch of one call would time the
    # page faults of memory the other implementations' batches just took over.
    parser.add_argument("--min-batch-calls", type=int, default=4, help="calls per batch at least")
    parser.add_argument("--max-batch-calls", type=int, default=2000, help="calls per batch at most")
    parser.add_argument("--device", default="cpu", help="exchange mode: cpu or cuda")
    parser.add_argument("--with-raw", action="store_true", help="exchange mode: raw mpi4py too")
    parser.add_argument("--elements", type=int, default=1_000_000, help="bulk mode: list length")
    return parser.parse_args(argv)


def main(argv=None):
    settings = parse_args(sys.argv[1:] if argv is None else argv)
    session = Session()
    figures = MODES[settings.mode](session, settings)
    if session.comm.Get_rank() == 0:
        with open(settings.out, "w") as out:
            json.dump(figures, out)
    interp.end(session.engine)


if __name__ == "__main__":
    main()
