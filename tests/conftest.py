import sys

import pytest

from tests.tclsession import SHOWN, TclSession

# tests/mpi/ and tests/fuzz/ run only under mpirun (pytest --with-mpi), launched by test_mpi_ranks.py.
collect_ignore = [] if "--with-mpi" in sys.argv else ["mpi", "fuzz"]


@pytest.fixture
def tcl():
    """A fresh interpreter with the torch:: commands (one process: a group of one)."""
    session = TclSession()
    yield session
    session.close()


@pytest.fixture(autouse=True)
def no_internal_errors(request):
    """A test fails when anything it saw shows an internal error (a Python bug), unless
    it is marked internal_error: it provokes one on purpose."""
    SHOWN.clear()
    yield
    if request.node.get_closest_marker("internal_error") is None:
        bugs = [text for text in SHOWN if "internal error:" in str(text)]
        SHOWN.clear()
        if bugs:
            pytest.fail(f"the project showed an internal error: {bugs[0]}", pytrace=False)
