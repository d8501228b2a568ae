"""The engine behind the shim: one object per interpreter holding the handle
registries, groups and in-flight messages, whose methods are the Tcl primitives
``::tcltorch_mpi::engine::<command>``."""


from . import runtime
from .devices import Devices
from .distributed_commands import DistributedCommands
from .errors import CommandError
from .groups import Groups
from .p2p import POSTAL
from .registry import Registry
from .runtime import MPI
from .tensor_commands import TensorCommands

NAMESPACE = "::tcltorch_mpi::engine"


_BOOLEANS = {"0": False, "1": True, "false": False, "true": True, "no": False, "yes": True}
_LIST_SYNTAX = frozenset(" \t\n\r\f\v{}\"\\")


def _local_rank(world):
    node = world.Split_type(MPI.COMM_TYPE_SHARED)
    rank = node.Get_rank()
    node.Free()
    return rank


def _message(exc):
    """A failure from torch or MPI as a one-line Tcl error, without Python class names."""
    if isinstance(exc, MPI.Exception):
        return f"MPI error: {runtime.error_text(exc)}"
    text = str(exc).strip().splitlines()
    return text[0] if text else "internal error"


class Engine(TensorCommands, DistributedCommands):
    def __init__(self, tk, world):
        self.tk = tk
        self.tensors = Registry("tensor", "Invalid tensor name")
        self.requests = Registry("request", "Invalid request handle")
        self.groups = Groups(world)
        self.postal = POSTAL
        self.devices = Devices(_local_rank(world))
        # Tcl's own readings of its values, so Python agrees with what the shim checked.
        self.int, self.float = tk.getint, tk.getdouble

    def tensor(self, handle):
        return self.tensors.get(handle)

    def bool(self, text):
        # The usual spellings without a call into Tcl (which releases the GIL).
        known = _BOOLEANS.get(text)
        return self.tk.getboolean(text) if known is None else known

    def list(self, text):
        """A Tcl list's items; a single plain word needs no call into Tcl."""
        if text and _LIST_SYNTAX.isdisjoint(text):
            return [text]
        return self.tk.splitlist(text)

    def ints(self, text):
        return [self.int(item) for item in self.list(text)]

    @classmethod
    def command_names(cls):
        """The Tcl primitives: the public methods of the command classes."""
        return [name for base in cls.__bases__ for name in vars(base) if not name.startswith("_")]

    def register(self):
        self.tk.eval(f"namespace eval {NAMESPACE} {{}}")
        for name in self.command_names():
            self.tk.createcommand(f"{NAMESPACE}::{name}", self._expose(getattr(self, name)))

    def _expose(self, method):
        tk = self.tk

        def command(*args):
            try:
                return method(*args)
            except CommandError as exc:
                message = str(exc)
            except Exception as exc:  # torch or MPI said no: still a Tcl error, not a traceback
                message = _message(exc)
            # tkinter keeps the exception a command raised (for mainloop to raise again)
            # and overwrites it at the next without freeing it: ~0.5 KiB and the frame's
            # arguments lost per error. mainloop, with no window to wait for, hands the
            # last one back at once, to be dropped.
            try:
                tk.mainloop()
            except Exception:
                pass
            # Raising through Tcl's own `error` is how a Python command sets the Tcl error text.
            tk.call("error", message)

        return command

    def close(self):
        """The end of a run, on every rank (collective): None, or why the run fails
        (what this rank knows was left unfinished; "" if only others know)."""
        mine, anywhere = self.postal.unfinished_at_end(self.groups.joined(), self.requests.values())
        return "; ".join(mine) if anywhere else None
