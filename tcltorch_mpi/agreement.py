"""The one way the ranks of a group reach a common verdict before data moves.

Every collective (and every call that makes a group) starts with a vote: one small
Iallreduce, on a communicator of the group's own that only votes use, of what each
rank is about to do: its place in the group's sequence of collectives, the
command, a fingerprint of what must match (dtype, shape, op, root, ...), and whether
its own checks of its input failed. Ranks that called different collectives, that
are out of step, or that disagree, and a local error on any one rank, become the
same Tcl error on every rank; only then is the detail gathered to name who and how.
A mismatch therefore never reaches MPI, where it would hang, fail on one rank only,
or leave ranks holding memory that is not the operation's result.

With --check-collectives the ranks also compare their whole views (not a
fingerprint) on every call.
"""

import pickle
import struct
import zlib

import numpy as np

from . import dtypes, waiting
from .errors import CommandError, tcl_list
from .runtime import MPI

check_collectives = False

# The vote: the first fields must be equal on every rank (sequence, command,
# fingerprint, check mode)...
_EQUAL = 4
# ...this one is the largest any rank has (1: its local checks failed)...
_FAILED = _EQUAL
# ...and these are loose values each command reads as their minimum and maximum.
_LOOSE_FROM, LOOSE = _EQUAL + 1, 2
_FIELDS = _LOOSE_FROM + LOOSE
_FINGERPRINT_BITS = (1 << 62) - 1  # stays clear of int64's limits when negated


# How a detail is written in a message.
_SHOWN = {"dtype": lambda code: dtypes.DISPLAY[dtypes.FROM_CODE[code]], "shape": tcl_list,
          "row shape": tcl_list, "ranks": tcl_list}


def configure(check=False):
    global check_collectives
    check_collectives = check


# The vote's message: each field, then each field negated (so that one MIN gives both
# every field's minimum and its maximum).
_VOTE = struct.Struct(f"={2 * _FIELDS}q")


class Ballot:
    """A group's voting state: its own communicator, its sequence, its buffers."""

    __slots__ = ("comm", "sequence", "send", "result")

    def __init__(self, comm):
        self.comm = comm
        self.sequence = 0
        self.send, self.result = bytearray(_VOTE.size), bytearray(_VOTE.size)


# (command, details) -> (command code, fingerprint), so that the hot path hashes once.
_FINGERPRINTS = {}
_FINGERPRINTS_KEPT = 4096


def _fingerprint(command, values):
    key = (command, values)
    known = _FINGERPRINTS.get(key)
    if known is None:
        if len(_FINGERPRINTS) >= _FINGERPRINTS_KEPT:
            _FINGERPRINTS.clear()
        code = zlib.crc32(command.encode())  # the same number in every process
        # str hashes are salted per process: text is hashed as its CRC.
        stable = tuple(zlib.crc32(v.encode()) if isinstance(v, str) else v for v in values)
        known = _FINGERPRINTS[key] = (code, hash(stable) & _FINGERPRINT_BITS)
    return known


def agree(group, command, details, prepare=None, loose=(0, 0)):
    """Vote on ``command`` with ``details`` (what must match: ints, tuples of ints,
    or text); ``prepare()`` makes this rank's local checks and returns what
    the command needs. Returns (prepared, minimum and maximum of each loose value)
    once every rank agrees; raises the same CommandError on every rank otherwise."""
    error, prepared = None, None
    if prepare is not None:
        try:
            prepared = prepare()
        except CommandError as exc:
            error = str(exc)
    ballot = group.ballot
    sequence = ballot.sequence
    ballot.sequence += 1
    code, fingerprint = _fingerprint(command, tuple(details.values()))
    fields = (sequence, code, fingerprint, check_collectives, error is not None, *loose)
    _VOTE.pack_into(ballot.send, 0, *fields, *[-field for field in fields])
    waiting.wait(ballot.comm.Iallreduce([ballot.send, MPI.INT64_T], [ballot.result, MPI.INT64_T], MPI.MIN),
                 f"{command} on {group.label}", waits_on=group.others)
    votes = _VOTE.unpack_from(ballot.result)
    lowest, highest = votes[:_FIELDS], [-vote for vote in votes[_FIELDS:]]
    if lowest[:_EQUAL] != tuple(highest[:_EQUAL]) or highest[_FAILED] or check_collectives:
        explain(group, {"command": command, "sequence": sequence, "error": error, **details})
    return prepared, (lowest[_LOOSE_FROM:], highest[_LOOSE_FROM:])


def explain(group, view):
    """Every rank gathers every view and raises the same error, if the views differ
    or any rank's checks failed (called by every rank of the group, or by none)."""
    problem = _difference(gather(group, view), group)
    if problem:
        raise CommandError(problem)


def mismatch(group, command, details):
    """A difference every rank saw in the vote's loose values: named, on every rank."""
    explain(group, {"command": command, "sequence": group.ballot.sequence, "error": None, **details})
    raise CommandError(f"collective mismatch on {group.label}: {command}: the ranks disagree")


def gather(group, item):
    """Every rank's ``item`` (picklable), on the group's voting communicator, waited
    for like any other operation."""
    comm, what = group.ballot.comm, f"{item['command']} on {group.label}"
    data = np.frombuffer(pickle.dumps(item), dtype=np.uint8)
    sizes = np.empty(group.size, dtype=np.int64)
    waiting.wait(comm.Iallgather([np.array([data.size], dtype=np.int64), MPI.INT64_T], [sizes, MPI.INT64_T]),
                 what, waits_on=group.others)
    everything = np.empty(int(sizes.sum()), dtype=np.uint8)
    offsets = np.cumsum(sizes) - sizes
    waiting.wait(comm.Iallgatherv([data, MPI.BYTE], [everything, (sizes, offsets), MPI.BYTE]),
                 what, waits_on=group.others)
    return [pickle.loads(everything[start:start + size].tobytes()) for start, size in zip(offsets, sizes)]


def _difference(views, group):
    """The message for views that differ, or None: different calls first (ranks out
    of step), then a rank's failed check, then the first detail that differs."""
    first = views[0]
    for rank, view in enumerate(views):
        if view["command"] != first["command"]:
            return (f"collective mismatch on {group.label}: rank 0 called {first['command']} "
                    f"while rank {rank} called {view['command']}")
        if view["sequence"] != first["sequence"]:
            return (f"collective mismatch on {group.label}: ranks are out of step: rank 0 is at "
                    f"its collective #{first['sequence'] + 1} on the group, rank {rank} at "
                    f"#{view['sequence'] + 1} ({first['command']})")
    errors = [view["error"] for view in views]
    first_error = next((error for error in errors if error), None)
    if first_error:
        ranks = [rank for rank, error in enumerate(errors) if error == first_error]
        return first_error if len(ranks) == group.size else f"{first_error} (on {waiting.ranks_text(ranks)})"
    command = first["command"]
    for key in first:
        if key == "error":
            continue
        for rank, view in enumerate(views):
            if view[key] != first[key]:
                show = _SHOWN.get(key, str)
                return (f"collective mismatch on {group.label}: {command}: rank 0 has {key} "
                        f"{show(first[key])}, rank {rank} has {key} {show(view[key])}")
    return None
