"""Every distributed command on real ranks (run under mpirun by test_mpi_ranks.py),
checked against values computed independently with numpy on every rank.

Each test does all of its communication before it asserts, so a failure on one
rank cannot leave the others waiting in the next test."""

import numpy as np
import pytest
import torch
from mpi4py import MPI

from tests.tclsession import NUMPY

pytestmark = pytest.mark.mpi
COMM = MPI.COMM_WORLD
W, RANK = COMM.Get_size(), COMM.Get_rank()
ALL_DTYPES = list(NUMPY)


def values(rank, shape, dtype, small=False):
    """Rank ``rank``'s deterministic data, exact in ``dtype`` (computable on any rank)."""
    n = int(np.prod(shape))
    base = np.arange(n) + 7 * rank
    if dtype == "bool":
        data = (base % 3) == 0
    elif dtype.startswith("complex"):
        data = (base % 5) + 1j * ((base + rank) % 3)
    elif small or dtype in ("float16", "bfloat16", "int8", "uint8"):
        data = base % 4 + 1
    else:
        data = base * 3 - 10 if dtype not in ("uint8",) else base
    return np.asarray(data).astype(NUMPY[dtype]).reshape(shape)


def same_everywhere(message):
    """Every rank got the same text; returns it."""
    texts = COMM.allgather(message)
    assert texts == [texts[0]] * W, texts
    return texts[0]


def expect_error(tcl, script):
    """The error ``script`` raises, asserted identical on every rank."""
    return same_everywhere(tcl.error(script))


# ---- all_to_all -------------------------------------------------------------

def chunks(array, splits):
    return np.split(array, np.cumsum(splits)[:-1]) if len(splits) > 1 else [array]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("tail", [(), (3,), (2, 3)])
def test_all_to_all_every_dtype_and_rank(tcl, dtype, tail):
    shape = (2 * W, *tail)
    handle = tcl.eval(f"torch::distributed_all_to_all {tcl.create(values(RANK, shape, dtype), dtype)}")
    expected = np.concatenate([np.split(values(j, shape, dtype), W)[RANK] for j in range(W)])
    assert tcl.eval(f"torch::tensor_dtype {handle}").lower() == dtype.lower()
    np.testing.assert_array_equal(tcl.read(handle, dtype), expected)


def test_all_to_all_permuted_input(tcl):
    x = values(RANK, (3, 2 * W), "float32")
    handle = tcl.eval(f"torch::tensor_permute {tcl.create(x, 'float32')} {{1 0}}")
    out = tcl.read(tcl.eval(f"torch::distributedAllToAll -tensor {handle}"), "float32")
    expected = np.concatenate([np.split(values(j, (3, 2 * W), "float32").T, W)[RANK] for j in range(W)])
    np.testing.assert_array_equal(out, expected)


def uneven_splits(rank):
    return [(rank + j) % 3 for j in range(W)]


@pytest.mark.parametrize("give_output_splits", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "int16", "bool", "bfloat16"])
def test_all_to_all_uneven_splits(tcl, give_output_splits, dtype):
    splits = uneven_splits(RANK)
    x = values(RANK, (sum(splits), 2), dtype)
    options = f"-inputSplits {{{' '.join(map(str, splits))}}}"
    if give_output_splits:
        options += f" -outputSplits {{{' '.join(str(uneven_splits(j)[RANK]) for j in range(W))}}}"
    out = tcl.read(tcl.eval(f"torch::distributed_all_to_all {tcl.create(x, dtype)} {options}"), dtype)
    expected = np.concatenate([chunks(values(j, (sum(uneven_splits(j)), 2), dtype), uneven_splits(j))[RANK]
                               for j in range(W)])
    np.testing.assert_array_equal(out, expected.reshape(-1, 2))


@pytest.mark.parametrize("extra", [-1, 1])
def test_a_wrong_output_splits_is_the_same_error_everywhere(tcl, extra):
    # The last rank expects one row more (or fewer) from rank 0 than rank 0 sends.
    t = tcl.eval(f"torch::ones {{{2 * W}}}")
    expected = [2] * W
    if RANK == W - 1:
        expected[0] += extra
    message = expect_error(tcl, f"torch::distributed_all_to_all {t} -outputSplits {{{' '.join(map(str, expected))}}}")
    assert message == (f"all_to_all: rank 0 sends 2 rows to rank {W - 1}, whose -outputSplits expects {2 + extra}")


