"""The runner: python -m tcltorch_mpi [--] script.tcl ?arg ...?, or -c 'script', or a
console reading standard input (no script, or -), as tclsh.

Under mpirun/srun every rank runs the script; alone it runs as a group of one.
"""

import math
import os
import re
import signal
import sys
import warnings

from . import __version__

USAGE = """usage: python -m tcltorch_mpi [options] [--] script.tcl ?arg ...?
       python -m tcltorch_mpi [options] -c 'script' ?arg ...?
       python -m tcltorch_mpi [options] [- ?arg ...?]
       mpirun -n N python -m tcltorch_mpi [options] ...

Runs Tcl 8.6 with the torch:: commands: a script file, the script given with -c, or,
with no script or "-", a console that reads commands from standard input as tclsh
does. Under an MPI launcher every rank runs it and the torch::distributed_* commands
exchange data over MPI; in the console rank 0 reads each command, every rank runs it,
and rank 0 prints the results (labelled with the ranks where they differ).

options:
  -c SCRIPT ?arg ...?  run the Tcl text SCRIPT; the arguments after it are ::argv
  -i, --interactive    the console prompts and prints results even when standard
                       input is not a terminal (under mpirun it never is); after a
                       script or -c, the console follows
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


# What an option given without its value says.
_NEEDS = {"--timeout": "--timeout needs SECONDS", "-c": "-c needs a script"}
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
    options = {"check": on, "interactive": False, "command": None,
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
        elif option in ("-i", "--interactive"):
            options["interactive"] = True
        elif option == "--timeout" and args:
            options["timeout"] = (args.pop(0), "--timeout")
        elif option == "-c" and args:
            options["command"] = args.pop(0)
            break  # the rest is the script's ::argv, as after python -c
        else:
            raise UsageError(_NEEDS.get(option, f"unknown option {option}"))
    if options["timeout"]:
        options["timeout"] = _seconds(*options["timeout"])
    if options["command"] is not None:
        return options, None, args
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

    from . import agreement, interp, waiting  # a clear message if MPI cannot be loaded

    warnings.showwarning = _show_warning
    agreement.configure(check=options["check"])
    waiting.configure(timeout=options["timeout"])
    command = options["command"]
    reads_stdin = command is None and script in (None, "-")
    # tclsh names itself in ::argv0 when it reads stdin; python and mpi4py say -c.
    argv0 = "tcltorch_mpi" if reads_stdin else "-c" if command is not None else script
    tk, engine = interp.create(argv0, script_args)
    if not reads_stdin:
        _run_script(tk, script, command)
    if reads_stdin or options["interactive"]:
        from . import console

        console.run(tk, engine, options["interactive"])  # ends the run
    interp.flush_channels(tk)
    interp.end(engine)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning (torch's, mostly) in the script's terms: no Python file and line, and
    not where in torch's C++ sources it was raised."""
    text = str(message).split(" (Triggered internally at ")[0]
    print(f"tcltorch_mpi: warning: {text}", file=sys.stderr, flush=True)


# The runner's own frame at the end of a script's errorInfo: the `source` that ran it.
_SOURCE_FRAME = re.compile(r'\n    (?:invoked from within|while executing)\n"source -encoding utf-8 [^\n]*\Z')


def _run_script(tk, script, command):
    """Run the script file (or the -c text); an uncaught error ends the whole job,
    with the errorInfo of the script's own frames."""
    import tkinter

    from . import interp, runtime

    try:
        if command is None:
            tk.call("source", "-encoding", "utf-8", script)
        else:
            tk.eval(command)
    except tkinter.TclError as exc:
        interp.flush_channels(tk)
        error_info = _SOURCE_FRAME.sub("", tk.getvar("errorInfo"))
        sys.stderr.write(f"[rank {runtime.WORLD.Get_rank()}] {exc}\n{error_info}\n")
        runtime.abort(1)


if __name__ == "__main__":
    sys.exit(main())
