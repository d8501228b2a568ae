import sys

import pytest

from tests.tclsession import TclSession

# tests/mpi/ and tests/fuzz/ run only under mpirun (pytest --with-mpi), launched by test_mpi_ranks.py.
collect_ignore = [] if "--with-mpi" in sys.argv else ["mpi", "fuzz"]


@pytest.fixture
def tcl():
    """A fresh interpreter with the torch:: commands (one process: a group of one)."""
    return TclSession()
