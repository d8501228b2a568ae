"""Opt-in guards for cluster runs: collective mismatch diagnosis (check mode) and
timeouts on every MPI wait. Both are process-wide settings; when off, the hot
path pays one attribute test."""

import sys
import time

from . import dtypes, runtime
from .errors import CommandError, tcl_list

check_collectives = False
timeout_seconds = None

# Poll without pausing for a while (most operations finish in microseconds), then
# back off so a long wait does not burn a core another rank may need.
_SPIN_SECONDS, _FIRST_PAUSE, _LONGEST_PAUSE = 1e-3, 50e-6, 2e-3


def configure(check=False, timeout=None):
    global check_collectives, timeout_seconds
    check_collectives, timeout_seconds = check, timeout


# ---- timeouts -----------------------------------------------------------------

# A rank that times out asks the others where they are, on the runtime's private
# communicator; a rank answers while it polls a wait of its own.
_ASK, _ANSWER = 1, 2
_ANSWER_SECONDS = 1.0
_NO_ANSWER = f"no answer within {_ANSWER_SECONDS:g} s (running the script, not waiting in MPI)"
_LONGEST_ANSWER = 1000  # characters: an answer always fits the asker's receive


def complete(request, what, status=None, bounded=True):
    """Wait for an MPI request; past the timeout (if ``bounded``), end the whole job
    naming ``what`` and where the other ranks are."""
    if timeout_seconds is None:
        return request.Wait(status)
    start = time.monotonic()
    pause = _FIRST_PAUSE
    while not request.Test(status):
        waited = time.monotonic() - start
        if bounded and waited > timeout_seconds:
            _time_out(what)
        if waited > _SPIN_SECONDS:
            _answer_roll_call(what)
            time.sleep(pause)
            pause = min(2 * pause, _LONGEST_PAUSE)
    return None


def _answer_roll_call(what):
    comm = runtime.PRIVATE
    if comm.Get_size() == 1:  # nobody to ask (and the stand-in MPI cannot probe)
        return
    status = runtime.MPI.Status()
    while comm.Iprobe(runtime.MPI.ANY_SOURCE, _ASK, status):
        asker = status.Get_source()
        comm.recv(source=asker, tag=_ASK)
        comm.send(f"waiting in {what}"[:_LONGEST_ANSWER], dest=asker, tag=_ANSWER)  # small: sent eagerly


def _roll_call(what):
    """What every other rank answers within a moment, grouped: "ranks 1-3: ..."."""
    comm = runtime.PRIVATE
    others = [rank for rank in range(comm.Get_size()) if rank != comm.Get_rank()]
    pending = {rank: comm.irecv(source=rank, tag=_ANSWER) for rank in others}
    for rank in others:
        comm.send(None, dest=rank, tag=_ASK)
    answers = {}
    deadline = time.monotonic() + _ANSWER_SECONDS
    while pending and time.monotonic() < deadline:
        _answer_roll_call(what)  # another rank that timed out is asking too
        for rank, request in list(pending.items()):
            done, answer = request.test()
            if done:
                answers[rank] = answer
                del pending[rank]
        time.sleep(1e-3)
    ranks_by_answer = {}
    for rank in others:
        ranks_by_answer.setdefault(answers.get(rank, _NO_ANSWER), []).append(rank)
    return [f"{_ranks_text(ranks)}: {answer}" for answer, ranks in ranks_by_answer.items()]


def _ranks_text(ranks):
    """"rank 3", or "ranks 0-2 5" for a sorted list."""
    runs = []
    for rank in ranks:
        if runs and rank == runs[-1][1] + 1:
            runs[-1][1] = rank
        else:
            runs.append([rank, rank])
    text = " ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
    return f"rank {text}" if len(ranks) == 1 else f"ranks {text}"


def _time_out(what):
    lines = [f"timeout: {what} did not complete within {timeout_seconds:g} s"]
    try:
        lines += [f"  {line}" for line in _roll_call(what)]
    finally:  # whatever the roll call meets, the job ends
        rank = runtime.WORLD.Get_rank()
        sys.stdout.flush()
        sys.stderr.write("".join(f"[rank {rank}] {line}\n" for line in lines))
        runtime.abort(1)


def all_arrive(comm, what):
    """With a timeout, a timed barrier before a blocking call that has no timed form
    (mpi4py's pickled collectives, making communicators): the call then finds every
    rank there, and a rank that never comes is a timeout, not a hang."""
    if timeout_seconds is not None:
        complete(comm.Ibarrier(), what)


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
            return (f"rank {rank} gives -{option.replace('_s', 'S')} {tcl_list(view[option])}, "
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
                    mine, theirs = tcl_list(mine), tcl_list(theirs)
                what = "row shape" if command == "all_to_all" and key == "shape" else key
                return f"{command}: rank 0 has {what} {mine}, rank {rank} has {what} {theirs}"
    return None


def agree(group, seen):
    """Check mode: every rank compares what it is about to do; on a mismatch every
    rank raises the same error, naming the ranks that differ and how."""
    all_arrive(group.comm, f"{seen['command']} on {group.label}")
    views = group.comm.allgather(seen)
    problem = _difference(views)
    if problem:
        raise CommandError(f"collective mismatch on {group.label}: {problem}")
