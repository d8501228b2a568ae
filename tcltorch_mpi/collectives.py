"""Collectives over a group's communicator. Every check of local input is made
before the first byte moves. Ranks given different input (one rank's tensor does
not split, say) still each decide alone: --check-collectives compares them first."""

import functools

import numpy as np
import torch

from . import buffers, dtypes, guards
from .errors import CommandError, tcl_list
from .runtime import MPI

MAX_DIMS = 32
_HEADER = MAX_DIMS + 2  # dtype code, ndim, dims...

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
        self.datatype = dtypes.MPI_TYPE[self.dtype]

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


def barrier(group):
    guards.collective(group, "barrier", "Barrier")


# ---- all_to_all -------------------------------------------------------------

def _check_splits(splits, size, what):
    if len(splits) != size:
        raise CommandError(f"Invalid {what}: expected {size} sizes (one per rank), got {len(splits)}")
    if any(s < 0 for s in splits):
        raise CommandError(f"Invalid {what}: sizes must not be negative, got {tcl_list(splits)}")


def all_to_all(group, tensor, input_splits=None, output_splits=None, nonblocking=False):
    """torch.distributed.all_to_all_single. Returns the result tensor, or with
    ``nonblocking`` an (MPI request, result, buffers to keep alive) triple."""
    size, comm = group.size, group.comm
    if input_splits is None and output_splits is None:
        _check_divisible(tensor.shape, size, "all_to_all",
                         "; give -inputSplits {s0 ... sW-1} for uneven chunks")
        send = buffers.wire(tensor)
        out = buffers.empty_like(send, tensor)
        if nonblocking:
            return comm.Ialltoall(buffers.spec(send), buffers.spec(out)), out, send
        guards.collective(group, "all_to_all", "Alltoall", buffers.spec(send), buffers.spec(out))
        return buffers.home(out, tensor.device)

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
    send = buffers.wire(tensor)
    row_bytes = send.element_size() * int(np.prod(send.shape[1:]))
    send_rows = np.asarray(input_splits, dtype=np.int64)
    recv_rows = _received_rows(group, send_rows, output_splits)
    out = buffers.empty((int(recv_rows.sum()), *send.shape[1:]), send.dtype, tensor)
    send_counts, recv_counts = send_rows * row_bytes, recv_rows * row_bytes
    send_spec = [buffers.spec(send)[0], (send_counts, np.cumsum(send_counts) - send_counts), MPI.BYTE]
    recv_spec = [buffers.spec(out)[0], (recv_counts, np.cumsum(recv_counts) - recv_counts), MPI.BYTE]
    if nonblocking:
        return comm.Ialltoallv(send_spec, recv_spec), out, send
    guards.collective(group, "all_to_all", "Alltoallv", send_spec, recv_spec)
    return buffers.home(out, tensor.device)


def _received_rows(group, send_rows, output_splits):
    """Rows this rank receives from each rank. Each rank tells every peer the rows it
    sends it and the rows it expects from it (-1: no -outputSplits), the same call
    whichever form a rank used. A rank that gives -outputSplits tells every peer so,
    and then all agree on the first mismatch: a wrong -outputSplits is the same error
    on every rank (MPI would fail on one rank only, or leave rows unwritten)."""
    size, me = group.size, group.rank
    expected = np.full(size, -1, dtype=np.int64) if output_splits is None else \
        np.asarray(output_splits, dtype=np.int64)
    told = np.empty((size, 2), dtype=np.int64)
    guards.collective(group, "all_to_all", "Alltoall", [np.stack([send_rows, expected], axis=1), MPI.INT64_T],
                      [told, MPI.INT64_T])
    recv_rows, expected_of_me = told[:, 0], told[:, 1]
    if output_splits is None and (expected_of_me < 0).all():
        return recv_rows  # nobody gave -outputSplits: nothing to check, as every rank sees
    # A mismatch is keyed receiver * size + sender; each rank sees the ones it is part of.
    keys = [me * size + i for i in np.flatnonzero((expected >= 0) & (expected != recv_rows))]
    keys += [j * size + me for j in np.flatnonzero((expected_of_me >= 0) & (expected_of_me != send_rows))]
    first = np.array([min(keys, default=size * size)], dtype=np.int64)
    guards.collective(group, "all_to_all", "Allreduce", MPI.IN_PLACE, [first, MPI.INT64_T], MPI.MIN)
    if first[0] < size * size:
        receiver, sender = divmod(int(first[0]), size)
        counts = np.array([recv_rows[sender], expected[sender]], dtype=np.int64)
        guards.collective(group, "all_to_all", "Bcast", [counts, MPI.INT64_T], receiver)
        raise CommandError(f"all_to_all: rank {sender} sends {counts[0]} rows to rank {receiver}, whose "
                           f"-outputSplits expects {counts[1]}")
    return recv_rows