def test_output_splits_on_some_ranks_only(tcl):
    # Ranks that give -outputSplits and ranks that do not make the same calls.
    splits = uneven_splits(RANK)
    options = f"-inputSplits {{{' '.join(map(str, splits))}}}"
    if RANK == 0:
        options += f" -outputSplits {{{' '.join(str(uneven_splits(j)[RANK]) for j in range(W))}}}"
    x = values(RANK, (sum(splits),), "int32")
    out = tcl.read(tcl.eval(f"torch::distributed_all_to_all {tcl.create(x, 'int32')} {options}"), "int32")
    np.testing.assert_array_equal(out, np.concatenate(
        [chunks(values(j, (sum(uneven_splits(j)),), "int32"), uneven_splits(j))[RANK] for j in range(W)]))


def test_all_to_all_zero_size(tcl):
    empty = tcl.eval("torch::zeros {0 3} int32")
    out = tcl.eval(f"torch::distributed_all_to_all {empty}")
    zeros = tcl.eval(f"torch::distributed_all_to_all {empty} -inputSplits {{{' '.join(['0'] * W)}}}")
    assert tcl.eval(f"torch::tensor_shape {out}") == tcl.eval(f"torch::tensor_shape {zeros}") == "0 3"


def test_all_to_all_chained_twice_is_identity(tcl):
    x = values(RANK, (2 * W, 5), "float32")
    handle = tcl.create(x, "float32")
    twice = tcl.eval(f"torch::distributed_all_to_all [torch::distributed_all_to_all {handle}]")
    np.testing.assert_array_equal(tcl.read(twice, "float32"), x)


def test_all_to_all_errors_are_the_same_on_every_rank(tcl):
    odd = tcl.eval(f"torch::ones {{{2 * W + 1} 2}}")
    scalar = tcl.eval("torch::tensor_sum [torch::ones {3}]")
    if W > 1:
        message = expect_error(tcl, f"torch::distributed_all_to_all {odd}")
        assert "-inputSplits" in message and "cannot be cut into" in message
    assert "-inputSplits" in expect_error(tcl, f"torch::distributed_all_to_all {scalar}")
    assert expect_error(tcl, f"torch::distributed_all_to_all {odd} -inputSplits {{{' '.join(['1'] * (W + 1))}}}") \
        == f"Invalid inputSplits: expected {W} sizes (one per rank), got {W + 1}"
    bad_sum = " ".join(["0"] * (W - 1) + ["1"])
    assert "sum to 1" in expect_error(tcl, f"torch::distributed_all_to_all {odd} -inputSplits {{{bad_sum}}}")
    negative = " ".join(["-1"] + ["0"] * (W - 1))
    assert "must not be negative" in expect_error(
        tcl, f"torch::distributed_all_to_all {odd} -inputSplits {{{negative}}}")
    # Nobody was left inside a collective: the next exchange works everywhere.
    ok = tcl.eval(f"torch::distributed_all_to_all [torch::ones {{{W}}}]")
    assert tcl.eval(f"torch::tensor_to_list {ok}") == " ".join(["1.0"] * W)


def test_async_all_to_all_overlaps_other_work(tcl):
    x = values(RANK, (4 * W,), "int64")
    request = tcl.eval(f"torch::distributed_all_to_all -tensor {tcl.create(x, 'int64')} -async 1")
    # Other work while the exchange is in flight.
    local = tcl.eval("torch::tensor_sum [torch::tensor_mul [torch::ones {100}] [torch::ones {100}]]")
    while tcl.eval(f"torch::distributed_test {request}") != "1":  # polling alone completes it
        pass
    out = tcl.read(tcl.eval(f"torch::distributed_wait {request}"), "int64")
    stale = tcl.error(f"torch::distributed_wait {request}")
    uneven = tcl.eval(f"torch::distributed_all_to_all {tcl.create(values(RANK, (sum(uneven_splits(RANK)),), 'int64'), 'int64')}"
                      f" -inputSplits {{{' '.join(map(str, uneven_splits(RANK)))}}} -async true")
    uneven_out = tcl.read(tcl.eval(f"torch::distributed_wait -handle {uneven}"), "int64")
    assert tcl.eval(f"torch::tensor_to_list {local}") == "100.0"
    np.testing.assert_array_equal(out, np.concatenate([np.split(values(j, (4 * W,), "int64"), W)[RANK]
                                                       for j in range(W)]))
    np.testing.assert_array_equal(uneven_out, np.concatenate(
        [chunks(values(j, (sum(uneven_splits(j)),), "int64"), uneven_splits(j))[RANK] for j in range(W)]))
    assert stale == f"Invalid request handle: {request}"


