"""A real Tcl 8.6 interpreter (tkinter.Tcl(), no Tk window) with the torch:: commands."""

import sys
import tkinter
from pathlib import Path

from . import runtime
from .engine import Engine


def shim_dir():
    """The Tcl package: inside the installed wheel, or shim/ beside a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "shim", here.parent / "shim"):
        if (candidate / "pkgIndex.tcl").is_file():
            return candidate
    raise RuntimeError(f"tcltorch_mpi: the Tcl shim (pkgIndex.tcl) is missing near {here}")


def flush_channels(tk):
    for channel in ("stdout", "stderr"):
        try:
            tk.call("flush", channel)
        except tkinter.TclError:
            pass


def end(engine, status=0):
    """Leave the job with ``status``; a clean end fails if a message was never received."""
    if status == 0:
        failure = engine.close()
        if failure is not None:
            if failure:
                sys.stderr.write(f"[rank {runtime.WORLD.Get_rank()}] {failure}\n")
            status = 1
    runtime.finish(status)


def release(tk, engine):
    """Let go of an interpreter from create() while the process goes on (the tests make
    thousands): its commands hold the engine, and the engine the interpreter, a loop
    through Tcl that Python's collector cannot see. Deleting the commands frees both,
    with the handles; the communicators of its groups are freed first."""
    engine.groups.free()
    tk.call("namespace", "delete", "::torch", "::tcltorch_mpi")
    tk.call("rename", "exit", "")


def create(argv0="tcltorch_mpi", argv=()):
    """An interpreter with the shim loaded; ``exit`` ends the whole MPI job cleanly."""
    tk = tkinter.Tcl()
    engine = Engine(tk, runtime.WORLD)

    def exit_command(*args):
        if len(args) > 1:
            tk.call("error", 'wrong # args: should be "exit ?returnCode?"')
        try:
            status = tk.getint(args[0]) if args else 0
        except tkinter.TclError:
            tk.call("error", f'expected integer but got "{args[0]}"')
        flush_channels(tk)
        sys.stdout.flush()
        end(engine, status)

    tk.createcommand("exit", exit_command)
    tk.setvar("argv0", argv0)
    tk.setvar("argv", tk.call("list", *argv))
    tk.setvar("argc", len(argv))
    tk.call("lappend", "auto_path", str(shim_dir()))
    tk.call("package", "require", "tcltorch_mpi")
    engine.register()  # the shim's parser and procs first: declarations name them
    return tk, engine
