"""Collectives over a group's communicator. Each starts with the group's vote
(agreement.agree): this rank's checks of its input run first, and only when every
rank agrees and none failed does data move. Every wait goes through waiting.wait."""

import functools

import numpy as np
import torch

from . import agreement, buffers, dtypes, runtime, waiting, wire
from .errors import CommandError, tcl_list
from .runtime import MPI

_OPS = {"sum": MPI.SUM, "mean": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN,
        "product": MPI.PROD, "band": MPI.BAND, "bor": MPI.BOR, "bxor": MPI.BXOR}
_OP_ALIASES = {"prod": "product", "avg": "mean"}
# Logical reductions for bool: max/sum/bor are "any", min/product/band are "all".
_BOOL_OPS = {"sum": MPI.LOR, "max": MPI.LOR, "bor": MPI.LOR,
             "min": MPI.LAND, "product": MPI.LAND, "band": MPI.LAND, "bxor": MPI.LXOR}


class Reduction:
    """An op name checked against a dtype: the MPI op, and the dtype to reduce in."""

    __slots__ = ("name", "op", "dtype", "datatype")

    def __init__(self, name, dtype):
        name = _OP_ALIASES.get(name, name)
        if name not in _OPS:
            raise CommandError(f'Invalid operation: expected one of {" ".join(_OPS)}, got "{name}"')
        display = dtypes.DISPLAY[dtype]
        if name in ("band", "bor", "bxor") and not dtypes.is_integral(dtype):
            raise CommandError(f"Invalid operation: {name} needs an integer or bool tensor, not {display}")
        if name == "mean":
            dtypes.check_mean(dtype, "Invalid operation")
        if name in ("max", "min") and dtype.is_complex:
            raise CommandError(f"Invalid operation: {name} is not defined for complex tensors ({display})")
        self.name = name
        self.op = _BOOL_OPS[name] if dtype == torch.bool else _OPS[name]
        self.dtype = dtypes.WIDENED.get(dtype, dtype)
        self.datatype = wire.MPI_TYPE[self.dtype]

    def finish(self, result, size, dtype, device):
        if self.name == "mean":
            result.div_(size)
        if result.dtype != dtype:  # reduced in a wider dtype
            result = result.to(dtype)
        return buffers.home(result, device)


@functools.cache
def _reduction(name, dtype):
    """A Reduction made once per (op, dtype): all_reduce's per-call path (an invalid op
    raises, and is not kept)."""
    return Reduction(name, dtype)


def _check_divisible(shape, size, command, hint="", whose="the"):
    if not shape or shape[0] % size:
        what = "0-dimensional" if not shape else f"dimension 0 of size {shape[0]}"
        raise CommandError(f"{command}: {whose} tensor ({what}) cannot be cut into {size} equal "
                           f"chunks (one per rank){hint}")


def _run(group, command, start, *args):
    """Start a non-blocking MPI collective and wait for it like every operation."""
    wait(group, command, _started(command, group, start, *args))


def _started(command, group, start, *args):
    try:
        return start(*args)
    except MPI.Exception as exc:  # peers are already in the operation: end the job
        waiting.fatal(f"{command} on {group.label}: MPI failed to start it ({runtime.error_text(exc)})")


def wait(group, command, request):
    waiting.wait(request, f"{command} on {group.label}", waits_on=group.others)


def _tensor_details(tensor, **more):
    return {"dtype": dtypes.CODE[tensor.dtype], "shape": tuple(tensor.shape), **more}


def barrier(group):
    agreement.agree(group, "barrier", {})
    _run(group, "barrier", group.comm.Ibarrier)


# ---- all_to_all -------------------------------------------------------------

def _check_splits(splits, size, what):
    if len(splits) != size:
        raise CommandError(f"Invalid {what}: expected {size} sizes (one per rank), got {len(splits)}")
    if any(s < 0 for s in splits):
        raise CommandError(f"Invalid {what}: sizes must not be negative, got {tcl_list(splits)}")