# ---- reductions ---------------------------------------------------------------

REDUCE = {"sum": np.add.reduce, "max": np.maximum.reduce, "min": np.minimum.reduce,
          "product": np.multiply.reduce, "band": np.bitwise_and.reduce, "bor": np.bitwise_or.reduce,
          "bxor": np.bitwise_xor.reduce}


def expected_reduction(op, dtype, shape):
    stack = np.stack([values(j, shape, dtype, small=True) for j in range(W)]).astype(
        np.float32 if dtype in ("float16", "bfloat16") else NUMPY[dtype])
    if dtype == "bool":
        logical = {"sum": np.any, "max": np.any, "bor": np.any, "min": np.all, "product": np.all,
                   "band": np.all, "bxor": lambda s, axis: np.logical_xor.reduce(s, axis=axis)}
        return logical[op](stack, axis=0)
    if op == "mean":
        return stack.sum(axis=0) / W
    return REDUCE[op](stack, axis=0)


def in_dtype(expected, dtype):
    """An expected result rounded to ``dtype`` as torch rounds (float16 and bfloat16 are
    reduced in float32), in the numpy type that tcl.read gives."""
    rounded = torch.from_numpy(np.asarray(expected)).to(getattr(torch, dtype))
    return (rounded.float() if dtype == "bfloat16" else rounded).numpy()


def reduction_error(op, dtype):
    integral = dtype.startswith(("int", "uint")) or dtype == "bool"
    if op in ("band", "bor", "bxor") and not integral:
        return "needs an integer or bool tensor"
    if op == "mean" and integral:
        return "mean of an integer tensor"
    if op in ("max", "min") and dtype.startswith("complex"):
        return "not defined for complex tensors"
    return None


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int8", "uint8",
                                   "int32", "int64", "bool", "complex64"])
@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "product", "band", "bor", "bxor"])
def test_all_reduce_every_op_and_dtype(tcl, op, dtype):
    shape = (3, 2)
    handle = tcl.create(values(RANK, shape, dtype, small=True), dtype)
    error = reduction_error(op, dtype)
    if error:
        assert error in expect_error(tcl, f"torch::distributed_all_reduce {handle} {op}")
        return
    out = tcl.read(tcl.eval(f"torch::distributed_all_reduce -tensor {handle} -op {op}"), dtype)
    np.testing.assert_array_equal(out, in_dtype(expected_reduction(op, dtype, shape), dtype))


@pytest.mark.parametrize("op,dtype", [("sum", "float32"), ("max", "int32"), ("mean", "float16"),
                                      ("product", "bfloat16"), ("bxor", "int64")])
def test_reduce_scatter(tcl, op, dtype):
    shape = (2 * W, 3)
    handle = tcl.create(values(RANK, shape, dtype, small=True), dtype)
    out = tcl.read(tcl.eval(f"torch::distributed_reduce_scatter {handle} {op}"), dtype)
    np.testing.assert_array_equal(out, in_dtype(np.split(expected_reduction(op, dtype, shape), W)[RANK], dtype))


def test_reduce_scatter_not_divisible_is_an_error_everywhere(tcl):
    if W == 1:
        pytest.skip("every size divides by 1")
    odd = tcl.eval(f"torch::ones {{{W + 1}}}")
    assert "cannot be cut into" in expect_error(tcl, f"torch::distributed_reduce_scatter {odd}")


# ---- rooted data movement -----------------------------------------------------

def test_broadcast_takes_roots_shape_and_dtype(tcl):
    root = W - 1
    mine = values(RANK, (2, 3), "float64") if RANK == root else values(RANK, (5,), "int32")
    handle = tcl.create(mine, "float64" if RANK == root else "int32")
    out = tcl.eval(f"torch::distributed_broadcast {handle} {root}")
    named = tcl.eval(f"torch::distributed_broadcast -tensor {handle} -root {root} -group {{}}")
    out_of_range = expect_error(tcl, f"torch::distributed_broadcast {handle} {W}")
    assert tcl.eval(f"torch::tensor_dtype {out}") == "Float64"
    np.testing.assert_array_equal(tcl.read(out, "float64"), values(root, (2, 3), "float64"))
    np.testing.assert_array_equal(tcl.read(named, "float64"), values(root, (2, 3), "float64"))
    assert out_of_range.startswith(f"Invalid root: {W} is not a rank of the world group")


