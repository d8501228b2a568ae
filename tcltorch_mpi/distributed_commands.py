"""Distributed commands: the spec's torch::distributed_* family over MPI.

Methods are named as the Tcl commands and take the string values the shim passes.
"""

import sys

from . import collectives, dtypes, guards
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

    def _collective(self, group, command, tensor=None, **details):
        """The group, once every rank agrees on the call when check mode is on."""
        group = self.groups.get(group)
        if guards.check_collectives:
            guards.agree(group, guards.signature(command, tensor, **details))
        return group

    def get_rank(self, group):
        return self.groups.get(group).rank

    def get_world_size(self, group):
        return self.groups.get(group).size

    def is_distributed(self):
        return int(self.groups.world.Get_size() > 1)

    def distributed_barrier(self, group):
        collectives.barrier(self._collective(group, "barrier"))
        return ""

    def distributed_all_reduce(self, handle, operation, group):
        tensor = self.tensor(handle)
        group = self._collective(group, "all_reduce", tensor, op=operation)
        return self.tensors.add(collectives.all_reduce(group, tensor, operation))

    def distributed_reduce_scatter(self, handle, operation, group):
        tensor = self.tensor(handle)
        group = self._collective(group, "reduce_scatter", tensor, op=operation)
        return self.tensors.add(collectives.reduce_scatter(group, tensor, operation))

    def distributed_broadcast(self, handle, root, group):
        tensor, root = self.tensor(handle), self.int(root)
        return self.tensors.add(collectives.broadcast(self._collective(group, "broadcast", root=root), tensor, root))

    def distributed_scatter(self, handle, src, group):
        tensor, src = self.tensor(handle), self.int(src)
        return self.tensors.add(collectives.scatter(self._collective(group, "scatter", src=src), tensor, src))

    def distributed_gather(self, handle, dst, group):
        tensor, dst = self.tensor(handle), self.int(dst)
        result = collectives.gather(self._collective(group, "gather", tensor, dst=dst), tensor, dst)
        return "" if result is None else self.tensors.add(result)

    def distributed_all_gather(self, handle, group):
        tensor = self.tensor(handle)
        return self.tensors.add(collectives.all_gather(self._collective(group, "all_gather", tensor), tensor))

    def distributed_all_to_all(self, handle, group, input_splits, output_splits, nonblocking):
        tensor = self.tensor(handle)
        input_splits = self.ints(input_splits) if input_splits != "" else None
        output_splits = self.ints(output_splits) if output_splits != "" else None
        group = self._collective(group, "all_to_all", tensor, input_splits=input_splits,
                                 output_splits=output_splits)
        if not self.bool(nonblocking):
            return self.tensors.add(collectives.all_to_all(group, tensor, input_splits, output_splits))
        request, result, keep_alive = collectives.all_to_all(group, tensor, input_splits,
                                                             output_splits, nonblocking=True)
        return self.requests.add(CollectiveRequest(request, result, keep_alive, tensor.device,
                                                   f"all_to_all -async on {group.label}"))

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
