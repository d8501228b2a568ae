"""Every wait on MPI in the runtime goes through ``wait``: one loop that keeps posted
receives progressing, answers other ranks' roll calls, notices ranks that ended
their scripts, enforces --timeout, and turns an MPI error into the end of the job.

Nothing here blocks inside MPI: a rank always polls, so it can notice what makes its
wait hopeless. The runtime's own messages travel on its private communicator
(runtime.PRIVATE) under tags of their own, never pairing with a script's.
"""

import os
import sys
import time

import numpy as np

from . import runtime
from .runtime import MPI, PRIVATE

timeout_seconds = None

# Tags on the private communicator: a roll-call question and its answer; the notice
# a rank sends every other one when its script has ended.
_ASK, _ANSWER, _ENDED = 1, 2, 3
# Poll without pausing for a while (most operations finish in microseconds), yielding
# the core after a few tries (ranks may outnumber cores), then back off so a long
# wait does not burn a core another rank may need.
_YIELD_AFTER, _SPIN_SECONDS, _FIRST_PAUSE, _LONGEST_PAUSE = 50, 1e-3, 50e-6, 2e-3
_ANSWER_SECONDS = 1.0
_NO_ANSWER = f"no answer within {_ANSWER_SECONDS:g} s (running the script, not waiting in MPI)"
_LONGEST_ANSWER = 1000  # characters: an answer always fits the asker's receive
# A rank's notice that it ended can overtake the last messages it sent before: a
# wait it blocks is given this long to complete all the same.
_ENDED_GRACE_SECONDS = 1.0

# world rank -> exit status, for ranks whose end-of-script notice this rank took in
ended = {}
# Called while a wait is slow (the postal's advance: a receive's data is posted once
# its header has come, whoever waits).
progress = []


def configure(timeout=None):
    global timeout_seconds
    timeout_seconds = timeout


def wait(request, what, status=None, waits_on=(), needs_all=False, bounded=True):
    """Wait for an MPI request. ``waits_on``: the world ranks whose end of script
    makes the wait hopeless (any of them, or with ``needs_all`` all of them)."""
    try:
        if request.Test(status):
            return
        start = time.monotonic()
        tries = 0
        while True:
            tries += 1
            if request.Test(status):
                return
            if tries > _YIELD_AFTER:
                os.sched_yield()
                if time.monotonic() - start > _SPIN_SECONDS:
                    break
        _slow_wait(request, what, status, start, waits_on, needs_all, bounded)
    except MPI.Exception as exc:
        fatal(f"{what}: MPI failed ({runtime.error_text(exc)}): the ranks disagree about this "
              "operation (its kind or its sizes)")


def _slow_wait(request, what, status, start, waits_on, needs_all, bounded):
    pause, hopeless_since = _FIRST_PAUSE, None
    while not request.Test(status):
        for advance in progress:
            advance()
        answer_roll_call(what)
        _take_end_notices()
        blocker = _blocker(waits_on, needs_all)
        now = time.monotonic()
        if blocker is not None:
            hopeless_since = hopeless_since or now
            if now - hopeless_since > _ENDED_GRACE_SECONDS:
                fatal(f"rank {blocker} ended its script (exit {ended[blocker]}) while this rank "
                      f"waits in {what}")
        if bounded and timeout_seconds is not None and now - start > timeout_seconds:
            _time_out(what)
        time.sleep(pause)
        pause = min(2 * pause, _LONGEST_PAUSE)


def _blocker(waits_on, needs_all):
    done = [rank for rank in waits_on if rank in ended]
    if not done or (needs_all and len(done) < len(waits_on)):
        return None
    return done[0]


def fatal(message):
    """End the whole job with ``message``: a wait that cannot complete, or an MPI
    failure after which ranks may hold data that is not the operation's result."""
    sys.stdout.flush()
    sys.stderr.write(f"[rank {runtime.WORLD.Get_rank()}] {message}\n")
    runtime.abort(1)


# ---- ranks that ended their scripts -----------------------------------------

def announce_end(status):
    """Tell every other rank that this one's script has ended: a rank waiting for it
    in an operation it can never join then ends the job instead of hanging."""
    note = np.array([status], dtype=np.int64)
    me = PRIVATE.Get_rank()
    return [PRIVATE.Isend([note, MPI.INT64_T], rank, _ENDED) for rank in range(PRIVATE.Get_size()) if rank != me]


def _take_end_notice(rank):
    note = np.empty(1, dtype=np.int64)
    PRIVATE.Recv([note, MPI.INT64_T], rank, _ENDED)
    ended[rank] = int(note[0])


def _take_end_notices():
    status = MPI.Status()
    while PRIVATE.Iprobe(MPI.ANY_SOURCE, _ENDED, status):
        _take_end_notice(status.Get_source())


def take_remaining_end_notices():
    """At the end of a run, once every rank has sent its notice: take in the rest."""
    for rank in range(PRIVATE.Get_size()):
        if rank != PRIVATE.Get_rank() and rank not in ended:
            _take_end_notice(rank)


# ---- timeouts and the roll call -------------------------------------------------

def answer_roll_call(what):
    status = MPI.Status()
    while PRIVATE.Iprobe(MPI.ANY_SOURCE, _ASK, status):
        asker = status.Get_source()
        PRIVATE.recv(source=asker, tag=_ASK)
        PRIVATE.send(f"waiting in {what}"[:_LONGEST_ANSWER], dest=asker, tag=_ANSWER)  # small: sent eagerly


def _roll_call(what):
    """What every other rank answers within a moment, grouped: "ranks 1-3: ..."."""
    others = [rank for rank in range(PRIVATE.Get_size()) if rank != PRIVATE.Get_rank()]
    pending = {rank: PRIVATE.irecv(source=rank, tag=_ANSWER) for rank in others}
    for rank in others:
        PRIVATE.send(None, dest=rank, tag=_ASK)
    answers = {}
    deadline = time.monotonic() + _ANSWER_SECONDS
    while pending and time.monotonic() < deadline:
        answer_roll_call(what)  # another rank that timed out is asking too
        for rank, request in list(pending.items()):
            done, answer = request.test()
            if done:
                answers[rank] = answer
                del pending[rank]
        time.sleep(1e-3)
    ranks_by_answer = {}
    for rank in others:
        ranks_by_answer.setdefault(answers.get(rank, _NO_ANSWER), []).append(rank)
    return [f"{ranks_text(ranks)}: {answer}" for answer, ranks in ranks_by_answer.items()]


def ranks_text(ranks):
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
