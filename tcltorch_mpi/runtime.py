"""Starting MPI, and ending the whole job when one rank fails."""

import os
import sys

# Launcher variables that give the number of ranks (MPICH/Hydra, Open MPI, PMIx, Slurm).
_LAUNCHER_SIZES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "SLURM_STEP_NUM_TASKS")


def _load_mpi():
    try:
        import mpi4py

        # One thread drives MPI; "single" avoids the locking cost of MPI_THREAD_MULTIPLE.
        mpi4py.rc.thread_level = "single"
        from mpi4py import MPI
        return MPI
    except (ImportError, RuntimeError, OSError) as exc:
        ranks = max((int(os.environ.get(name, "0") or 0) for name in _LAUNCHER_SIZES), default=0)
        where = f"the launcher started {ranks} ranks, but " if ranks > 1 else ""
        sys.stderr.write(f"tcltorch_mpi: {where}the MPI library cannot be loaded ({exc}); "
                         "install it with: pip install 'tcltorch_mpi[mpich]'\n")
        raise SystemExit(1) from None


MPI = _load_mpi()

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