def test_root_refusing_to_send_is_an_error_on_every_rank(tcl):
    deep = tcl.eval(f"torch::zeros {{{' '.join(['1'] * 33)}}}")
    message = expect_error(tcl, f"torch::distributed_broadcast {deep} 0")
    scattered = expect_error(tcl, f"torch::distributed_scatter {deep} 0")
    on_root = "" if W == 1 else " (on rank 0)"
    assert message == "broadcast: a tensor of 33 dimensions cannot be sent, at most 32" + on_root
    assert scattered == "scatter: a tensor of 33 dimensions cannot be sent, at most 32" + on_root


def test_gather_and_all_gather(tcl):
    dst = W - 1
    handle = tcl.create(values(RANK, (2, 2), "int32"), "int32")
    gathered = tcl.eval(f"torch::distributed_gather {handle} {dst}")
    everywhere = tcl.eval(f"torch::distributed_all_gather {handle}")
    stacked = np.stack([values(j, (2, 2), "int32") for j in range(W)])
    if RANK == dst:
        np.testing.assert_array_equal(tcl.read(gathered, "int32"), stacked)
    else:
        assert gathered == ""
    np.testing.assert_array_equal(tcl.read(everywhere, "int32"), stacked)


def test_scatter_uses_only_the_sources_tensor(tcl):
    src = W // 2
    mine = values(RANK, (2 * W, 2), "float32") if RANK == src else np.zeros(1, np.float32)
    out = tcl.read(tcl.eval(f"torch::distributed_scatter -tensor {tcl.create(mine, 'float32')} -src {src}"),
                   "float32")
    odd = tcl.eval(f"torch::ones {{{2 * W + 1}}}")
    error = expect_error(tcl, f"torch::distributed_scatter {odd} {src}") if W > 1 else None
    np.testing.assert_array_equal(out, np.split(values(src, (2 * W, 2), "float32"), W)[RANK])
    if W > 1:
        assert "cannot be cut into" in error


