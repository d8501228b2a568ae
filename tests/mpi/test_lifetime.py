"""Handles and requests are released, and memory stays flat over many exchanges."""

import pytest
from mpi4py import MPI

from tests.tclsession import TclSession

pytestmark = pytest.mark.mpi
W = MPI.COMM_WORLD.Get_size()


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def test_memory_stays_flat_over_ten_thousand_all_to_all_and_free():
    """5,000 blocking and 5,000 -async exchanges, each result freed."""
    tcl = TclSession()
    tcl.eval(f"""
        proc exchange {{count}} {{
            set t [torch::ones {{{64 * W}}}]
            for {{set i 0}} {{$i < $count}} {{incr i}} {{
                set o [torch::distributed_all_to_all $t]
                torch::tensor_free $o
                set r [torch::distributed_all_to_all $t -async 1]
                torch::tensor_free [torch::distributed_wait $r]
            }}
            torch::tensor_free $t
        }}""")
    tcl.eval("exchange 500")                       # warm-up: allocator and MPI pools
    handles, before = tcl.eval("torch::tensor_count"), resident_bytes()
    tcl.eval("exchange 5000")
    growth = resident_bytes() - before
    growths = MPI.COMM_WORLD.allgather(growth)
    assert tcl.eval("torch::tensor_count") == handles == "0"
    assert len(tcl.engine.requests) == 0
    print(f"resident memory growth per rank over 10,000 exchanges: {growths} bytes")
    assert max(growths) < 4 * 2**20, f"resident memory grew by {growths} bytes"
