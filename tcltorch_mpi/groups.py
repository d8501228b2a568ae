"""Process groups: a Tcl group name maps to an MPI communicator."""


from . import agreement
from .agreement import Ballot
from .errors import CommandError, tcl_list
from .runtime import MPI


class Group:
    """A group this process may be a member of: the script's communicator, the
    runtime's voting communicator beside it, and the world ranks of the others."""

    __slots__ = ("name", "comm", "rank", "size", "ballot", "world_ranks", "others", "label")

    def __init__(self, name, comm, world):
        self.name = name
        self.comm = comm
        self.label = f'group "{name}"' if name else "the world group"
        member = comm != MPI.COMM_NULL
        self.rank = comm.Get_rank() if member else -1
        self.size = comm.Get_size() if member else 0
        self.ballot = Ballot(comm.Dup()) if member else None
        self.world_ranks = self.others = ()
        if member:
            mine, everyone = comm.Get_group(), world.Get_group()
            self.world_ranks = tuple(MPI.Group.Translate_ranks(mine, range(self.size), everyone))
            mine.Free()
            everyone.Free()
            self.others = self.world_ranks[:self.rank] + self.world_ranks[self.rank + 1:]

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

    def free(self):
        self.ballot.free()
        if self.name:  # the world group's communicator is MPI's own
            self.comm.Free()


class Groups:
    def __init__(self, world):
        self.world = world
        self._groups = {"": Group("", world, world)}
        self._destroyed = set()  # names that no longer mean a group (until made again)

    def get(self, name):
        """The group a name means; a name never made means the world group (a query
        or any other use never communicates to find out)."""
        group = self._groups.get(name)
        if group is None:
            if name in self._destroyed:
                raise CommandError(f'Invalid group: "{name}" was destroyed')
            group = self._groups[""]
        if group.size == 0:
            raise CommandError(f"This process (world rank {self.world.Get_rank()}) "
                               f"is not a member of {group.label}")
        return group

    def free(self):
        """Free every communicator the groups hold (collective): for an interpreter
        that is done while MPI goes on, such as a test's (a process has ~2000)."""
        for group in self.joined():
            group.free()
        self._groups.clear()

    def joined(self):
        """The groups this process is a member of."""
        return [group for group in self._groups.values() if group.size]

    def _check_new_name(self, name):
        if name == "":
            raise CommandError("Invalid group name: the empty name means all processes")
        if name in self._groups:
            raise CommandError(f'Group "{name}" already exists')

    def new(self, name, ranks):
        def check():
            self._check_new_name(name)
            size = self.world.Get_size()
            if not ranks:
                raise CommandError("Invalid ranks: expected at least one world rank")
            if len(set(ranks)) != len(ranks):
                raise CommandError(f"Invalid ranks: {tcl_list(ranks)} lists a rank twice")
            if not all(0 <= r < size for r in ranks):
                raise CommandError(f"Invalid ranks: {tcl_list(ranks)} has a rank outside 0..{size - 1}")

        agreement.agree(self._groups[""], "distributed_new_group", {"name": name, "ranks": tuple(ranks)}, check)
        # Every rank has voted for this very call: the collective below finds them all.
        world_group = self.world.Get_group()
        members = world_group.Incl(ranks)
        self._add(name, self.world.Create(members))
        members.Free()
        world_group.Free()
        return name

    def split(self, name, color, key):
        def check():
            self._check_new_name(name)
            for what, value in (("color", color), ("key", key)):
                if not -2**31 <= value < 2**31:  # MPI takes C ints
                    raise CommandError(f'Invalid {what}: expected a 32-bit integer, got "{value}"')

        agreement.agree(self._groups[""], "distributed_split_group", {"name": name}, check)
        # A negative color leaves this process out, as MPI_UNDEFINED does.
        self._add(name, self.world.Split(color if color >= 0 else MPI.UNDEFINED, key))
        return name

    def _add(self, name, comm):
        self._groups[name] = Group(name, comm, self.world)
        self._destroyed.discard(name)

    def destroy(self, name, before_free):
        """Forget ``name``; ``before_free(comm)`` runs before its communicator is freed."""
        if name == "":
            raise CommandError("The world group cannot be destroyed")
        group = self._groups.pop(name, None)
        if group is None:
            said = "was destroyed" if name in self._destroyed else "does not exist"
            raise CommandError(f'Invalid group: "{name}" {said}')
        self._destroyed.add(name)
        if group.size:
            before_free(group.comm)
            group.free()
