"""Point-to-point messages and the requests that wait for them.

A message is a fixed-size header (dtype, shape) on tag 2t and the data on tag 2t+1,
so the receiver learns what arrives. Sends never block (MPI_Isend, the tensor kept
alive until done). A receive posts its data buffer as soon as its header has come,
whoever waits: every wait of this process advances every posted receive (the
postal is one per process), so a send to a rank that posted its receive completes
whether or not that rank waits on the receive itself.
"""

import time

from . import buffers, dtypes, waiting, wire
from .errors import CommandError, tcl_list
from .runtime import MPI, PRIVATE

MAX_TAG = MPI.COMM_WORLD.Get_attr(MPI.TAG_UB) // 2 - 1
# How long a send still in flight at the end, once every rank has reached it, may take
# to complete before it counts as never received (a received one completes at once).
_DELIVERY_SECONDS = 2.0
# Send requests kept before the first look for finished ones.
_PRUNE_FROM = 64


def check_tag(tag):
    if not 0 <= tag <= MAX_TAG:
        raise CommandError(f"Invalid tag: expected 0..{MAX_TAG}, got {tag}")


class SendRequest:
    never = "was never received"  # said of one still in flight at the end of a run

    def __init__(self, group, tensor, dst, tag):
        self.what = f"send to rank {dst} (tag {tag}) on {group.label}"
        self.comm, self.alone = group.comm, group.size == 1
        self.waits_on = (group.world_ranks[dst],)
        self.data = buffers.wire(tensor)
        self.header = wire.encode_header(self.data)
        self.requests = [group.comm.Isend([self.header, MPI.INT64_T], dst, 2 * tag),
                         group.comm.Isend(buffers.spec(self.data), dst, 2 * tag + 1)]

    @property
    def quiet_at_end(self):
        return self.alone

    def test(self):
        return MPI.Request.Testall(self.requests)

    def wait(self):
        if self.alone:
            POSTAL.advance(until=None)
            if not (self.test() or POSTAL.receiving_data(self.comm)):
                raise CommandError(f"{self.what} can never complete: the group has one process "
                                   "and no receive takes the message")
        for request in self.requests:
            waiting.wait(request, self.what, waits_on=self.waits_on)
        return None


class ReceiveRequest:
    """An irecv: its header receive is posted at once, its data receive as soon as
    the header is seen (in posting order, which keeps same-source messages in order)."""

    never = "was never matched by a send"

    def __init__(self, group, src, tag, shape, dtype):
        self.comm, self.tag = group.comm, tag
        self.alone = group.size == 1
        self.withdrawn = False  # its group was destroyed before a message came
        source = "any rank" if src == MPI.ANY_SOURCE else f"rank {src}"
        self.what = f"recv from {source} (tag {tag}) on {group.label}"
        # Any source: hopeless only once every other rank has ended.
        self.waits_on = group.others if src == MPI.ANY_SOURCE else (group.world_ranks[src],)
        self.expected_shape, self.expected_dtype = shape, dtype
        self.header = wire.empty_header()
        self.status = MPI.Status()
        self.header_request = self.comm.Irecv([self.header, MPI.INT64_T], src, 2 * tag)
        self.data_request = None
        self.result = None

    @property
    def quiet_at_end(self):
        return self.alone or self.withdrawn

    def header_arrived(self):
        # A header already completed by Wait is a null request; Test would wipe its status.
        return self.header_request == MPI.REQUEST_NULL or self.header_request.Test(self.status)

    def post_data(self):
        dtype, shape = wire.decode_header(self.header)
        self.result = buffers.host_empty(shape, dtype)
        self.data_request = self.comm.Irecv(buffers.spec(self.result), self.status.Get_source(),
                                            2 * self.tag + 1)

    def test(self):
        if self.data_request is None and not self.withdrawn:
            POSTAL.advance(until=self)
        return self.data_request is not None and self.data_request.Test()

    def wait(self):
        if self.withdrawn:
            raise CommandError(f"{self.what} can never complete: the group was destroyed first")
        if self.data_request is None:
            POSTAL.advance(until=self)
        if self.data_request is None:
            if self.alone:
                POSTAL.cancel(self)
                raise CommandError(f"{self.what} can never complete: the group has one process "
                                   "and no matching message was sent")
            waiting.wait(self.header_request, self.what, self.status, self.waits_on,
                         needs_all=len(self.waits_on) > 1)
            POSTAL.advance(until=self)
        waiting.wait(self.data_request, self.what, waits_on=self.waits_on, needs_all=len(self.waits_on) > 1)
        return self._checked()

    def _checked(self):
        result = self.result
        if self.expected_dtype is not None and result.dtype != self.expected_dtype:
            raise CommandError(f"recv: expected dtype {dtypes.DISPLAY[self.expected_dtype]}, "
                               f"but the sender sent {dtypes.DISPLAY[result.dtype]}")
        if self.expected_shape is not None and tuple(result.shape) != tuple(self.expected_shape):
            raise CommandError(f"recv: expected shape {tcl_list(self.expected_shape)}, "
                               f"but the sender sent {tcl_list(result.shape)}")
        return result  # on the CPU: the commands have no device to receive on


