"""A stand-in for mpi4py's MPI module, used when the MPI library cannot be loaded
and no launcher asked for several ranks: one process, where every collective of a
group of one is a copy and a message to oneself waits in a mailbox."""

import ctypes
import os

UNDEFINED = -32766
ANY_SOURCE = -1
TAG_UB = "TAG_UB"
COMM_TYPE_SHARED = "COMM_TYPE_SHARED"
REQUEST_NULL = object()


class _Constant:
    def __init__(self, name):
        self.name = name


BYTE, INT64_T = _Constant("BYTE"), _Constant("INT64_T")
SUM, MAX, MIN, PROD, BAND, BOR, BXOR, LOR, LAND, LXOR = map(
    _Constant, "SUM MAX MIN PROD BAND BOR BXOR LOR LAND LXOR".split())


def Get_library_version():  # noqa: N802  (mpi4py's names)
    return "none: the MPI library could not be loaded; one process"


def Is_initialized():  # noqa: N802
    return True


def Is_finalized():  # noqa: N802
    return False


def Finalize():  # noqa: N802
    pass


class buffer:  # noqa: N801
    @staticmethod
    def fromaddress(address, size):
        if not size:
            return memoryview(bytearray())
        return memoryview((ctypes.c_char * size).from_address(address)).cast("B")


def _memory(spec):
    """The bytes a buffer spec covers, from its displacement when it has one."""
    memory = memoryview(spec[0]).cast("B")
    if len(spec) == 3:                       # [buffer, (counts, displacements), datatype]
        (count,), (start,) = spec[1]
        memory = memory[int(start):int(start) + int(count)]
    return memory


def _copy(send, recv):
    source, target = _memory(send), _memory(recv)
    target[:len(source)] = source


class Exception(Exception):  # noqa: A001  (mpi4py's name; never raised here)
    pass


class Status:
    def Get_source(self):  # noqa: N802
        return 0


class Request:
    def __init__(self, complete=None):
        self._complete = complete            # None: already done

    def Test(self, status=None):  # noqa: N802
        if self._complete is not None and self._complete():
            self._complete = None
        return self._complete is None

    def Wait(self, status=None):  # noqa: N802
        if not self.Test(status):
            raise RuntimeError("this receive can never complete: one process, and no matching "
                               "message was sent")

    def Cancel(self):  # noqa: N802
        self._complete = None

    @staticmethod
    def Testall(requests):  # noqa: N802
        return all(request.Test() for request in requests)


class _Group:
    def __init__(self, ranks=(0,)):
        self.ranks = list(ranks)

    def Incl(self, ranks):  # noqa: N802
        return _Group(ranks)

    def Free(self):  # noqa: N802
        pass


class Comm:
    def __init__(self):
        self._mailbox = []                   # messages sent to oneself, in order

    def Get_rank(self):  # noqa: N802
        return 0

    def Get_size(self):  # noqa: N802
        return 1

    def Get_attr(self, key):  # noqa: N802
        return 2**31 - 1

    def Abort(self, code=1):  # noqa: N802
        os._exit(code)

    def Barrier(self):  # noqa: N802
        pass

    def Bcast(self, buffer, root):  # noqa: N802
        pass

    def Alltoall(self, send, recv):  # noqa: N802
        _copy(send, recv)

    Alltoallv = Allgather = Alltoall

    def Allreduce(self, send, recv, op):  # noqa: N802
        _copy(send, recv)

    Reduce_scatter_block = Allreduce

    def Gather(self, send, recv, root):  # noqa: N802
        _copy(send, recv)

    Scatter = Gather

    def __getattr__(self, name):
        # Non-blocking twins (Iallreduce, Ibarrier, ...): done at once, one process.
        if not (name.startswith("I") and name[1:2].islower()):
            raise AttributeError(name)
        blocking = getattr(self, name[1].upper() + name[2:])

        def start(*args):
            blocking(*args)
            return Request()
        return start

    def allgather(self, value):
        return [value]

    def allreduce(self, value, op=None):
        return value

    def Dup(self):  # noqa: N802
        return Comm()

    def Split_type(self, kind):  # noqa: N802
        return Comm()

    def Split(self, color, key=0):  # noqa: N802
        return COMM_NULL if color == UNDEFINED else Comm()

    def Create(self, group):  # noqa: N802
        return Comm() if 0 in group.ranks else COMM_NULL

    def Get_group(self):  # noqa: N802
        return _Group()

    def Free(self):  # noqa: N802
        pass

    def Isend(self, spec, dest, tag):  # noqa: N802
        # Like MPI's self-sends, complete once received.
        letter = {"tag": tag, "data": bytes(_memory(spec)), "received": False}
        self._mailbox.append(letter)
        return Request(lambda: letter["received"])

    def Irecv(self, spec, source, tag):  # noqa: N802
        def arrived():
            for index, letter in enumerate(self._mailbox):
                if letter["tag"] == tag:
                    del self._mailbox[index]
                    _memory(spec)[:len(letter["data"])] = letter["data"]
                    letter["received"] = True
                    return True
            return False
        return Request(arrived)


COMM_WORLD, COMM_NULL = Comm(), Comm()
