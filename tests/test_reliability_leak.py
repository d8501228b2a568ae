"""Memory stays flat when a script catches failing torch:: commands over and over."""

import os


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_caught_errors_do_not_grow_memory(tcl):
    # Before: each caught error kept tkinter's copy of the exception and its frame
    # (~0.7 KiB; 34 MiB after 48,000 errors).
    loop = "for {set i 0} {$i < %d} {incr i} {catch {torch::tensor_shape nosuch}}"
    tcl.eval(loop % 5000)  # warm-up: caches and allocator pools reach their size
    before = resident_bytes()
    tcl.eval(loop % 50000)
    grown = resident_bytes() - before
    assert grown < 2**20, f"50,000 caught errors grew resident memory by {grown / 2**20:.1f} MiB"
    assert tcl.error("torch::tensor_shape nosuch") == "Invalid tensor name: nosuch"