class CollectiveRequest:
    """A non-blocking collective (an agreement.Deferred) and the tensor it fills."""

    never = "never completed: not every rank of the group called it"
    quiet_at_end = False

    def __init__(self, group, deferred, device, what):
        self.deferred, self.device = deferred, device
        self.what, self.waits_on = f"{what} on {group.label}", group.others

    def test(self):
        if not self.deferred.ready():
            return False
        return self.deferred.error is not None or self.deferred.started[0].Test()

    def wait(self):
        request, result, _ = self.deferred.result()
        waiting.wait(request, self.what, waits_on=self.waits_on)
        return buffers.home(result, self.device)


class Postal:
    """This process's in-flight messages."""

    def __init__(self):
        self._receiving = []  # receives whose header has not been seen, in posting order
        self._posted = []     # in groups of one: receives whose data receive is posted
        self._sending = []    # sends (blocking or not) possibly still in flight
        self._prune_at = _PRUNE_FROM

    def send(self, group, tensor, dst, tag):
        """Start a send (none blocks). Its request is kept until seen done; the end of
        the run checks the rest."""
        if len(self._sending) >= self._prune_at:  # not every request tested on every send
            self._sending = [s for s in self._sending if not s.test()]
            self._prune_at = max(_PRUNE_FROM, 2 * len(self._sending))
        self._sending.append(SendRequest(group, tensor, dst, tag))
        return self._sending[-1]

    def irecv(self, group, src, tag, shape, dtype):
        receive = ReceiveRequest(group, src, tag, shape, dtype)
        self._receiving.append(receive)
        return receive

    def advance(self, until=None):
        """Post the data receive of every receive (up to ``until``) whose header arrived.
        MPI matches headers in posting order; testing them last to first means that when
        a later header is seen to have arrived, every earlier one it could have matched
        is seen too, so data receives are posted in the order their messages were sent."""
        pending = self._receiving
        if not pending:
            return
        if until in pending:
            pending = pending[:pending.index(until) + 1]
        arrived = [receive.header_arrived() for receive in reversed(pending)][::-1]
        for receive, ready in zip(list(pending), arrived):
            if ready:
                self._receiving.remove(receive)
                receive.post_data()
                if receive.alone:  # what a send to oneself may be waiting for
                    if len(self._posted) % _PRUNE_FROM == _PRUNE_FROM - 1:  # now and then
                        self._posted = [r for r in self._posted if not r.data_request.Test()]
                    self._posted.append(receive)

    def receiving_data(self, comm):
        """Whether a data receive on ``comm`` (a group of one) is posted and not yet done."""
        self._posted = [r for r in self._posted if not r.data_request.Test()]
        return any(r.comm is comm for r in self._posted)

    def cancel(self, receive):
        """Withdraw a receive whose header has not arrived."""
        receive.header_request.Cancel()
        receive.header_request.Wait()
        self._receiving.remove(receive)

    def _take_leftovers(self, group):
        """Messages to this process on ``group`` that no receive took: taken in (MPI fails
        on them in MPI_Finalize, and a large one keeps its sender waiting), and named
        (in a group of one, a message to oneself is dropped: scripts for the
        single-process LibTorch extension send without receiving)."""
        named, status = [], MPI.Status()
        while group.comm.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG, status):
            source, tag = status.Get_source(), status.Get_tag()
            if tag % 2 and self._receiving:
                # Data: its header may have just met an unwaited receive, which takes it.
                self.advance()
                if not group.comm.Iprobe(source, tag, status):
                    continue
            group.comm.Recv([bytearray(status.Get_count(MPI.BYTE)), MPI.BYTE], source, tag)
            if tag % 2 == 0 and group.size > 1:  # a header; its data (tag + 1) is taken in without a name
                named.append(f"rank {source}'s send (tag {tag // 2}) on {group.label} was never received")
        return named

    def release(self, comm):
        """Before a destroyed group's communicator is freed: a receive on it whose
        message came takes its data now; the others are withdrawn."""
        self.advance()
        for receive in [r for r in self._receiving if r.comm is comm]:
            self.cancel(receive)
            receive.withdrawn = True

    def unfinished_at_end(self, groups, unwaited):
        """At the end of a run, on every rank before MPI shuts down: (what this process
        knows was left unfinished, whether any process knows of something). Every rank
        tells the others its script has ended, then waits for all to reach their end:
        no message can be sent or receive posted after that, so each takes in the
        messages still waiting for it; its own sends, and the requests its script never
        waited for (``unwaited``), still not done a moment later never will be."""
        notices = waiting.announce_end(0)
        waiting.wait(PRIVATE.Ibarrier(), "the end-of-run barrier (its script is done)", bounded=False)
        waiting.take_remaining_end_notices()
        MPI.Request.Waitall(notices)
        unfinished = [what for group in groups for what in self._take_leftovers(group)]
        for receive in [r for r in self._receiving if r.quiet_at_end]:
            self.cancel(receive)
        for send in self._sending:
            if send.quiet_at_end:
                send.test()  # a finished request is freed (MPI warns of one never freed)
        pending = [r for r in dict.fromkeys([*self._sending, *unwaited]) if not (r.quiet_at_end or r.test())]
        self._sending = []
        deadline = time.monotonic() + _DELIVERY_SECONDS
        while pending and time.monotonic() < deadline:
            time.sleep(1e-3)
            pending = [request for request in pending if not request.test()]
        unfinished += [f"{request.what} {request.never}" for request in pending]
        anywhere = bool(PRIVATE.allreduce(len(unfinished)))
        return unfinished, anywhere


POSTAL = Postal()
waiting.progress.append(POSTAL.advance)
