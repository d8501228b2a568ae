"""The engine behind the torch:: commands: one object per interpreter holding the
handle registries, groups and in-flight messages. Each declaration of the command
table (commands.py) becomes one Python command, registered under every spelling
(or as ``::tcltorch_mpi::engine::<command>``, called by the shim's proc in front): it
binds the call's words (binding.py), converts each value by its kind, and calls the
engine function or torch function the declaration names."""

import functools
import traceback
from tkinter import TclError

import torch
from torch import Tensor

from . import dtypes, runtime, spec
from .binding import Binding
from .commands import COMMANDS, SPEC_COMMANDS
from .devices import Devices
from .distributed_commands import DistributedCommands
from .errors import CommandError, first_line, invalid
from .families import CLASSES
from .groups import Groups
from .info_commands import InfoCommands
from .p2p import POSTAL
from .registry import Registry
from .runtime import MPI
from .families.creation import PACKED
from .tensor_commands import TensorCommands

NAMESPACE = "::tcltorch_mpi::engine"

_BOOLEANS = {"0": False, "1": True, "false": False, "true": True, "no": False, "yes": True}
_LIST_SYNTAX = frozenset(" \t\n\r\f\v{}\"\\")
_PLAIN = (str, int, float)
# Failures a user's input can cause: said as plain Tcl errors. Anything else is a bug
# of ours, said as an internal error with its Python traceback.
_USER_FACING = (MPI.Exception, RuntimeError, TclError, MemoryError)
_NEVER_TEXT = object()  # what a Tcl value never is: the parameter has no ready default
_NOT_MADE = object()  # what no command returns: the quick path did not make the call


def _message(exc):
    """A failure from torch or MPI as a one-line Tcl error, without Python class names."""
    if isinstance(exc, MPI.Exception):
        return f"MPI error: {runtime.error_text(exc)}"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return first_line(exc)


def _torch_call(command):
    """The torch function, called with the values by position, then as keyword
    arguments where parameters name one (they come last; one not given is left out)."""
    function = command.torch
    first = next((i for i, p in enumerate(command.params) if p.keyword), None)
    if first is None:
        return function
    names = [p.keyword for p in command.params[first:]]
    count = len(names)

    def call(*values):
        keywords = values[first:]
        if keywords.count(None) == count:  # the common call: torch's defaults, no dict built
            return function(*values[:first])
        return function(*values[:first], **{name: value for name, value in zip(names, keywords) if value is not None})
    return call


def _quick_calls(command, conversions, function, least, most):
    """For each count of words by position alone whose following parameters all have
    ready defaults: (what to call, the words' conversions, the values that follow), the
    same call as the general path makes. A torch function is called directly when the
    keyword parameters left are all None (as _torch_call's wrapper would)."""
    quick = {}
    first = next((i for i, p in enumerate(command.params) if p.keyword), len(command.params))
    for count in range(least, most + 1):
        tail = conversions[count:]
        if any(default_text is _NEVER_TEXT for default_text, _, _ in tail):
            continue
        call, values = function, tuple(default for _, default, _ in tail)
        if command.torch and count <= first and all(value is None for value in values[first - count:]):
            call, values = command.torch, values[:first - count]
        quick[count] = (call, conversions[:count], values)
    return quick


def _chosen(param, convert):
    def checked(text):
        if text not in param.choices:
            raise CommandError(f'Invalid {param.name}: expected one of {", ".join(param.choices)}, got "{text}"')
        return convert(text)
    return checked


def _one_owner(classes):
    """The engine and the classes mixed into it share one namespace: a name two of them
    define would silently be the first one's in both."""
    owners = {}
    for cls in classes:
        for name in vars(cls):
            if not name.startswith("__"):
                owners.setdefault(name, []).append(cls.__name__)
    twice = [f"{name} ({', '.join(classes)})" for name, classes in owners.items() if len(classes) > 1]
    if twice:
        raise RuntimeError(f"engine methods defined twice: {'; '.join(twice)}")


