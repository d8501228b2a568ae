"""The runner: python -m tcltorch_mpi [--] script.tcl ?arg ...?

Under mpirun/srun every rank runs the script; alone it runs as a group of one.
"""

import sys

from . import __version__

USAGE = """usage: python -m tcltorch_mpi [options] [--] script.tcl ?arg ...?
       mpirun -n N python -m tcltorch_mpi script.tcl ?arg ...?

Runs a Tcl 8.6 script with the torch:: commands; under an MPI launcher every rank
runs it and the torch::distributed_* commands exchange data over MPI.

options:
  -h, --help     show this help and exit
  --version      show the version, the MPI library and exit
"""


def _split_args(args):
    """(options, script, script arguments): options end at '--' or the script."""
    options = []
    while args and args[0].startswith("-") and args[0] != "-":
        option = args.pop(0)
        if option == "--":
            break
        options.append(option)
    if not args:
        return options, None, []
    return options, args[0], args[1:]


def main(argv=None):
    options, script, script_args = _split_args(list(sys.argv[1:] if argv is None else argv))
    for option in options:
        if option in ("-h", "--help"):
            print(USAGE, end="")
            return 0
        if option != "--version":
            print(f"tcltorch_mpi: unknown option {option}\n{USAGE}", end="", file=sys.stderr)
            return 2
    if "--version" in options:
        from . import runtime
        print(f"tcltorch_mpi {__version__}; MPI: {runtime.library_name()}")
        return 0
    if script is None:
        print(USAGE, end="", file=sys.stderr)
        return 2

    import tkinter

    from . import interp, runtime

    tk, engine = interp.create(script, script_args)
    try:
        tk.call("source", "-encoding", "utf-8", script)
    except tkinter.TclError as exc:
        interp.flush_channels(tk)
        rank = runtime.WORLD.Get_rank()
        sys.stderr.write(f"[rank {rank}] {exc}\n{tk.getvar('errorInfo')}\n")
        runtime.abort(1)
    interp.flush_channels(tk)
    engine.close()
    runtime.finish(0)


if __name__ == "__main__":
    sys.exit(main())
