"""The runner: python -m tcltorch_mpi [--] script.tcl ?arg ...?

Under mpirun/srun every rank runs the script; alone it runs as a group of one.
"""

import os
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


def _parse(args):
    """(options, script, script arguments): options end at '--' or the script."""
    options = {"check": os.environ.get("TCLTORCH_MPI_CHECK_COLLECTIVES", "") not in ("", "0"),
               "timeout": os.environ.get("TCLTORCH_MPI_TIMEOUT") or None}
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
            options["timeout"] = args.pop(0)
        else:
            raise UsageError(f"unknown option {option}" if option != "--timeout" else "--timeout needs SECONDS")
    if options["timeout"] is not None:
        try:
            options["timeout"] = float(options["timeout"])
        except ValueError:
            raise UsageError(f"--timeout needs a number of seconds, got {options['timeout']!r}") from None
        if options["timeout"] <= 0:
            raise UsageError("--timeout needs a positive number of seconds")
    return options, (args[0] if args else None), args[1:]


def main(argv=None):
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

    from . import guards, interp, runtime  # a clear message if MPI cannot be loaded

    guards.configure(check=options["check"], timeout=options["timeout"])
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