# ---- reductions -------------------------------------------------------------

def all_reduce(group, tensor, op_name):
    reduction = _reduction(op_name, tensor.dtype)
    send = buffers.wire(tensor, reduction.dtype)
    out = buffers.empty_like(send, tensor)
    guards.collective(group, "all_reduce", "Allreduce", buffers.spec(send, reduction.datatype),
                      buffers.spec(out, reduction.datatype), reduction.op)
    return reduction.finish(out, group.size, tensor.dtype, tensor.device)


def reduce_scatter(group, tensor, op_name):
    reduction = _reduction(op_name, tensor.dtype)
    _check_divisible(tensor.shape, group.size, "reduce_scatter")
    send = buffers.wire(tensor, reduction.dtype)
    out = buffers.empty((send.shape[0] // group.size, *send.shape[1:]), send.dtype, tensor)
    guards.collective(group, "reduce_scatter", "Reduce_scatter_block", buffers.spec(send, reduction.datatype),
                      buffers.spec(out, reduction.datatype), reduction.op)
    return reduction.finish(out, group.size, tensor.dtype, tensor.device)


# ---- data movement rooted at one rank --------------------------------------

def encode_header(tensor):
    """dtype code and shape of a tensor, as a fixed-size int64 message."""
    if tensor.dim() > MAX_DIMS:
        raise CommandError(f"Tensors of more than {MAX_DIMS} dimensions cannot be sent")
    shape = tensor.shape
    header = np.zeros(_HEADER, dtype=np.int64)
    header[:2 + len(shape)] = (dtypes.CODE[tensor.dtype], len(shape), *shape)
    return header


def decode_header(header):
    code, ndim, *dims = header.tolist()
    return dtypes.FROM_CODE[code], tuple(dims[:ndim])


def empty_header():
    return np.empty(_HEADER, dtype=np.int64)


def _root_header(group, command, tensor, root):
    """Broadcast root's dtype and shape: every rank receives what root has, or
    root's verdict that it cannot send, so that every rank raises the same error."""
    header = empty_header()
    if group.rank == root:
        if tensor.dim() <= MAX_DIMS:
            header = encode_header(tensor)
        else:
            header[1] = -1  # a negative rank count: root refuses
    guards.collective(group, command, "Bcast", [header, MPI.INT64_T], root)
    if header[1] < 0:
        raise CommandError(f"{command}: rank {root}'s tensor has more than {MAX_DIMS} dimensions")
    return decode_header(header)



def broadcast(group, tensor, root):
    group.check_rank(root, "root")
    dtype, shape = _root_header(group, "broadcast", tensor, root)
    if group.rank == root:
        data = buffers.wire(tensor)
    else:
        data = buffers.empty(shape, dtype, tensor)
    guards.collective(group, "broadcast", "Bcast", buffers.spec(data), root)
    # On root the result may share the input's memory: no command modifies a tensor in place.
    return buffers.home(data, tensor.device)


def scatter(group, tensor, src):
    group.check_rank(src, "src")
    dtype, shape = _root_header(group, "scatter", tensor, src)
    _check_divisible(shape, group.size, "scatter", whose=f"rank {src}'s")
    out = buffers.empty((shape[0] // group.size, *shape[1:]), dtype, tensor)
    send = buffers.wire(tensor) if group.rank == src else None  # alive until MPI is done
    guards.collective(group, "scatter", "Scatter", buffers.spec(send) if send is not None else None,
                      buffers.spec(out), src)
    return buffers.home(out, tensor.device)


def gather(group, tensor, dst):
    """The inputs stacked along a new dimension 0 on dst; None elsewhere."""
    group.check_rank(dst, "dst")
    send = buffers.wire(tensor)
    out = None
    if group.rank == dst:
        out = buffers.empty((group.size, *send.shape), send.dtype, tensor)
    guards.collective(group, "gather", "Gather", buffers.spec(send),
                      buffers.spec(out) if out is not None else None, dst)
    return None if out is None else buffers.home(out, tensor.device)


def all_gather(group, tensor):
    send = buffers.wire(tensor)
    out = buffers.empty((group.size, *send.shape), send.dtype, tensor)
    guards.collective(group, "all_gather", "Allgather", buffers.spec(send), buffers.spec(out))
    return buffers.home(out, tensor.device)
