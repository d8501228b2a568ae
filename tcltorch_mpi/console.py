"""The console: commands read from standard input as tclsh reads them, run on every rank.

Under mpirun only rank 0 has standard input: it reads each complete command and
broadcasts its text, every rank runs it, and rank 0 prints what each rank's command
shows (once when all agree, else labelled with the ranks).
"""

import os
import tkinter

import numpy as np

from . import interp, runtime, waiting
from .runtime import MPI

# The console's own communicator: its broadcasts and gathers never pair with a
# script's or the runtime's.
COMM = runtime.WORLD.Dup()
RANK = COMM.Get_rank()
_OTHERS = tuple(rank for rank in range(COMM.Get_size()) if rank != RANK)

_NEXT = "the console (rank 0 reads the next command)"
_RESULTS = "the console (rank 0 gathers what each rank's command shows)"
# What a rank's command shows, as tclsh shows it: nothing, a result, an error.
_NOTHING, _RESULT, _ERROR = 0, 1, 2
_CHANNELS = {_RESULT: "stdout", _ERROR: "stderr"}
_ENCODING = ("utf-8", "surrogatepass")  # any Python text tkinter hands back


def run(tk, engine, interactive=False):
    """Run commands from rank 0's standard input on every rank until `exit` or the
    end of the input, which ends the run (a clean end on every rank)."""
    # Rank 0's choice holds everywhere: scripts may read tcl_interactive.
    interactive = bool(_from_rank_0([interactive or os.isatty(0)])[0])
    tk.setvar("tcl_interactive", int(interactive))
    while (command := _broadcast(_read_command(tk, interactive) if RANK == 0 else None)) is not None:
        _show(tk, _run(tk, command, interactive))
    interp.flush_channels(tk)
    interp.end(engine)


# ---- rank 0 reads, as tclsh reads -----------------------------------------------

def _read_command(tk, interactive):
    """The next complete command (`info complete`), or None at the end of the input
    (an incomplete command there is dropped, as tclsh drops it)."""
    lines = []
    while True:
        if interactive:
            _prompt(tk, continuing=bool(lines))
        try:
            # Tcl's stdin channel, as in tclsh: a command's own `gets stdin` reads the next line.
            line = tk.call("gets", "stdin")
            if line == "" and tk.getboolean(tk.call("eof", "stdin")):
                return None
        except tkinter.TclError:  # stdin closed by a command: tclsh ends too
            return None
        lines.append(line)
        command = "\n".join(lines)
        if tk.getboolean(tk.call("info", "complete", command)):
            return command


def _prompt(tk, continuing):
    """tclsh's prompt: the script in tcl_prompt1 (tcl_prompt2 within a command) if
    set, else "% " (nothing within a command); a failing prompt script is reported
    and the default used."""
    name = "::tcl_prompt2" if continuing else "::tcl_prompt1"
    try:
        if tk.getboolean(tk.call("info", "exists", name)):
            tk.call("uplevel", "#0", tk.getvar(name))
            tk.call("flush", "stdout")
            return
    except tkinter.TclError as exc:
        tk.call("puts", "stderr", str(exc))
    if not continuing:
        tk.call("puts", "-nonewline", "stdout", "% ")
    tk.call("flush", "stdout")


# ---- every rank runs -------------------------------------------------------------

def _run(tk, command, interactive):
    """(kind, text) of what the command shows on this rank, as tclsh shows it: an
    error always, a result only when interactive and not empty."""
    tk.call("catch", ("history", "add", command))  # as tclsh records it; a failure is no matter
    try:
        result = tk.eval(command)
    except tkinter.TclError as exc:
        shown = (_ERROR, str(exc))
    else:
        shown = (_RESULT, result) if interactive and result else (_NOTHING, "")
    interp.flush_channels(tk)  # the command's own output before rank 0 prints the results
    return shown


def _show(tk, shown):
    """On rank 0: what every rank's command shows, once and unlabelled when all agree
    (as tclsh shows it), else each rank's labelled, ranks that agree together."""
    everyone = _gather(shown)
    if everyone is None:
        return
    ranks_by_shown = {}
    for rank, output in enumerate(everyone):
        ranks_by_shown.setdefault(output, []).append(rank)
    for (kind, text), ranks in ranks_by_shown.items():
        if kind == _NOTHING:
            continue
        if len(ranks_by_shown) > 1:
            label = f"[{waiting.ranks_text(ranks)}] "
            text = "\n".join(label + line for line in text.split("\n"))
        tk.call("puts", _CHANNELS[kind], text)


# ---- the console's messages ----------------------------------------------------

def _wait(request, what):
    # A person typing, or a command running, is not an MPI wait that --timeout bounds;
    # a rank that ended its script (`exit` on one rank only) makes the wait hopeless.
    waiting.wait(request, what, waits_on=_OTHERS, bounded=False)


def _from_rank_0(values):
    """Rank 0's int64 values, on every rank."""
    values = np.array(values, dtype=np.int64)
    _wait(COMM.Ibcast([values, MPI.INT64_T], root=0), _NEXT)
    return values


def _broadcast(text):
    """Rank 0's text (None: the end of its input), on every rank."""
    data = b"" if text is None else text.encode(*_ENCODING)
    size = int(_from_rank_0([-1 if text is None else len(data)])[0])
    if size < 0:
        return None
    buffer = bytearray(data) if RANK == 0 else bytearray(size)
    _wait(COMM.Ibcast([buffer, MPI.BYTE], root=0), _NEXT)
    return buffer.decode(*_ENCODING)


def _gather(shown):
    """On rank 0 every rank's (kind, text), in rank order; None elsewhere."""
    kind, text = shown
    data = text.encode(*_ENCODING)
    table = np.empty((COMM.Get_size(), 2), dtype=np.int64) if RANK == 0 else None
    mine = np.array([kind, len(data)], dtype=np.int64)
    _wait(COMM.Igather([mine, MPI.INT64_T], None if table is None else [table, MPI.INT64_T], root=0),
          _RESULTS)
    if table is None:
        _wait(COMM.Igatherv([data, MPI.BYTE], None, root=0), _RESULTS)
        return None
    sizes = table[:, 1]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    buffer = bytearray(int(sizes.sum()))
    _wait(COMM.Igatherv([data, MPI.BYTE], [buffer, (sizes, offsets), MPI.BYTE], root=0), _RESULTS)
    return [(int(kind), buffer[offset:offset + size].decode(*_ENCODING))
            for (kind, size), offset in zip(table, offsets)]