class Engine(TensorCommands, *CLASSES, DistributedCommands, InfoCommands):
    def __init__(self, tk, world, commands=COMMANDS):
        self.tk = tk
        self.commands = commands
        self.tensors = Registry("tensor", "Invalid tensor name")
        self.tensor = self.tensors.get  # a handle's tensor: the tensor kind
        self.requests = Registry("request", "Invalid request handle")
        # Training objects: a layer's handle is named after its kind (linear0, lstm3).
        self.layers = Registry("layer", "Invalid layer name")
        self.optimizers = Registry("optimizer", "Invalid optimizer name")
        self.schedulers = Registry("scheduler", "Invalid scheduler name")
        self.scalers = Registry("scaler", "Gradient scaler not found")
        self.layer, self.optimizer = self.layers.get, self.optimizers.get
        self.scheduler, self.scaler = self.schedulers.get, self.scalers.get
        self.handles = (self.tensors, self.layers, self.optimizers, self.schedulers, self.scalers)
        self.groups = Groups(world)
        self.postal = POSTAL
        self.devices = Devices(runtime.NODE_RANK)
        # Tcl's own readings of its values (0x10, 1e3), as a script means them.
        self.int, self.float = tk.getint, tk.getdouble

    # ---- kinds: a Tcl value as the engine takes it (spec.KINDS names these) ----

    def text(self, text):
        return text

    def bool(self, text):
        # The usual spellings without a call into Tcl (which releases the GIL).
        known = _BOOLEANS.get(text)
        return self.tk.getboolean(text) if known is None else known

    def number(self, text):
        """An integer stays exact (int64 beyond 2**53); any other number is a float."""
        if "." in text:  # never an integer: spares a failed integer read (an exception)
            return self.float(text)
        try:
            return self.tk.getint(text)
        except (ValueError, TclError):
            return self.float(text)

    def list(self, text):
        """A Tcl list's items; a single plain word needs no call into Tcl (a rest
        parameter's values come as a tuple)."""
        if isinstance(text, tuple):
            return text
        if text and _LIST_SYNTAX.isdisjoint(text):
            return [text]
        return self.tk.splitlist(text)

    def ints(self, text):
        return [self.int(item) for item in self.list(text)]

    def dims(self, text):
        items = self.list(text)
        return self.int(items[0]) if len(items) == 1 else tuple(self.int(item) for item in items)

    def operand(self, text):
        """A tensor handle's tensor, else the text as a number."""
        tensor = self.tensors.find(text)
        return tensor if tensor is not None else self.number(text)

    def shape(self, text):
        shape = self.ints(text)
        if any(d < 0 for d in shape):
            raise CommandError(f"Invalid shape: dimensions must not be negative, got {{{text}}}")
        if any(d >= 2**63 for d in shape):
            raise CommandError(f"Invalid shape: a dimension does not fit in 64 bits, got {{{text}}}")
        return shape

    def expected_shape(self, text):
        return None if text == "*" else self.shape(text)

    def dtype(self, name):
        return dtypes.parse(name)

    def device(self, name):
        return self.devices.parse(name)

    def group(self, name):
        return self.groups.get(name)

    # ---- the primitives ----

    def register(self):
        tk = self.tk
        spec.check(self.commands)
        tk.setvar("::tcltorch_mpi::PACKED", PACKED)
        for command in self.commands:
            function = self._command(command)
            if command.front:  # the shim's proc in front calls the engine command
                tk.createcommand(f"{NAMESPACE}::{command.name}", function)
                for spelling in command.spellings:
                    tk.call("interp", "alias", "", f"::torch::{spelling}", "", command.front)
            else:
                for spelling in command.spellings:
                    tk.createcommand(f"::torch::{spelling}", function)

    def _command(self, command):
        """The Tcl command: the call's words bound to the parameters (binding.py), each
        value converted by its kind, then the engine function or torch function called."""
        tk, bind = self.tk, Binding(command)
        function = getattr(self, command.engine.__name__) if command.engine else _torch_call(command)
        if command.fixed:
            function = functools.partial(function, *command.fixed)
        # torch's complaints (RuntimeError; from a mapped call, a dim out of range too)
        # are the user's errors, said with the command's name; from our own code, an
        # IndexError is a bug.
        torch_says = (IndexError, ValueError, RuntimeError) if command.torch else (RuntimeError,)
        in_extension_words = command.name not in SPEC_COMMANDS
        conversions = []
        for p in command.params:
            kind = spec.KINDS[p.kind]
            convert = getattr(self, kind.convert)
            if p.unknown:  # a handle whose message says which it is
                convert = functools.partial(convert, unknown=p.unknown)
            if p.choices:
                convert = _chosen(p, convert)
            if p.default is spec.REQUIRED or not kind.static:
                conversions.append((_NEVER_TEXT, None, convert))
            else:  # converted once, here
                conversions.append((p.default_text, None if p.default is None else convert(p.default_text), convert))
        least, most, defaults, rest = bind.minimum, bind.npositional, bind.defaults, bind.rest
        direct = not command.prepare
        quick = {} if rest or not direct else _quick_calls(command, conversions, function, least, most)
        tensors_add = self.tensors.add

        def general(words):
            """Any call: bound here or by the parser, every value converted, then made."""
            # Positional values alone bind here: defaults filled in, a rest parameter's
            # values gathered. A word like -x goes to the parser.
            count, texts = len(words), None
            if direct and (least <= count <= most or (rest and count >= least)):
                for word in words:
                    if word[:1] == "-":
                        break
                else:
                    texts = (*words[:most - 1], words[most - 1:], *defaults[most:]) if rest \
                        else words + defaults[count:]
            if texts is None:
                texts = bind(words)
            values, i = [], 0
            try:
                for text in texts:  # (an index, not zip: this loop runs on every call)
                    default_text, default, convert = conversions[i]
                    values.append(default if text == default_text else convert(text))
                    i += 1
            except (ValueError, TclError):
                p = command.params[i]
                raise invalid(p.name, spec.KINDS[p.kind].expected, text) from None
            return function(*values)

        def tcl_command(*words):
            try:
                result = _NOT_MADE
                ready = quick.get(len(words))
                if ready is not None:  # the common call: by position, the rest left at defaults
                    for word in words:
                        if word[:1] == "-":
                            break
                    else:
                        call, converts, tail = ready
                        try:
                            values = [default if word == default_text else convert(word)
                                      for (default_text, default, convert), word in zip(converts, words)]
                        except (ValueError, TclError):
                            pass  # not its kind: general() says which parameter
                        else:
                            result = call(*values, *tail)
                if result is _NOT_MADE:
                    result = general(words)
                if type(result) is Tensor:
                    return tensors_add(result)
                return result if type(result) in _PLAIN else self._result(result)
            except CommandError as exc:
                info = str(exc)
                message = exc.extension if exc.extension and in_extension_words else info
            except torch_says as exc:
                message = info = f"{command.name}: {_message(exc)}"
            except _USER_FACING as exc:
                message = info = _message(exc)
            except Exception as exc:  # a bug of ours: said as one, with where it happened
                message = f"internal error: {type(exc).__name__}: {exc}"
                info = f"{message}\n{traceback.format_exc().rstrip()}"
            # tkinter keeps the exception a command raised (for mainloop to raise again)
            # and overwrites it at the next without freeing it: ~0.5 KiB and the frame's
            # arguments lost per error. mainloop, with no window to wait for, hands the
            # last one back at once, to be dropped.
            try:
                tk.mainloop()
            except Exception:
                pass
            # Tcl's own `error` sets the message; the info keeps errorInfo to our words.
            tk.call("error", message, info)

        return tcl_command

    def _result(self, value):
        """An engine function's result as its Tcl value: tensors, layers, optimizers,
        schedulers and grad scalers become handles."""
        if isinstance(value, torch.Tensor):
            return self.tensors.add(value)
        if value is None:
            return ""
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (tuple, list)):
            return tuple(self._result(item) for item in value)
        if isinstance(value, torch.nn.Module):
            return self.layers.add(value, type(value).__name__.lower())
        if isinstance(value, torch.optim.Optimizer):
            return self.optimizers.add(value)
        if isinstance(value, torch.optim.lr_scheduler.LRScheduler):
            return self.schedulers.add(value)
        if isinstance(value, torch.amp.GradScaler):
            return self.scalers.add(value)
        return value

    def close(self):
        """The end of a run, on every rank (collective): None, or why the run fails
        (what this rank knows was left unfinished; "" if only others know)."""
        mine, anywhere = self.postal.unfinished_at_end(self.groups.joined(), self.requests.values())
        return "; ".join(mine) if anywhere else None


_one_owner(Engine.__mro__[:-1])  # (the last is object)
