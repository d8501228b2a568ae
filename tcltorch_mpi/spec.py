"""The vocabulary of the command table (commands.py): a command, its parameters and
their kinds, and the start-time check of a declaration against its engine function,
and the syntax and parameter tables that `torch::help` and docs/ show."""

import inspect
import re
from dataclasses import dataclass, replace

REQUIRED = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()


@dataclass(frozen=True)
class Kind:
    expected: str   # what the "Invalid <name>: expected ..." message and the docs say
    convert: str    # Engine method turning the Tcl text into the engine's value
    # False: its default is converted on every call (it depends on state: a group name)
    static: bool = True


# The kinds' conversions that look a handle up in a registry (engine.py).
HANDLE_KINDS = ("tensor", "layer", "optimizer", "scheduler", "scaler")

KINDS = {
    "tensor": Kind("tensor handle", "tensor", static=False),
    # A tensor handle or a number (a scalar operand: tensor_add $t 1)
    "operand": Kind("tensor handle or number", "operand", static=False),
    # An optional tensor (default None: "not given"): static, so that the default is
    # None once for all and a given handle is looked up on every call.
    "optional_tensor": Kind("tensor handle", "tensor"),
    "handles": Kind("list of tensor handles", "list"),
    "request": Kind("request handle", "text"),
    # Handles of the training objects, each in a registry of its own (engine.py)
    "layer": Kind("layer handle", "layer", static=False),
    "optimizer": Kind("optimizer handle", "optimizer", static=False),
    "scheduler": Kind("scheduler handle", "scheduler", static=False),
    "scaler": Kind("grad scaler handle", "scaler", static=False),
    "text": Kind("string", "text"),
    "data": Kind("list of numbers (nested lists for more dimensions)", "text"),
    "int": Kind("integer", "int"),
    "double": Kind("number", "float"),
    "number": Kind("number", "number"),
    "bool": Kind("boolean", "bool"),
    "ints": Kind("list of integers", "ints"),
    # One dimension or several: an integer, or a list of them (a tuple for torch)
    "dims": Kind("integer or list of integers", "dims"),
    "shape": Kind("list of integers", "shape"),
    "expected_shape": Kind("list of integers, or * for any", "expected_shape"),
    "dtype": Kind("dtype", "dtype"),
    "device": Kind("device", "device", static=False),
    "group": Kind("group name", "group", static=False),
}


def camel(name):
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@dataclass(frozen=True)
class Param:
    """One parameter. ``default``: the Tcl text used when it is not given, None for
    "not given" (the engine gets None), REQUIRED when it must be given."""

    name: str                       # as messages and docs write it: tensor, inputSplits
    kind: str
    default: object = REQUIRED
    doc: str = ""
    named: tuple = ()               # named spellings; () means -<name> in camelCase
    named_only: bool = False        # no positional place
    rest: bool = False              # takes all remaining positional values, as a list
    required_positionally: bool = False  # given by position even though optional by name
    arg: str = ""                   # the engine function's parameter; "" means snake_case(name)
    # For a torch function: passed as this keyword argument (left out when None, so
    # torch's own default holds); "" means by position.
    keyword: str = ""
    choices: tuple = ()             # the only texts it takes (a mode: "mean", "sum")
    # For a handle: the message for one that names nothing, which says which handle it
    # is ("Invalid weight tensor name"); by default the registry's own.
    unknown: str = ""

    def naming_role(self):
        """The same tensor parameter, whose unknown handle is said naming its role, in
        the extension's words where its commands say them: Invalid input tensor name: x."""
        return replace(self, unknown=f"Invalid {self.name} tensor name")

    @property
    def spellings(self):
        return self.named or (f"-{camel(self.name)}",)

    @property
    def engine_arg(self):
        return self.arg or snake(self.name)

    @property
    def default_text(self):
        if self.default is REQUIRED or self.default is None:
            return ""
        return str(self.default)

    @property
    def optional_positionally(self):
        return self.default is not REQUIRED and not self.required_positionally


@dataclass(frozen=True)
class Command:
    name: str                  # torch::<name>
    camel: str                 # its camelCase spelling, written out so both are greppable
    family: str
    summary: str               # one line for torch::help and docs/README.md
    params: tuple = ()
    engine: object = None      # engine function (a method of a commands class)
    torch: object = None       # or: the torch function it calls with the values
    aliases: tuple = ()        # more spellings (older or upstream names)
    front: str = ""            # a Tcl proc the spellings call, which calls the engine command
    prepare: object = None     # rewrites the positional words before they are bound
    fixed: tuple = ()          # the engine function's first arguments, before the values: one
                               # function serves several commands (the paddings: mode, dims)
    usage: str = ""            # the positional syntax when the parameters cannot say it

    @property
    def spellings(self):
        return (self.name, *((self.camel,) if self.camel != self.name else ()), *self.aliases)

    def positional(self):
        return [p for p in self.params if not p.named_only]

    def positional_usage(self):
        if self.usage:
            return self.usage
        words = []
        for p in self.positional():
            word = f"{p.name} ?{p.name} ...?" if p.rest else p.name
            words.append(f"?{word}?" if p.optional_positionally else word)
        return " ".join(words)

    def named_usage(self):
        words = []
        for p in self.params:
            word = f"{p.spellings[0]} {p.name}"
            words.append(f"?{word}?" if p.default is not REQUIRED else word)
        return " ".join(words)


