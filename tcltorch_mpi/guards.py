"""Opt-in guards for cluster runs: collective mismatch diagnosis (check mode) and
timeouts on every MPI wait. Both are process-wide settings; when off, the hot
path pays one attribute test."""

import sys
import time

from . import dtypes, runtime
from .errors import CommandError

check_collectives = False
timeout_seconds = None

# Poll without pausing for a while (most operations finish in microseconds), then
# back off so a long wait does not burn a core another rank may need.
_SPIN_SECONDS, _FIRST_PAUSE, _LONGEST_PAUSE = 1e-3, 50e-6, 2e-3


def configure(check=False, timeout=None):
    global check_collectives, timeout_seconds
    check_collectives, timeout_seconds = check, timeout


# ---- timeouts -----------------------------------------------------------------

def complete(request, what, status=None):
    """Wait for an MPI request; past the timeout, end the whole job naming ``what``."""
    if timeout_seconds is None:
        return request.Wait(status)
    start = time.monotonic()
    pause = _FIRST_PAUSE
    while not request.Test(status):
        waited = time.monotonic() - start
        if waited > timeout_seconds:
            sys.stdout.flush()
            sys.stderr.write(f"[rank {runtime.WORLD.Get_rank()}] timeout: {what} did not complete "
                             f"within {timeout_seconds:g} s\n")
            runtime.abort(1)
        if waited > _SPIN_SECONDS:
            time.sleep(pause)
            pause = min(2 * pause, _LONGEST_PAUSE)
    return None


def collective(group, command, method, *args):
    """``comm.<method>(*args)``; with a timeout, its non-blocking twin and a bounded wait."""
    if timeout_seconds is None:
        return getattr(group.comm, method)(*args)
    request = getattr(group.comm, "I" + method.lower())(*args)
    return complete(request, f"{command} on {group.label}")


# ---- mismatch diagnosis -------------------------------------------------------

def signature(command, tensor=None, **details):
    """What this rank is about to do, in a form other ranks can compare."""
    seen = {"command": command, **details}
    if tensor is not None:
        seen["dtype"] = dtypes.DISPLAY[tensor.dtype]
        seen["shape"] = tuple(tensor.shape)
    return seen


def _shape_text(shape):
    return "{" + " ".join(map(str, shape)) + "}"


def _split_lists(view, size):
    for option in ("input_splits", "output_splits"):
        splits = view[option]
        if splits is not None and (len(splits) != size or min(splits) < 0):
            return option
    return None


def _all_to_all_rows(views, size):
    """(rows rank i sends to j, rows j expects from i or None) for every pair."""
    for rank, view in enumerate(views):
        option = _split_lists(view, size)
        if option:
            splits = " ".join(map(str, view[option]))
            return (f"rank {rank} gives -{option.replace('_s', 'S')} {{{splits}}}, "
                    f"not {size} sizes of zero or more")
    sends, expects = [], []
    for view in views:
        rows = view["shape"][0] if view["shape"] else 0
        sends.append(view["input_splits"] or [rows // size] * size)
        if view["input_splits"] is None and view["output_splits"] is None:
            expects.append([rows // size] * size)
        else:
            expects.append(view["output_splits"])
    for i in range(size):
        for j in range(size):
            if expects[j] is not None and sends[i][j] != expects[j][i]:
                return f"rank {i} sends {sends[i][j]} rows to rank {j}, which expects {expects[j][i]}"
    return None


def _difference(views):
    first = views[0]
    for rank, view in enumerate(views):
        if view["command"] != first["command"]:
            return f"rank 0 called {first['command']} while rank {rank} called {view['command']}"
    command = first["command"]
    if command == "all_to_all":
        if all(view["shape"] for view in views):
            problem = _all_to_all_rows(views, len(views))
            if problem:
                return f"{command}: {problem}"
        # Rows are checked: what must match now is the shape of one row, and the dtype.
        views = [{**view, "shape": view["shape"][1:], "input_splits": None, "output_splits": None}
                 for view in views]
        first = views[0]
    for key in first:
        for rank, view in enumerate(views):
            if view[key] != first[key]:
                mine, theirs = first[key], view[key]
                if key == "shape":
                    mine, theirs = _shape_text(mine), _shape_text(theirs)
                what = "row shape" if command == "all_to_all" and key == "shape" else key
                return f"{command}: rank 0 has {what} {mine}, rank {rank} has {what} {theirs}"
    return None


def agree(group, seen):
    """Check mode: every rank compares what it is about to do; on a mismatch every
    rank raises the same error, naming the ranks that differ and how."""
    views = group.comm.allgather(seen)
    problem = _difference(views)
    if problem:
        raise CommandError(f"collective mismatch on {group.label}: {problem}")
