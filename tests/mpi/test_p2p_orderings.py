"""Any legal ordering of isend / irecv / wait / test / barrier completes with the
data sent (a property test: hypothesis draws the programs, the same on every rank)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from mpi4py import MPI

pytestmark = pytest.mark.mpi
COMM = MPI.COMM_WORLD
W, RANK = COMM.Get_size(), COMM.Get_rank()
# Small messages go eagerly; from 8 KiB up a send waits for its receive to be posted.
SIZES = [1, 100, 3000, 300000]

messages = st.lists(st.tuples(st.integers(0, W - 1), st.integers(0, W - 1), st.sampled_from(SIZES)),
                    min_size=1, max_size=6)


def program(message_list, rng, me):
    """Rank ``me``'s calls: every request posted (in a random order, with tests between),
    then a wait for each in a random order with one barrier somewhere among them.
    Legal: nothing is waited for before every rank can have posted it."""
    mine = [("irecv", k) for k, (src, dst, _) in enumerate(message_list) if dst == me] + \
           [("isend", k) for k, (src, dst, _) in enumerate(message_list) if src == me]
    rng.shuffle(mine)
    posts = []
    for call in mine:
        posts.append(call)
        if rng.random() < 0.3:
            posts.append(("test", call[1], call[0]))
    waits = [("wait", k, kind) for kind, k in mine]
    rng.shuffle(waits)
    waits.insert(rng.randint(0, len(waits)), ("barrier",))
    return posts + waits


def data(k, size):
    return np.arange(size, dtype=np.int64) + 1000 * k


@pytest.mark.skipif(W == 1, reason="needs two ranks or more")
@settings(max_examples=25, derandomize=True, database=None, deadline=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
@given(message_list=messages, rng=st.randoms(use_true_random=False))
def test_legal_orderings_complete_with_the_data_sent(tcl, message_list, rng):
    handles, received = {}, {}
    # Every rank draws every rank's program, so that all draw the same examples.
    programs = [program(message_list, rng, rank) for rank in range(W)]
    for call in programs[RANK]:
        if call[0] == "barrier":
            tcl.eval("torch::distributed_barrier")
            continue
        if call[0] == "test":
            tcl.eval(f"torch::distributed_test {handles[(call[2], call[1])]}")
            continue
        kind, k = call[0], call[1]
        src, dst, size = message_list[k]
        if kind == "irecv":
            handles[("irecv", k)] = tcl.eval(f"torch::distributed_irecv {{{size}}} {src} {k} -dtype int64")
        elif kind == "isend":
            handles[("isend", k)] = tcl.eval(
                f"torch::distributed_isend [torch::tensor_create {{{' '.join(map(str, data(k, size)))}}} int64] {dst} {k}")
        else:
            result = tcl.eval(f"torch::distributed_wait {handles[(call[2], k)]}")
            if call[2] == "irecv":
                received[k] = tcl.read(result, "int64")
    correct = all(np.array_equal(array, data(k, message_list[k][2])) for k, array in received.items())
    assert all(COMM.allgather(correct))  # the same verdict on every rank: none moves on alone
