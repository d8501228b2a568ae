"""Distributed commands: the spec's torch::distributed_* family over MPI.

Methods are named as the Tcl commands and take the string values the shim passes.
"""

import sys

from . import collectives, dtypes
from .p2p import CollectiveRequest, check_tag


class DistributedCommands:
    _init_warned = False

    def distributed_init(self, rank, world_size, master_addr, master_port, backend):
        world = self.groups.world
        actual = {"rank": world.Get_rank(), "world_size": world.Get_size()}
        asked = {name: self.int(value) for name, value in (("rank", rank), ("world_size", world_size))
                 if value != ""}
        differs = [f"{name}={value}" for name, value in asked.items() if value != actual[name]]
        if backend not in ("", "mpi"):
            differs.append(f"backend={backend}")
        if differs and not DistributedCommands._init_warned:
            DistributedCommands._init_warned = True
            print(f"tcltorch_mpi: warning: distributed_init asked for {', '.join(differs)}; "
                  f"the launcher's rank={actual['rank']}, world_size={actual['world_size']} "
                  "and backend=mpi are used", file=sys.stderr, flush=True)
        return (f"Distributed initialized: rank={actual['rank']}, "
                f"world_size={actual['world_size']}, backend=mpi")

    def get_rank(self, group):
        return self.groups.get(group).rank

    def get_world_size(self, group):
        return self.groups.get(group).size

    def is_distributed(self):
        return int(self.groups.world.Get_size() > 1)

    def distributed_barrier(self, group):
        collectives.barrier(self.groups.get(group))
        return ""

    def distributed_all_reduce(self, handle, operation, group):
        group, tensor = self.groups.get(group), self.tensor(handle)
        return self.tensors.add(collectives.all_reduce(group, tensor, operation))

    def distributed_reduce_scatter(self, handle, operation, group):
        group, tensor = self.groups.get(group), self.tensor(handle)
        return self.tensors.add(collectives.reduce_scatter(group, tensor, operation))

    def distributed_broadcast(self, handle, root, group):
        group, tensor, root = self.groups.get(group), self.tensor(handle), self.int(root)
        return self.tensors.add(collectives.broadcast(group, tensor, root))

    def distributed_scatter(self, handle, src, group):
        group, tensor, src = self.groups.get(group), self.tensor(handle), self.int(src)
        return self.tensors.add(collectives.scatter(group, tensor, src))

    def distributed_gather(self, handle, dst, group):
        group, tensor, dst = self.groups.get(group), self.tensor(handle), self.int(dst)
        result = collectives.gather(group, tensor, dst)
        return "" if result is None else self.tensors.add(result)

    def distributed_all_gather(self, handle, group):
        group, tensor = self.groups.get(group), self.tensor(handle)
        return self.tensors.add(collectives.all_gather(group, tensor))

    def distributed_all_to_all(self, handle, group, input_splits, output_splits, nonblocking):
        group, tensor = self.groups.get(group), self.tensor(handle)
        input_splits = self.ints(input_splits) if input_splits != "" else None
        output_splits = self.ints(output_splits) if output_splits != "" else None
        if not self.bool(nonblocking):
            return self.tensors.add(collectives.all_to_all(group, tensor, input_splits, output_splits))
        deferred = collectives.start_all_to_all(group, tensor, input_splits, output_splits)
        return self.requests.add(CollectiveRequest(group, deferred, tensor.device, "all_to_all -async"))

    # ---- point-to-point -----------------------------------------------------

    def _send_args(self, handle, dst, tag, group):
        tensor, group = self.tensor(handle), self.groups.get(group)
        tag = self.int(tag)
        check_tag(tag)
        return group, tensor, group.check_rank(self.int(dst), "dst"), tag

    def distributed_send(self, handle, dst, tag, group):
        self.postal.send(*self._send_args(handle, dst, tag, group))
        return ""

    def distributed_isend(self, handle, dst, tag, group):
        return self.requests.add(self.postal.send(*self._send_args(handle, dst, tag, group)))

    def _receive(self, shape, src, tag, dtype, group):
        group = self.groups.get(group)
        tag = self.int(tag)
        check_tag(tag)
        source = group.check_rank(self.int(src), "src", any_source=True)
        expected_shape = self.ints(shape) if shape != "*" else None
        expected_dtype = dtypes.parse(dtype) if dtype != "" else None
        return self.postal.irecv(group, source, tag, expected_shape, expected_dtype)

    def distributed_recv(self, shape, src, tag, dtype, group):
        return self.tensors.add(self._receive(shape, src, tag, dtype, group).wait())

    def distributed_irecv(self, shape, src, tag, dtype, group):
        return self.requests.add(self._receive(shape, src, tag, dtype, group))

    def distributed_wait(self, handle):
        result = self.requests.pop(handle).wait()
        return "send_completed" if result is None else self.tensors.add(result)

    def distributed_test(self, handle):
        return int(self.requests.get(handle).test())

    # ---- groups ---------------------------------------------------------------

    def distributed_new_group(self, name, ranks):
        return self.groups.new(name, self.ints(ranks))

    def distributed_split_group(self, name, color, key):
        key = self.int(key) if key != "" else self.groups.world.Get_rank()
        return self.groups.split(name, self.int(color), key)

    def distributed_destroy_group(self, name):
        self.groups.destroy(name, before_free=self.postal.release)
        return ""
