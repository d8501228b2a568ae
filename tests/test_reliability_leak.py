"""Memory stays flat when a script catches failing torch:: commands over and over, and
an interpreter let go of is freed."""

import gc
import os
import weakref

from tcltorch_mpi import interp


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
    assert tcl.error_detail("torch::tensor_shape nosuch") == "Invalid tensor name: nosuch"


def test_a_released_interpreter_is_freed_with_its_tensors():
    # Its commands hold the engine and the engine the interpreter, through Tcl, where
    # Python's collector cannot see: without release() both stay to the end of the
    # process (the suite's ~5000 sessions once held 8.5 GB and took 3 min to exit).
    tk, engine = interp.create()
    tensor = engine.tensor(tk.eval("torch::ones {1000}"))
    gone = weakref.ref(engine), weakref.ref(tensor)
    interp.release(tk, engine)
    del tk, engine, tensor
    gc.collect()
    assert [ref() for ref in gone] == [None, None]
