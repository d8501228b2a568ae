"""The runner: python -m tcltorch_mpi [--] script.tcl ?arg ...?

Under mpirun/srun every rank runs the script; alone it runs as a group of one.
"""

import math
import os
import signal
import sys

from . import __version__

USAGE = """usage: python -m tcltorch_mpi [options] [--] script.tcl ?arg ...?
       mpirun -n N python -m tcltorch_mpi script.tcl ?arg ...?

Runs a Tcl 8.6 script with the torch:: commands; under an MPI launcher every rank
runs it and the torch::distributed_* commands exchange data over MPI.

options:
  --check-collectives  before each collective, every rank compares what it is about
                       to do (operation, group, dtype, shape, root, splits) and a
                       mismatch is the same Tcl error on every rank naming who differs
                       (also: TCLTORCH_MPI_CHECK_COLLECTIVES=1)
  --timeout SECONDS    a collective or receive not complete in time ends the job
                       with an error naming it (also: TCLTORCH_MPI_TIMEOUT=SECONDS)
  -h, --help           show this help and exit
  --version            show the version, the MPI library and exit
"""


class UsageError(Exception):
    pass


# How TCLTORCH_MPI_CHECK_COLLECTIVES may say on and off.
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True,
             "0": False, "false": False, "no": False, "off": False, "": False}


def _seconds(text, source):
    """A timeout from ``source`` (the option or the variable): positive and finite, as
    nan or inf would never expire."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise UsageError(f'{source} needs a positive, finite number of seconds, got "{text}"')
    return seconds


def _parse(args):
    """(options, script, script arguments): options end at '--' or the script."""
    check = os.environ.get("TCLTORCH_MPI_CHECK_COLLECTIVES", "")
    if (on := _BOOLEANS.get(check.strip().lower())) is None:
        raise UsageError("TCLTORCH_MPI_CHECK_COLLECTIVES needs a boolean (1, true, yes, on or "
                         f'0, false, no, off), got "{check}"')
    timeout = os.environ.get("TCLTORCH_MPI_TIMEOUT")
    options = {"check": on,
               "timeout": (timeout, "TCLTORCH_MPI_TIMEOUT") if timeout else None}
    while args and args[0].startswith("-") and args[0] != "-":
        option = args.pop(0)
        if option == "--":
            break
        if option in ("-h", "--help"):
            options["help"] = True
        elif option == "--version":
            options["version"] = True
        elif option == "--check-collectives":
            options["check"] = True
        elif option == "--timeout" and args:
            options["timeout"] = (args.pop(0), "--timeout")
        else:
            raise UsageError(f"unknown option {option}" if option != "--timeout" else "--timeout needs SECONDS")
    if options["timeout"]:
        options["timeout"] = _seconds(*options["timeout"])
    return options, (args[0] if args else None), args[1:]


def main(argv=None):
    # Ctrl-C ends the process at once, as in tclsh: Python's handler only sets a flag,
    # never looked at while Tcl or torch runs C code (a `while 1 {}` would not stop).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        options, script, script_args = _parse(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        print(f"tcltorch_mpi: {exc}\n{USAGE}", end="", file=sys.stderr)
        return 2
    if options.get("help"):
        print(USAGE, end="")
        return 0
    if options.get("version"):
        import torch

        from . import buffers, runtime  # a clear message if MPI cannot be loaded
        cuda = buffers.CUDA_PATH if torch.cuda.is_available() else "no GPU visible"
        print(f"tcltorch_mpi {__version__}; MPI: {runtime.library_name()}; CUDA tensors: {cuda}")
        return 0
    if script is None:
        print(USAGE, end="", file=sys.stderr)
        return 2

    import tkinter

    from . import agreement, interp, runtime, waiting  # a clear message if MPI cannot be loaded

    agreement.configure(check=options["check"])
    waiting.configure(timeout=options["timeout"])
    tk, engine = interp.create(script, script_args)
    try:
        tk.call("source", "-encoding", "utf-8", script)
    except tkinter.TclError as exc:
        interp.flush_channels(tk)
        rank = runtime.WORLD.Get_rank()
        sys.stderr.write(f"[rank {rank}] {exc}\n{tk.getvar('errorInfo')}\n")
        runtime.abort(1)
    interp.flush_channels(tk)
    interp.end(engine)


if __name__ == "__main__":
    sys.exit(main())
