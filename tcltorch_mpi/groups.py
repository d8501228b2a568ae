"""Process groups: a Tcl group name maps to an MPI communicator."""


from . import guards
from .errors import CommandError, tcl_list
from .runtime import MPI


class Group:
    __slots__ = ("name", "comm", "rank", "size")

    def __init__(self, name, comm):
        self.name = name
        self.comm = comm
        member = comm != MPI.COMM_NULL
        self.rank = comm.Get_rank() if member else -1
        self.size = comm.Get_size() if member else 0

    @property
    def label(self):
        return f'group "{self.name}"' if self.name else "the world group"

    def check_rank(self, rank, what, any_source=False):
        """``rank`` as a rank of this group (-1, with ``any_source``: MPI's any source),
        or a clear error naming ``what`` it is (root, src, dst)."""
        if any_source and rank == -1:
            return MPI.ANY_SOURCE
        if not 0 <= rank < self.size:
            extra = " or -1 for any source" if any_source else ""
            raise CommandError(f"Invalid {what}: {rank} is not a rank of {self.label} "
                               f"(ranks 0..{self.size - 1}{extra})")
        return rank


def agree(comm, command, args, local_error):
    """Every rank reaches the same verdict: raise on all ranks if any rank objects
    or if the ranks were not given the same arguments."""
    guards.all_arrive(comm, f"{command} on the world group")
    views = comm.allgather((args, local_error))
    for rank, (_, error) in enumerate(views):
        if error:
            raise CommandError(error if comm.Get_size() == 1 else f"{error} (on rank {rank})")
    for rank, (other, _) in enumerate(views):
        if other != views[0][0]:
            raise CommandError(f"{command}: ranks were given different arguments: "
                               f"rank 0 gave {tcl_list(views[0][0])}, rank {rank} gave {tcl_list(other)}")


class Groups:
    def __init__(self, world):
        self.world = world
        self._groups = {"": Group("", world)}
        self._destroyed = set()  # names that no longer mean a group (until made again)

    def get(self, name):
        group = self._groups.get(name)
        if group is None:
            if name in self._destroyed:
                raise CommandError(f'Invalid group: "{name}" was destroyed')
            # A name never created means all processes, on a communicator of its own,
            # made when every rank first uses the name (Dup is collective).
            guards.all_arrive(self.world, f'the first use of group "{name}" (on the world group)')
            group = self._groups[name] = Group(name, self.world.Dup())
        if group.size == 0:
            raise CommandError(f"This process (world rank {self.world.Get_rank()}) "
                               f"is not a member of {group.label}")
        return group

    def joined(self):
        """The groups this process is a member of."""
        return [group for group in self._groups.values() if group.size]

    def _check_new_name(self, name):
        if name == "":
            return "Invalid group name: the empty name means all processes"
        if name in self._groups:
            return f'Group "{name}" already exists'
        return None

    def new(self, name, ranks):
        size = self.world.Get_size()
        error = self._check_new_name(name)
        if error is None:
            if not ranks:
                error = "Invalid ranks: expected at least one world rank"
            elif len(set(ranks)) != len(ranks):
                error = f"Invalid ranks: {tcl_list(ranks)} lists a rank twice"
            elif not all(0 <= r < size for r in ranks):
                error = f"Invalid ranks: {tcl_list(ranks)} has a rank outside 0..{size - 1}"
        agree(self.world, "distributed_new_group", (name, ranks), error)
        world_group = self.world.Get_group()
        members = world_group.Incl(ranks)
        self._add(name, self.world.Create(members))
        members.Free()
        world_group.Free()
        return name

    def split(self, name, color, key):
        error = self._check_new_name(name)
        for what, value in (("color", color), ("key", key)):
            if error is None and not -2**31 <= value < 2**31:  # MPI takes C ints
                error = f'Invalid {what}: expected a 32-bit integer, got "{value}"'
        agree(self.world, "distributed_split_group", name, error)
        # A negative color leaves this process out, as MPI_UNDEFINED does.
        comm = self.world.Split(color if color >= 0 else MPI.UNDEFINED, key)
        self._add(name, comm)
        return name

    def _add(self, name, comm):
        self._groups[name] = Group(name, comm)
        self._destroyed.discard(name)

    def destroy(self, name, before_free):
        """Forget ``name``; ``before_free(comm)`` runs before its communicator is freed."""
        if name == "":
            raise CommandError("The world group cannot be destroyed")
        group = self._groups.pop(name, None)
        if group is None:
            raise CommandError(f'Invalid group: "{name}" does not exist')
        self._destroyed.add(name)
        if group.size:
            before_free(group.comm)
            group.comm.Free()
