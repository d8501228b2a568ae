"""Starting MPI, and ending the whole job when one rank fails."""

import os
import sys

import mpi4py

# One thread drives MPI; "single" avoids the locking cost of MPI_THREAD_MULTIPLE.
mpi4py.rc.thread_level = "single"
from mpi4py import MPI  # noqa: E402  (rc must be set before the import)

WORLD = MPI.COMM_WORLD


def abort(code=1):
    """End every rank now: never leave one waiting in a collective."""
    sys.stdout.flush()
    sys.stderr.flush()
    if WORLD.Get_size() > 1:
        WORLD.Abort(code)
    os._exit(code)


def finish(code=0):
    """Leave with ``code`` after MPI is shut down cleanly (code 0) or the job aborted."""
    if code:
        abort(code)
    sys.stdout.flush()
    sys.stderr.flush()
    if MPI.Is_initialized() and not MPI.Is_finalized():
        MPI.Finalize()
    os._exit(0)


def library_name():
    return MPI.Get_library_version().splitlines()[0].strip()
