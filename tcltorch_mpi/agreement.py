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
          "row shape": tcl_list, "ranks": tcl_list,
          "dtypes": lambda codes: " ".join(dtypes.DISPLAY[dtypes.FROM_CODE[code]] for code in codes),
          "shapes": lambda shapes: " ".join(tcl_list(list(shape)) for shape in shapes)}


def configure(check=False):
    global check_collectives
    check_collectives = check


# The vote's message: each field, then each field negated (so that one MIN gives both
# every field's minimum and its maximum).
_VOTE = struct.Struct(f"={2 * _FIELDS}q")


class Ballot:
    """A group's voting state: its communicator for votes, another for the detail
    gathered after one, its sequence of collectives, and its -async collectives whose
    exchange has not started yet (in call order)."""

    __slots__ = ("comm", "detail_comm", "sequence", "deferred")

    def __init__(self, comm):
        self.comm, self.detail_comm = comm, comm.Dup()
        self.sequence = 0
        self.deferred = []

    def free(self):
        self.detail_comm.Free()
        self.comm.Free()


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
    """Vote on ``command`` and wait for the verdict: see Vote."""
    return Vote(group, command, details, prepare, loose).settle()


class Vote:
    """A vote on ``command`` with ``details`` (what must match: ints, tuples of ints,
    or text), posted at once; ``prepare()`` makes this rank's local checks and returns
    what the command needs. ``settle()`` returns (prepared, minimum and maximum of
    each loose value) once every rank agrees, and raises the same CommandError on
    every rank otherwise."""

    __slots__ = ("group", "command", "details", "prepared", "error", "sequence", "request", "result")

    def __init__(self, group, command, details, prepare=None, loose=(0, 0)):
        self.group, self.command, self.details = group, command, details
        self.error, self.prepared = None, None
        if prepare is not None:
            try:
                self.prepared = prepare()
            except CommandError as exc:
                self.error = str(exc)
        ballot = group.ballot
        self.sequence = ballot.sequence
        ballot.sequence += 1
        code, fingerprint = _fingerprint(command, tuple(details.values()))
        fields = (self.sequence, code, fingerprint, check_collectives, self.error is not None, *loose)
        send, self.result = _VOTE.pack(*fields, *[-field for field in fields]), bytearray(_VOTE.size)
        self.request = ballot.comm.Iallreduce([send, MPI.INT64_T], [self.result, MPI.INT64_T], MPI.MIN)

    def settle(self):
        group = self.group
        waiting.wait(self.request, f"{self.command} on {group.label}", waits_on=group.others)
        # Every rank has now made every call before this one: the -async ones among
        # them start their exchange first, so that exchanges start in call order.
        while group.ballot.deferred and group.ballot.deferred[0].vote.sequence < self.sequence:
            group.ballot.deferred[0].begin()
        votes = _VOTE.unpack_from(self.result)
        lowest, highest = votes[:_FIELDS], [-vote for vote in votes[_FIELDS:]]
        if lowest[:_EQUAL] != tuple(highest[:_EQUAL]) or highest[_FAILED] or check_collectives:
            explain(group, {"command": self.command, "sequence": self.sequence, "error": self.error,
                            **self.details})
        return self.prepared, (lowest[_LOOSE_FROM:], highest[_LOOSE_FROM:])

    def mismatch(self, details):
        """A difference every rank saw in the vote's loose values: named, on every rank."""
        explain(self.group, {"command": self.command, "sequence": self.sequence, "error": None, **details})
        raise CommandError(f"collective mismatch on {self.group.label}: {self.command}: the ranks disagree")


class Deferred:
    """An -async collective: its vote is posted at the call, and its exchange
    (``exchange(vote)``, which settles the vote) starts when the script tests or
    waits for it, or before a later collective of the group, whichever comes first.
    So the call never waits for the other ranks to make it."""

    def __init__(self, vote, exchange):
        self.vote, self.exchange = vote, exchange
        self.started, self.error = None, None
        vote.group.ballot.deferred.append(self)

    def begin(self):
        self.vote.group.ballot.deferred.remove(self)
        try:
            self.started = self.exchange(self.vote)
        except CommandError as exc:
            self.error = str(exc)

    def ready(self):
        """Whether the exchange has started (or failed), without waiting."""
        if self.started is None and self.error is None and self.vote.request.Test():
            self.begin()
        return self.started is not None or self.error is not None

    def result(self):
        """(MPI request, result, input kept alive), once started."""
        if self.started is None and self.error is None:
            self.begin()  # its vote, settled, begins the earlier ones first
        if self.error is not None:
            raise CommandError(self.error)
        return self.started


def explain(group, view):
    """Every rank gathers every view and raises the same error, if the views differ
    or any rank's checks failed (called by every rank of the group, or by none)."""
    problem = _difference(gather(group, view), group)
    if problem:
        raise CommandError(problem)


def gather(group, item):
    """Every rank's ``item`` (picklable), on the group's detail communicator (its
    gathers come in call order on every rank), waited for like any other operation."""
    comm, what = group.ballot.detail_comm, f"{item['command']} on {group.label}"
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