def _all_to_all_splits(tensor, size, input_splits, output_splits):
    """This rank's checks: the rows it sends each rank (None: equal chunks, no option given)."""
    if input_splits is None and output_splits is None:
        _check_divisible(tensor.shape, size, "all_to_all",
                         "; give -inputSplits {s0 ... sW-1} for uneven chunks")
        return None
    if tensor.dim() == 0:
        raise CommandError("all_to_all: a 0-dimensional tensor cannot be split; "
                           "-inputSplits needs at least one dimension")
    rows = tensor.shape[0]
    if input_splits is None:
        _check_divisible(tensor.shape, size, "all_to_all", "; give -inputSplits too")
        input_splits = [rows // size] * size
    _check_splits(input_splits, size, "inputSplits")
    if sum(input_splits) != rows:
        raise CommandError(f"Invalid inputSplits: the sizes sum to {sum(input_splits)}, "
                           f"but dimension 0 of the tensor is {rows}")
    if output_splits is not None:
        _check_splits(output_splits, size, "outputSplits")
    return input_splits


def _all_to_all_vote(group, tensor, input_splits, output_splits):
    """all_to_all's vote, and what its exchange is to be given once it is settled."""
    gave = input_splits is not None or output_splits is not None
    rows = tensor.shape[0] if tensor.dim() else -1
    details = {"dtype": dtypes.CODE[tensor.dtype], "row shape": tuple(tensor.shape[1:])}
    vote = agreement.Vote(group, "all_to_all", details,
                          lambda: _all_to_all_splits(tensor, group.size, input_splits, output_splits),
                          loose=(int(gave), rows))
    return vote, (group, tensor, output_splits, details)


def _exchange(vote, group, tensor, output_splits, details):
    """torch.distributed.all_to_all_single once ``vote`` is settled, started:
    (MPI request, result, input kept alive)."""
    size = group.size
    splits, (lowest, highest) = vote.settle()
    send = buffers.wire(tensor)
    if not highest[0]:  # no rank gave splits: equal chunks, so every rank has as many rows
        if lowest[1] != highest[1]:
            vote.mismatch({**details, "shape": tuple(tensor.shape)})
        out = buffers.empty_like(send, tensor)
        if send.nbytes <= _LARGEST_COUNT:
            return _started("all_to_all", group, group.comm.Ialltoall, buffers.spec(send),
                            buffers.spec(out)), out, send
        send_bytes = recv_bytes = np.full(size, send.nbytes // size, dtype=np.int64)
    else:
        rows = tensor.shape[0]
        row_bytes = send.element_size() * int(np.prod(send.shape[1:]))
        send_rows = np.asarray(splits if splits is not None else [rows // size] * size, dtype=np.int64)
        recv_rows = _received_rows(group, vote, send_rows, output_splits)
        out = buffers.empty((int(recv_rows.sum()), *send.shape[1:]), send.dtype, tensor)
        send_bytes, recv_bytes = send_rows * row_bytes, recv_rows * row_bytes
    datatype, unit = _counting_unit(send_bytes, recv_bytes)
    specs = [[buffers.spec(buffer)[0], (counts // unit, (np.cumsum(counts) - counts) // unit), datatype]
             for buffer, counts in ((send, send_bytes), (out, recv_bytes))]
    return _started("all_to_all", group, group.comm.Ialltoallv, *specs), out, send


def all_to_all(group, tensor, input_splits=None, output_splits=None):
    vote, arguments = _all_to_all_vote(group, tensor, input_splits, output_splits)
    request, out, _ = _exchange(vote, *arguments)
    wait(group, "all_to_all", request)
    return buffers.home(out, tensor.device)


def start_all_to_all(group, tensor, input_splits=None, output_splits=None):
    """all_to_all -async: an agreement.Deferred whose result() is (MPI request,
    result, input kept alive)."""
    vote, arguments = _all_to_all_vote(group, tensor, input_splits, output_splits)
    return agreement.Deferred(vote, lambda settled: _exchange(settled, *arguments))


# MPI counts and displacements are C ints. Past 2**31 bytes mpi4py would turn to
# MPI-4's large-count calls, which MPI-3 libraries lack: such exchanges count in a
# contiguous datatype of the largest power of two (up to 1 MiB) dividing every count.
_LARGEST_COUNT = 2**31 - 1
_LARGEST_UNIT = 1 << 20
_UNITS = {1: MPI.BYTE}


def _counting_unit(send_bytes, recv_bytes):
    """(datatype, its size in bytes) to count per-peer byte counts in."""
    everything = np.concatenate([send_bytes, recv_bytes])
    if max(send_bytes.sum(), recv_bytes.sum()) <= _LARGEST_COUNT:
        return MPI.BYTE, 1
    common = int(np.gcd.reduce(everything[everything > 0]))
    unit = min(_LARGEST_UNIT, common & -common)
    if unit not in _UNITS:  # made once per unit, kept for the run
        _UNITS[unit] = MPI.BYTE.Create_contiguous(unit).Commit()
    return _UNITS[unit], unit


def _received_rows(group, vote, send_rows, output_splits):
    """Rows this rank receives from each rank. Each rank tells every peer the rows it
    sends it and the rows it expects from it (-1: no -outputSplits). A rank that gave
    -outputSplits that a sender contradicts is the same error on every rank: each
    tells the others the first mismatch it sees (MPI would fail on one rank only,
    or leave rows unwritten)."""
    size, me = group.size, group.rank
    expected = np.full(size, -1, dtype=np.int64) if output_splits is None else \
        np.asarray(output_splits, dtype=np.int64)
    told = np.empty((size, 2), dtype=np.int64)
    _run(group, "all_to_all", group.comm.Ialltoall,
         [np.stack([send_rows, expected], axis=1), MPI.INT64_T], [told, MPI.INT64_T])
    recv_rows, expected_of_me = told[:, 0], told[:, 1]
    if output_splits is None and (expected_of_me < 0).all():
        return recv_rows  # nobody expects anything of this rank, and it expects nothing
    wrong = [(int(recv_rows[i]), me, i, int(expected[i]))
             for i in np.flatnonzero((expected >= 0) & (expected != recv_rows))]
    view = {"command": "all_to_all", "sequence": vote.sequence, "error": None,
            "wrong": wrong[0] if wrong else None}
    views = agreement.gather(group, view)
    first = next((v["wrong"] for v in views if v["wrong"]), None)
    if first:
        sent, receiver, sender, wanted = first
        raise CommandError(f"all_to_all: rank {sender} sends {sent} rows to rank {receiver}, whose "
                           f"-outputSplits expects {wanted}")
    return recv_rows


# ---- reductions -------------------------------------------------------------

def all_reduce(group, tensor, op_name):
    reduction, _ = agreement.agree(group, "all_reduce", _tensor_details(tensor, op=op_name),
                                   lambda: _reduction(op_name, tensor.dtype))
    send = buffers.wire(tensor, reduction.dtype)
    out = buffers.empty_like(send, tensor)
    _run(group, "all_reduce", group.comm.Iallreduce, buffers.spec(send, reduction.datatype),
         buffers.spec(out, reduction.datatype), reduction.op)
    return reduction.finish(out, group.size, tensor.dtype, tensor.device)


def _reduce_scatter_checks(group, tensor, op_name):
    reduction = _reduction(op_name, tensor.dtype)
    _check_divisible(tensor.shape, group.size, "reduce_scatter")
    return reduction


def reduce_scatter(group, tensor, op_name):
    reduction, _ = agreement.agree(group, "reduce_scatter", _tensor_details(tensor, op=op_name),
                                   lambda: _reduce_scatter_checks(group, tensor, op_name))
    send = buffers.wire(tensor, reduction.dtype)
    out = buffers.empty((send.shape[0] // group.size, *send.shape[1:]), send.dtype, tensor)
    _run(group, "reduce_scatter", group.comm.Ireduce_scatter_block, buffers.spec(send, reduction.datatype),
         buffers.spec(out, reduction.datatype), reduction.op)
    return reduction.finish(out, group.size, tensor.dtype, tensor.device)


# ---- data movement rooted at one rank --------------------------------------

def _root_checks(group, command, tensor, root, what, divisible=False):
    group.check_rank(root, what)
    if group.rank == root:
        wire.check_dims(tensor, command)
        if divisible:
            _check_divisible(tensor.shape, group.size, "scatter", whose=f"rank {root}'s")


def _root_header(group, command, tensor, root):
    """Root's dtype and shape, on every rank."""
    header = wire.encode_header(tensor, command) if group.rank == root else wire.empty_header()
    _run(group, command, group.comm.Ibcast, [header, MPI.INT64_T], root)
    return wire.decode_header(header)


def broadcast(group, tensor, root):
    agreement.agree(group, "broadcast", {"root": root}, lambda: _root_checks(group, "broadcast", tensor, root, "root"))
    dtype, shape = _root_header(group, "broadcast", tensor, root)
    data = buffers.wire(tensor) if group.rank == root else buffers.empty(shape, dtype, tensor)
    _run(group, "broadcast", group.comm.Ibcast, buffers.spec(data), root)
    # On root the result may share the input's memory: no command modifies a tensor in place.
    return buffers.home(data, tensor.device)


def scatter(group, tensor, src):
    agreement.agree(group, "scatter", {"src": src},
                    lambda: _root_checks(group, "scatter", tensor, src, "src", divisible=True))
    dtype, shape = _root_header(group, "scatter", tensor, src)
    out = buffers.empty((shape[0] // group.size, *shape[1:]), dtype, tensor)
    send = buffers.wire(tensor) if group.rank == src else None  # alive until MPI is done
    _run(group, "scatter", group.comm.Iscatter, buffers.spec(send) if send is not None else None,
         buffers.spec(out), src)
    return buffers.home(out, tensor.device)


def gather(group, tensor, dst):
    """The inputs stacked along a new dimension 0 on dst; None elsewhere."""
    agreement.agree(group, "gather", _tensor_details(tensor, dst=dst), lambda: group.check_rank(dst, "dst"))
    send = buffers.wire(tensor)
    out = None
    if group.rank == dst:
        out = buffers.empty((group.size, *send.shape), send.dtype, tensor)
    _run(group, "gather", group.comm.Igather, buffers.spec(send),
         buffers.spec(out) if out is not None else None, dst)
    return None if out is None else buffers.home(out, tensor.device)


def all_gather(group, tensor):
    agreement.agree(group, "all_gather", _tensor_details(tensor))
    send = buffers.wire(tensor)
    out = buffers.empty((group.size, *send.shape), send.dtype, tensor)
    _run(group, "all_gather", group.comm.Iallgather, buffers.spec(send), buffers.spec(out))
    return buffers.home(out, tensor.device)


# ---- data-parallel training: a model's parameters and gradients, bucketed ---------

def _parameter_details(tensors, bucket_mb, **more):
    # The bucket size too: ranks that packed differently would make different MPI calls.
    return {"parameters": len(tensors), "dtypes": tuple(dtypes.CODE[t.dtype] for t in tensors),
            "shapes": tuple(tuple(t.shape) for t in tensors), "bucketMB": bucket_mb, **more}


def _bucket_bytes(megabytes):
    if not megabytes > 0:
        raise CommandError(f"Invalid bucketMB: expected a positive number of MiB, got {megabytes:g}")
    return int(megabytes * 2**20)


def _buckets(tensors, bucket_bytes):
    """The tensors' positions packed into buckets for one MPI call each: one dtype and
    device per bucket, in list order, each at most bucket_bytes (a larger tensor alone)."""
    buckets, open_buckets = [], {}
    for position, tensor in enumerate(tensors):
        key, size = (tensor.dtype, tensor.device), tensor.numel() * tensor.element_size()
        bucket = open_buckets.get(key)
        if bucket is None or (bucket[1] + size > bucket_bytes and bucket[0]):
            bucket = [[], 0]
            buckets.append(bucket[0])
        bucket[0].append(position)
        bucket[1] += size
        open_buckets[key] = bucket
    return buckets


def _unpacked(flat, tensors, bucket):
    """(position, the bucket's piece shaped as that tensor) for each tensor of the bucket."""
    offset = 0
    for position in bucket:
        count = tensors[position].numel()
        yield position, flat[offset:offset + count].view(tensors[position].shape)
        offset += count


def _gradient_checks(parameters, op_name, bucket_mb):
    _bucket_bytes(bucket_mb)
    for position, parameter in enumerate(parameters):
        if not parameter.requires_grad:
            raise CommandError(f"Invalid parameters: parameter {position} (shape {tcl_list(list(parameter.shape))}) "
                               "does not require gradients")
    return {dtype: _reduction(op_name, dtype) for dtype in {p.dtype for p in parameters}}


def all_reduce_gradients(group, parameters, op_name, bucket_mb):
    """Each parameter's gradient replaced, in place, by its reduction over the group (a
    parameter with no gradient counts as zeros). All buckets are started before any is
    waited for, so their transfers overlap."""
    command = "all_reduce_gradients"
    reductions, _ = agreement.agree(group, command, _parameter_details(parameters, bucket_mb, op=op_name),
                                    lambda: _gradient_checks(parameters, op_name, bucket_mb))
    gradients = [p.grad if p.grad is not None else torch.zeros_like(p, requires_grad=False) for p in parameters]
    started = []
    for bucket in _buckets(gradients, _bucket_bytes(bucket_mb)):
        first = gradients[bucket[0]]
        reduction = reductions[first.dtype]
        flat = torch.cat([gradients[position].detach().reshape(-1) for position in bucket])
        # The bucket is a copy of ours: reduced in place (a second buffer of a whole
        # bucket would cost its allocation and page faults on every call).
        out = buffers.wire(flat, reduction.dtype)
        request = _started(command, group, group.comm.Iallreduce, MPI.IN_PLACE,
                           buffers.spec(out, reduction.datatype), reduction.op)
        started.append((bucket, request, out, reduction, first))
    for bucket, request, out, reduction, first in started:
        wait(group, command, request)
        reduced = reduction.finish(out, group.size, first.dtype, first.device)
        with torch.no_grad():
            for position, piece in _unpacked(reduced, gradients, bucket):
                parameter = parameters[position]
                if parameter.grad is None:
                    parameter.grad = piece.clone()
                else:
                    parameter.grad.copy_(piece)


def broadcast_parameters(group, parameters, root, bucket_mb):
    """Every rank's parameters take root's values, in place."""
    command = "broadcast_parameters"
    agreement.agree(group, command, _parameter_details(parameters, bucket_mb, root=root),
                    lambda: (_bucket_bytes(bucket_mb), group.check_rank(root, "root")))
    started = []
    for bucket in _buckets(parameters, _bucket_bytes(bucket_mb)):
        first = parameters[bucket[0]]
        if group.rank == root:
            data = buffers.wire(torch.cat([parameters[position].detach().reshape(-1) for position in bucket]))
        else:
            data = buffers.empty((sum(parameters[position].numel() for position in bucket),), first.dtype, first)
        started.append((bucket, _started(command, group, group.comm.Ibcast, buffers.spec(data), root), data, first))
    for bucket, request, data, first in started:
        wait(group, command, request)
        if group.rank != root:
            with torch.no_grad():
                for position, piece in _unpacked(buffers.home(data, first.device), parameters, bucket):
                    parameters[position].copy_(piece)