# ---- large results ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "bool", "int64", "complex64"])
def test_results_of_a_mebibyte_and_more(tcl, dtype):
    # Results from 1 MiB up take memory from numpy's allocator, viewed as the dtype.
    shape = (2 * W, (1 << 19) // getattr(torch, dtype).itemsize)  # W MiB a tensor

    def tensor_of(handle):
        return tcl.engine.tensors.get(handle).to(torch.complex64 if dtype == "complex64" else torch.float64)

    data = [values(j, shape, dtype, small=True) for j in range(W)]
    mine = tcl.engine.tensors.add(torch.from_numpy(data[RANK]).to(getattr(torch, dtype)))
    exchanged = tensor_of(tcl.eval(f"torch::distributed_all_to_all {mine}"))
    summed = tensor_of(tcl.eval(f"torch::distributed_all_reduce {mine} sum"))
    broadcast = tensor_of(tcl.eval(f"torch::distributed_broadcast {mine} {W - 1}"))
    tcl.eval(f"torch::distributed_send {mine} {(RANK + 1) % W}")
    received = tensor_of(tcl.eval(f"torch::distributed_recv -src {(RANK - 1) % W}"))
    np.testing.assert_array_equal(exchanged.numpy(), np.concatenate([np.split(d, W)[RANK] for d in data]))
    np.testing.assert_array_equal(summed.numpy(), expected_reduction("sum", dtype, shape))
    np.testing.assert_array_equal(broadcast.numpy(), data[W - 1])
    np.testing.assert_array_equal(received.numpy(), data[(RANK - 1) % W])


# ---- point-to-point -------------------------------------------------------------

def test_ring_send_recv_learns_dtype_and_shape(tcl):
    right, left = (RANK + 1) % W, (RANK - 1) % W
    tcl.eval(f"torch::distributed_send {tcl.create(values(RANK, (2, 3), 'int16'), 'int16')} {right} 5")
    positional = tcl.eval(f"torch::distributed_recv {{2 3}} {left} 5")
    tcl.eval(f"torch::distributed_send -tensor {tcl.create(values(RANK, (4,), 'complex64'), 'complex64')} "
             f"-dst {right} -tag 6")
    named = tcl.eval(f"torch::distributed_recv -src {left} -tag 6")
    np.testing.assert_array_equal(tcl.read(positional, "int16"), values(left, (2, 3), "int16"))
    assert tcl.eval(f"torch::tensor_dtype {named}") == "Complex64"
    np.testing.assert_array_equal(tcl.read(named, "complex64"), values(left, (4,), "complex64"))


def test_recv_any_source_and_checks(tcl):
    tcl.eval(f"torch::distributed_send [torch::full {{3}} {RANK}] {(RANK + 1) % W}")
    anyone = tcl.eval("torch::distributed_recv {3} -1")
    tcl.eval(f"torch::distributed_send [torch::ones {{3}}] {(RANK + 1) % W} 1")
    wrong_shape = tcl.error(f"torch::distributed_recv {{4}} {(RANK - 1) % W} 1")
    tcl.eval(f"torch::distributed_send [torch::ones {{3}}] {(RANK + 1) % W} 2")
    wrong_dtype = tcl.error(f"torch::distributed_recv -src {(RANK - 1) % W} -tag 2 -dtype int32")
    out_of_range = tcl.error(f"torch::distributed_send [torch::ones {{1}}] {W}")
    assert tcl.eval(f"torch::tensor_to_list {anyone}") == " ".join([f"{float((RANK - 1) % W)}"] * 3)
    assert wrong_shape == "recv: expected shape {4}, but the sender sent {3}"
    assert wrong_dtype == "recv: expected dtype Int32, but the sender sent Float32"
    assert out_of_range.startswith(f"Invalid dst: {W} is not a rank")


def test_isend_irecv_test_never_blocks(tcl):
    left, right = (RANK - 1) % W, (RANK + 1) % W
    receive = tcl.eval(f"torch::distributed_irecv {{5}} {left} 3")
    before = tcl.eval(f"torch::distributed_test {receive}")  # nobody has sent yet
    tcl.eval("torch::distributed_barrier")
    send = tcl.eval(f"torch::distributed_isend [torch::full {{5}} {RANK} int64] {right} 3")
    out = tcl.eval(f"torch::distributed_wait {receive}")
    sent = tcl.eval(f"torch::distributed_wait -handle {send}")
    stale = tcl.error(f"torch::distributed_test {send}")
    assert before == "0"
    assert tcl.eval(f"torch::tensor_to_list {out}") == " ".join([str(left)] * 5)
    assert sent == "send_completed"
    assert stale == f"Invalid request handle: {send}"


def test_irecv_from_self_then_blocking_send_to_self(tcl):
    receive = tcl.eval(f"torch::distributed_irecv {{1000000}} {RANK}")
    tcl.eval(f"torch::distributed_send [torch::full {{1000000}} 2.5] {RANK}")
    out = tcl.read(tcl.eval(f"torch::distributed_wait {receive}"), "float32")
    np.testing.assert_array_equal(out, np.full(1000000, 2.5, np.float32))


# ---- groups -----------------------------------------------------------------------

def test_new_group_smaller_than_the_world(tcl):
    members = list(range(W - 1)) if W > 1 else [0]   # at 4 ranks: an odd group of 3
    name = tcl.eval(f"torch::distributed_new_group lower {{{' '.join(map(str, members))}}}")
    if RANK in members:
        size = len(members)
        rank = int(tcl.eval("torch::get_rank lower"))
        out = tcl.read(tcl.eval(f"torch::distributed_all_to_all "
                                f"{tcl.create(values(RANK, (size * 2,), 'int32'), 'int32')} lower"), "int32")
        total = tcl.read(tcl.eval("torch::distributed_all_reduce [torch::ones {2} int64] sum lower"), "int64")
        assert (int(tcl.eval("torch::get_world_size -group lower")), rank) == (size, members.index(RANK))
        np.testing.assert_array_equal(out, np.concatenate(
            [np.split(values(members[j], (size * 2,), "int32"), size)[rank] for j in range(size)]))
        np.testing.assert_array_equal(total, [size, size])
    else:
        assert "not a member of group \"lower\"" in tcl.error("torch::distributed_barrier lower")
    assert name == "lower"


def test_group_errors_are_the_same_on_every_rank(tcl):
    tcl.eval("torch::distributed_new_group twice {0}")
    assert expect_error(tcl, "torch::distributed_new_group twice {0}").startswith('Group "twice" already exists')
    assert "lists a rank twice" in expect_error(tcl, "torch::distributed_new_group dup {0 0}")
    assert "outside" in expect_error(tcl, f"torch::distributed_new_group far {{{W}}}")
    assert expect_error(tcl, "torch::distributed_destroy_group nosuch") == 'Invalid group: "nosuch" does not exist'
    assert expect_error(tcl, "torch::distributed_split_group big 99999999999") == \
        'Invalid color: expected a 32-bit integer, got "99999999999"'  # the same on every rank
    tcl.eval("torch::distributed_destroy_group twice")
    # A destroyed name is not "all processes" (as a name never created is) until made again.
    assert expect_error(tcl, "torch::get_world_size twice") == 'Invalid group: "twice" was destroyed'
    assert expect_error(tcl, "torch::distributed_barrier twice") == 'Invalid group: "twice" was destroyed'
    assert expect_error(tcl, "torch::distributed_destroy_group twice") == 'Invalid group: "twice" was destroyed'
    assert tcl.eval("torch::distributed_new_group twice {0}") == "twice"
    if RANK == 0:
        assert tcl.eval("torch::get_world_size twice") == "1"
    else:
        assert "not a member" in tcl.error("torch::get_world_size twice")


def test_split_group_by_color_and_key(tcl):
    color = RANK % 2
    tcl.eval(f"torch::distributed_split_group parity {color} {-RANK}")  # key -r: reverse order
    peers = [r for r in range(W) if r % 2 == color]
    rank, size = int(tcl.eval("torch::get_rank parity")), int(tcl.eval("torch::get_world_size parity"))
    total = tcl.read(tcl.eval(f"torch::distributed_all_reduce [torch::full {{1}} {RANK} int64] sum parity"), "int64")
    tcl.eval("torch::distributed_destroy_group parity")
    assert (rank, size) == (sorted(peers, reverse=True).index(RANK), len(peers))
    assert total.tolist() == [sum(peers)]


def test_send_recv_inside_a_group_uses_group_ranks(tcl):
    tcl.eval(f"torch::distributed_split_group reversed 0 {-RANK}")   # group rank = W-1-RANK
    me = int(tcl.eval("torch::get_rank reversed"))
    tcl.eval(f"torch::distributed_send -tensor [torch::full {{2}} {RANK} int32] -dst {(me + 1) % W} -group reversed")
    out = tcl.eval(f"torch::distributed_recv -src {(me - 1) % W} -group reversed")
    sender_world_rank = W - 1 - ((me - 1) % W)
    assert tcl.eval(f"torch::tensor_to_list {out}") == f"{sender_world_rank} {sender_world_rank}"


def test_auto_group_means_all_ranks(tcl):
    out = tcl.eval(f"torch::distributed_all_reduce [torch::full {{1}} {RANK} int64] sum some_name")
    size = tcl.eval("torch::get_world_size some_name")
    tcl.eval("torch::distributed_barrier some_name")
    assert (tcl.eval(f"torch::tensor_to_list {out}"), size) == (str(W * (W - 1) // 2), str(W))


def test_world_queries(tcl):
    assert tcl.eval("torch::get_rank") == str(RANK)
    assert tcl.eval("torch::getWorldSize") == str(W)
    assert tcl.eval("torch::is_distributed") == ("1" if W > 1 else "0")
    status = tcl.eval("torch::distributed_init")
    assert status.endswith(f"rank={RANK}, world_size={W}, backend=mpi")


@pytest.mark.parametrize("splits", [False, True])
@pytest.mark.parametrize("dtype", ["float16", "int64", "complex64"])
def test_all_to_all_beyond_int_counts_counts_in_larger_units(tcl, monkeypatch, splits, dtype):
    """Exchanges past 2**31 bytes count in a contiguous unit (no large-count call):
    the same path, tried here with the limit lowered."""
    from tcltorch_mpi import collectives
    monkeypatch.setattr(collectives, "_LARGEST_COUNT", 64)
    given = uneven_splits(RANK) if splits else [4] * W
    x = values(RANK, (sum(given), 6), dtype)
    options = f"-inputSplits {{{' '.join(map(str, given))}}}" if splits else ""
    out = tcl.read(tcl.eval(f"torch::distributed_all_to_all {tcl.create(x, dtype)} {options}"), dtype)
    expected = np.concatenate([chunks(values(j, (sum(uneven_splits(j) if splits else [4] * W), 6), dtype),
                                      uneven_splits(j) if splits else [4] * W)[RANK] for j in range(W)])
    np.testing.assert_array_equal(out, expected)
