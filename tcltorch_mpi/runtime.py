"""Starting MPI, and ending the whole job when one rank fails."""

import ctypes
import os
import sys
import time

from . import mpi_tool


def _settle_before_init():
    """Process settings that MPI and the allocator read once, before MPI starts."""
    # Every collective returns a fresh tensor. glibc maps large blocks afresh each
    # time (and the kernel zeroes them: 64 MiB costs ~15 ms); keeping freed memory in
    # the heap lets the next result reuse it, as a caching allocator would (measured:
    # a 64 MiB all_to_all loop at 1.05x raw MPI instead of ~2x). The process keeps its
    # peak memory; TCLTORCH_MPI_KEEP_FREED_MEMORY=0 turns this off.
    if os.environ.get("TCLTORCH_MPI_KEEP_FREED_MEMORY", "1") == "0":
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    m_trim_threshold, m_mmap_max = -1, -4
    mallopt(m_mmap_max, 0)
    mallopt(m_trim_threshold, 2**30)


def _load_mpi():
    _settle_before_init()
    try:
        import mpi4py

        # One thread drives MPI; "single" avoids the locking cost of MPI_THREAD_MULTIPLE.
        mpi4py.rc.thread_level = "single"
        from mpi4py import MPI
        return MPI
    except (ImportError, RuntimeError, OSError) as exc:
        # One process needs no launcher (MPI starts as a singleton), but it needs MPI.
        reason = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        sys.stderr.write(f"tcltorch_mpi: the MPI library cannot be loaded ({reason}); install one: "
                         "pip install mpi4py mpich  (or build mpi4py against your site's MPI)\n")
        raise SystemExit(1) from None


MPI = _load_mpi()

WORLD = MPI.COMM_WORLD
# The runtime's own communicator (the end-of-run barrier, the roll call on a timeout):
# its messages and collectives never pair with a script's.
PRIVATE = WORLD.Dup()


def _node_place():
    node = WORLD.Split_type(MPI.COMM_TYPE_SHARED)
    place = node.Get_rank(), node.Get_size()
    node.Free()
    return place


# This rank's place among the ranks of its node, and how many they are.
NODE_RANK, NODE_SIZE = _node_place()

_DEVICE_COLLECTIVES = "MPIR_CVAR_DEVICE_COLLECTIVES"
_DEVICE_COLLECTIVES_NONE = 1  # its place in MPICH's enum: MPI_T names no values for it


def _choose_collectives():
    """MPICH's shared-memory collectives spin without yielding: with more ranks than
    cores on a node, a spinning rank holds the core its peer needs (4 ranks on 2 cores:
    a 1 MiB all_reduce takes ~1 s instead of ~2.5 ms), so there the point-to-point
    algorithms are used. Every rank must choose alike (MPICH hangs in a collective
    whose ranks chose differently), so one crowded node switches them off on all: it
    is decided after MPI starts, over MPI, and written through MPI_T. The user's own
    setting is kept."""
    if _DEVICE_COLLECTIVES in os.environ or WORLD.Get_size() == 1:
        return
    crowded = NODE_SIZE > len(os.sched_getaffinity(0))
    if PRIVATE.allreduce(crowded, op=MPI.LOR) and mpi_tool.write(_DEVICE_COLLECTIVES, _DEVICE_COLLECTIVES_NONE):
        os.environ[_DEVICE_COLLECTIVES] = "none"  # what the script and its children see


_choose_collectives()


# Time for the launcher to forward what a failing rank printed before MPI_Abort
# makes it tear the job down (under load, Hydra can drop output still in the pipes).
_FORWARD_SECONDS = 0.3


def abort(code=1):
    """End every rank now: never leave one waiting in a collective."""
    sys.stdout.flush()
    sys.stderr.flush()
    if WORLD.Get_size() > 1:
        time.sleep(_FORWARD_SECONDS)
        WORLD.Abort(code)
    os._exit(code)


def _c_exit():
    """The C library's exit(): its exit-time handlers run (MPICH's among them), Python's
    teardown does not. With os._exit after MPI_Finalize, Hydra now and then takes a
    finished rank for a failed one and kills its peers ("Killed (signal 9)": about 1
    run in 50 at 4 ranks here, and every run when each rank is wrapped in a shell).
    Called through PyDLL, which keeps the GIL: no Python thread runs meanwhile."""
    try:
        return ctypes.PyDLL(None).exit
    except (OSError, AttributeError):
        return os._exit


def finish(code=0):
    """Leave with ``code`` after MPI is shut down cleanly (code 0) or the job aborted."""
    if code:
        abort(code)
    sys.stdout.flush()
    sys.stderr.flush()
    if MPI.Is_initialized() and not MPI.Is_finalized():
        try:
            MPI.Finalize()
        except MPI.Exception as exc:  # MPI's own verdict on the run, as one line
            sys.stderr.write(f"[rank {WORLD.Get_rank()}] MPI error at exit: "
                             f"{error_text(exc)}\n")
            _c_exit()(1)
    _c_exit()(0)


def error_text(exc):
    """An MPI error's first line, as every message here quotes it."""
    return exc.Get_error_string().strip().splitlines()[0]


def library_name():
    return MPI.Get_library_version().splitlines()[0].strip()