def check(commands):
    """Every declaration against what it calls: the engine function's parameters, in
    name and order; and the table's own rules (spellings unique, camelCase right)."""
    problems, seen = [], {}
    for command in commands:
        for spelling in command.spellings:
            if spelling in seen:
                problems.append(f"torch::{spelling} is declared by {seen[spelling]} and {command.name}")
            seen[spelling] = command.name
        if command.camel != camel(command.name):
            problems.append(f"torch::{command.name}: its camelCase spelling is {camel(command.name)}, "
                            f"not {command.camel}")
        positional = command.positional()
        if positional != list(command.params[:len(positional)]):
            problems.append(f"torch::{command.name}: named-only parameters must follow the positional ones")
        declared = [p.engine_arg for p in command.params]
        if (command.engine is None) == (command.torch is None):
            problems.append(f"torch::{command.name}: declare exactly one of engine= and torch=")
        elif command.engine is not None:
            # after self and the fixed arguments
            takes = list(inspect.signature(command.engine).parameters)[1 + len(command.fixed):]
            if takes != declared:
                problems.append(f"torch::{command.name} declares ({', '.join(declared)}) but its engine "
                                f"function {command.engine.__qualname__} takes ({', '.join(takes)})")
        for p in command.params:
            if p.kind not in KINDS:
                problems.append(f"torch::{command.name}: parameter {p.name} has unknown kind {p.kind}")
            if p.keyword and command.torch is None:
                problems.append(f"torch::{command.name}: parameter {p.name} has a keyword but no torch function")
            if p.unknown and KINDS[p.kind].convert not in HANDLE_KINDS:
                problems.append(f"torch::{command.name}: parameter {p.name} has an unknown-handle message "
                                "but is not a handle")
            if p.choices and p.default not in (REQUIRED, None, *p.choices):
                problems.append(f"torch::{command.name}: parameter {p.name}'s default is not one of its choices")
        keywords = [bool(p.keyword) for p in command.params]
        if keywords != sorted(keywords):
            problems.append(f"torch::{command.name}: parameters passed as keywords must follow the others")
        if command.fixed and command.engine is None:
            problems.append(f"torch::{command.name}: fixed arguments are for an engine function")
    if problems:
        raise RuntimeError("tcltorch_mpi: the command table does not match the engine:\n  "
                           + "\n  ".join(problems))


# ---- what a reader sees: torch::help and the docs' generated sections ----------

def syntax_forms(command):
    """(title, lines) for the positional, named and camelCase forms."""
    options = " ".join(f"?{p.spellings[0]} {p.name}?" for p in command.params if p.named_only)
    positional = " ".join(filter(None, (f"torch::{command.name}", command.positional_usage(), options)))
    named = f"torch::{command.name} {command.named_usage()}".strip()
    forms = [("Positional", [positional])]
    if command.params:
        forms.append(("Named", [named]))
    others = command.spellings[1:]
    if others:
        lines = []
        for spelling in others:
            lines.append(positional.replace(f"torch::{command.name}", f"torch::{spelling}", 1))
            if command.params:
                lines.append(named.replace(f"torch::{command.name}", f"torch::{spelling}", 1))
        forms.append(("camelCase and other spellings", lines))
    return forms


def parameter_rows(command):
    """(parameter, type, required, default, description) per parameter."""
    rows = []
    for p in command.params:
        where = " / ".join(([] if p.named_only else [f"`{p.name}`"]) + [f"`{s}`" for s in p.spellings])
        if p.default is REQUIRED:
            required, default = "Yes", "-"
        else:
            required = "Yes (by position)" if p.required_positionally else "No"
            default = "not given" if p.default is None else f'`{p.default_text or "{}"}`'
        kind = f"one of {', '.join(p.choices)}" if p.choices else KINDS[p.kind].expected
        rows.append((where, kind, required, default, p.doc))
    return rows


def help_text(commands, name=None):
    """The text of `torch::help` (every command by family) or `torch::help <command>`."""
    if name is None:
        families = {}
        for command in commands:
            families.setdefault(command.family, []).append(command)
        lines = []
        for family, members in families.items():
            lines.append(f"{family}:")
            lines += [f"  torch::{c.name:<28} {c.summary}" for c in members]
        lines.append("torch::help <command> shows a command's syntax and parameters.")
        return "\n".join(lines)
    wanted = name.removeprefix("::").removeprefix("torch::")
    command = next((c for c in commands if wanted in c.spellings), None)
    if command is None:
        return None
    lines = [f"torch::{command.name} - {command.summary}"]
    for title, forms in syntax_forms(command):
        lines.append(f"{title}:")
        lines += [f"  {form}" for form in forms]
    if command.params:
        lines.append("Parameters:")
        for where, kind, required, default, doc in parameter_rows(command):
            needed = "required" if required == "Yes" else f"default {default}".replace("`", "")
            if required.startswith("Yes ("):
                needed = "required by position, " + needed
            lines.append(f"  {where.replace('`', '')} ({kind}, {needed}){': ' + doc if doc else ''}")
    return "\n".join(lines)
