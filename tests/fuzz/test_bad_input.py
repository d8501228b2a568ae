"""Property-based bad input (hypothesis), on 1, 2 and 3 real ranks: every call of every
command ends in a clean Tcl error or a valid result (no crash, no hang, no Python
names or tracebacks), and MPI still works afterwards.

Every rank draws the same examples (derandomized), so collectives are called alike
everywhere; a rank that reached a different verdict would hang the job, which
test_mpi_ranks.py's timeout turns into a failure."""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpi4py import MPI

from tests.tclsession import TclSession

pytestmark = pytest.mark.mpi
COMM = MPI.COMM_WORLD
# Calls that block by design until a peer acts (a valid recv/wait is not bad input).
BLOCKING = {"distributed_recv", "distributedRecv", "distributed_wait", "distributedWait"}
PYTHON_NAMES = re.compile(r"Traceback|\b[A-Z][a-z]+(Error|Exception)\b|File \"|\bNone\b|<[a-z_.]+ object")
tcl_session = TclSession()
tcl_session.eval("set ::live [torch::ones {4}]")
LIVE = object()  # stands for a valid tensor handle in a drawn call
COMMANDS = sorted(name.split("::")[-1] for name in tcl_session.tk.splitlist(tcl_session.eval("info commands ::torch::*"))
                  if name.split("::")[-1] not in BLOCKING)

numbers = st.one_of(st.integers(-2**70, 2**70).map(str), st.sampled_from(
    ["0", "-1", "1", "2", "3", "1e308", "-1e400", "NaN", "Inf", "0x7fffffffffffffff", "1.5", "-0"]))
words = st.one_of(
    numbers,
    st.sampled_from([LIVE, LIVE, "tensor99999", "request0", "", " ", "{", "}", "{1 2",
                     "[exit 7]", "$x", "\\", "\"", ";", "a b", "float32", "int64", "bool", "bfloat16",
                     "cuda", "cuda:9", "cpu", "sum", "mean", "bxor", "g1", "{0 1}", "{1 2 3 4}", "{}",
                     "{{1 2} {3}}", "-tensor", "-group", "-shape", "-dtype", "-foo", "-inputSplits",
                     "-async", "-1"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)
calls = st.tuples(st.sampled_from(COMMANDS), st.lists(words, max_size=6))


@settings(max_examples=1000, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(calls)
def test_every_bad_call_is_a_clean_tcl_error_or_a_result(call):
    command, args = call
    tk = tcl_session.tk
    tk.eval("set ::x 1")
    # A valid handle where the example has one: made through Tcl, remade if a call freed it.
    if tk.eval("catch {torch::tensor_numel $::live}") == "1":
        tk.eval("set ::live [torch::ones {4}]")
    args = [tk.getvar("::live") if arg is LIVE else arg for arg in args]
    tk.setvar("call", tk.call("list", f"torch::{command}", *args))
    code = tk.eval("catch {{*}$::call} ::message")
    message = tk.getvar("::message")
    assert code in ("0", "1"), (command, args, code)
    if code == "1":
        assert message.strip(), (command, args)
        assert not PYTHON_NAMES.search(message), (command, args, message)


def test_mpi_still_works_after_the_bad_calls():
    tk = TclSession()
    rank, size = COMM.Get_rank(), COMM.Get_size()
    total = tk.eval(f"torch::tensor_to_list [torch::distributed_all_reduce [torch::full {{3}} {rank} int64]]")
    out = tk.read(tk.eval(f"torch::distributed_all_to_all [torch::full {{{size}}} {rank} int32]"), "int32")
    assert total == " ".join([str(size * (size - 1) // 2)] * 3)
    np.testing.assert_array_equal(out, np.arange(size, dtype=np.int32))
