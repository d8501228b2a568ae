"""Distributed commands: the spec's torch::distributed_* family over MPI.

Methods are the engine functions the command table (commands.py) names; they take
the values converted by their declared kinds (a group, a tensor, an int).
"""

import sys

from . import collectives
from .p2p import CollectiveRequest, check_tag


class DistributedCommands:
    _init_warned = False

    def distributed_init(self, rank, world_size, master_addr, master_port, backend):
        world = self.groups.world
        actual = {"rank": world.Get_rank(), "world_size": world.Get_size()}
        asked = {"rank": rank, "world_size": world_size}
        differs = [f"{name}={value}" for name, value in asked.items()
                   if value is not None and value != actual[name]]
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
        return group.rank

    def get_world_size(self, group):
        return group.size

    def is_distributed(self):
        return self.groups.world.Get_size() > 1

    def distributed_barrier(self, group):
        collectives.barrier(group)

    def distributed_all_reduce(self, tensor, operation, group):
        return collectives.all_reduce(group, tensor, operation)

    def distributed_reduce_scatter(self, tensor, operation, group):
        return collectives.reduce_scatter(group, tensor, operation)

    def distributed_broadcast(self, tensor, root, group):
        return collectives.broadcast(group, tensor, root)

    def distributed_scatter(self, tensor, src, group):
        return collectives.scatter(group, tensor, src)

    def distributed_gather(self, tensor, dst, group):
        return collectives.gather(group, tensor, dst)  # None (empty) on other ranks than dst

    def distributed_all_gather(self, tensor, group):
        return collectives.all_gather(group, tensor)

    def distributed_all_to_all(self, tensor, group, input_splits, output_splits, nonblocking):
        if not nonblocking:
            return collectives.all_to_all(group, tensor, input_splits, output_splits)
        deferred = collectives.start_all_to_all(group, tensor, input_splits, output_splits)
        return self.requests.add(CollectiveRequest(group, deferred, tensor.device, "all_to_all -async"))

    # ---- data-parallel training ---------------------------------------------

    def distributed_broadcast_parameters(self, parameters, root, group, bucket_mb):
        collectives.broadcast_parameters(group, self._parameters(parameters), root, bucket_mb)

    def distributed_all_reduce_gradients(self, parameters, operation, group, bucket_mb):
        collectives.all_reduce_gradients(group, self._parameters(parameters), operation, bucket_mb)

    def _parameters(self, handles):
        return [self.tensor(handle) for handle in handles]

    # The LibTorch extension's older spellings: on all processes.
    def all_reduce(self, tensor, operation):
        return self.distributed_all_reduce(tensor, operation, self.groups.get(""))

    def broadcast(self, tensor, root):
        return self.distributed_broadcast(tensor, root, self.groups.get(""))

    # ---- point-to-point -----------------------------------------------------

    def distributed_send(self, tensor, dst, tag, group):
        check_tag(tag)
        self.postal.send(group, tensor, group.check_rank(dst, "dst"), tag)

    def distributed_isend(self, tensor, dst, tag, group):
        check_tag(tag)
        return self.requests.add(self.postal.send(group, tensor, group.check_rank(dst, "dst"), tag))

    def _receive(self, shape, src, tag, dtype, group):
        check_tag(tag)
        source = group.check_rank(src, "src", any_source=True)
        return self.postal.irecv(group, source, tag, shape, dtype)

    def distributed_recv(self, shape, src, tag, dtype, group):
        return self._receive(shape, src, tag, dtype, group).wait()

    def distributed_irecv(self, shape, src, tag, dtype, group):
        return self.requests.add(self._receive(shape, src, tag, dtype, group))

    def distributed_wait(self, request):
        result = self.requests.pop(request).wait()
        return "send_completed" if result is None else result

    def distributed_test(self, request):
        return self.requests.get(request).test()

    # ---- groups ---------------------------------------------------------------

    def distributed_new_group(self, name, ranks):
        return self.groups.new(name, ranks)

    def distributed_split_group(self, name, color, key):
        return self.groups.split(name, color, self.groups.world.Get_rank() if key is None else key)

    def distributed_destroy_group(self, name):
        self.groups.destroy(name, before_free=self.postal.release)
