"""Tensor creation: from a Tcl list of numbers, filled, a range, an identity matrix, or
shaped like another tensor."""

import re

import numpy as np
import torch

from .. import dtypes, textio
from ..errors import CommandError, tcl_list
from ..params import CREATION, DEVICE, DIMENSIONS, DTYPE
from ..spec import Command, Param
from ..tensor_commands import TensorCommands

# What the shim's tensor_create proc puts in place of data it packed in binary
# (the variables ::tcltorch_mpi::doubles and ::tcltorch_mpi::data hold it).
PACKED = "<data packed by tcltorch_mpi>"

# Named as the option is written, so that a bad value's message names -requiresGrad.
REQUIRES_GRAD = Param("requiresGrad", "bool", 0, "Whether autograd records operations on it",
                      named=("-requiresGrad", "-requires_grad"))
_NAME = re.compile(r"[A-Za-z]\w*")  # a dtype's (or device's) name, or one of the words below
_NUMBER_WORDS = {"inf", "infinity", "nan"}  # numbers as Tcl reads them (arange 0 Inf)


def _is_name(word):
    return _NAME.fullmatch(word) is not None and word.lower() not in _NUMBER_WORDS


def _dtype_without_shape(words):
    """tensor_create {1 2 3} int32 ?device? ?requires_grad?: a word in second place is a
    dtype, not a shape (a shape is integers), so a misspelt dtype is reported as one."""
    if len(words) >= 2 and _NAME.fullmatch(words[1]):
        return [words[0], "", *words[1:]]
    return words


def skipped(words, at, filler):
    """The extension's optional positional number at index ``at`` (eye's m, arange's
    step, logspace's base, randint_like's low): when the word there is a dtype's name,
    the number was left out and ``filler`` (its default) takes its place."""
    if len(words) > at and _is_name(words[at]):
        return [*words[:at], filler, *words[at:]]
    return words


def _arange_words(words):
    """arange end ?dtype? | start end ?step? ?dtype? ?device?: start defaults to 0."""
    if len(words) == 1 or (len(words) == 2 and _is_name(words[1])):
        words = ["0", *words]
    return skipped(words, 2, "1")


def _filled(name, camel, summary, function, aliases=()):
    """A tensor of a shape made by a torch factory: function(shape, dtype=, device=)."""
    return Command(name, camel, CREATION, summary, (DIMENSIONS, DTYPE, DEVICE, REQUIRES_GRAD),
                   engine=TensorCommands.filled, fixed=(name, function), aliases=aliases)


# The *_like commands: the input's shape, and its dtype and device unless given.
LIKE_INPUT = Param("input", "tensor", doc="Handle of the tensor whose shape the result takes",
                   named=("-input", "-tensor"))
LIKE_DTYPE = Param("dtype", "dtype", None, "Element type; the input's when not given")
# A text: a device's default cannot be "not given" (devices are looked up on every call).
DEVICE_OF_INPUT = Param("device", "text", "", "Device: cpu, cuda or cuda:<index>; the input's when not given")
NAMED_REQUIRES_GRAD = Param("requiresGrad", "bool", 0, "Whether autograd records operations on it",
                           named=("-requiresGrad", "-requires_grad"), named_only=True)


def like(name, camel, family, summary, engine, value=None, fixed=()):
    """A *_like declaration (shared with the random family: rand_like, randn_like)."""
    extra = (value,) if value else ()
    return Command(name, camel, family, summary, (LIKE_INPUT, *extra, LIKE_DTYPE, DEVICE_OF_INPUT, NAMED_REQUIRES_GRAD),
                   engine=engine, fixed=fixed)


class CreationCommands:
    def tensor_create(self, data, shape, dtype, device, requires_grad):
        packed = data == PACKED and self.tk.getboolean(self.tk.call("info", "exists", "::tcltorch_mpi::doubles"))
        if packed and not dtypes.is_integral(dtype):
            doubles = self.tk.getvar("::tcltorch_mpi::doubles") or b""  # Tcl hands b"" over as ""
            values = torch.from_numpy(np.frombuffer(bytearray(doubles), dtype=np.float64))
            return self._created(values, [values.numel()], shape, dtype, device, requires_grad)
        if packed:  # integers are read from their text, exactly
            data = self.tk.eval("set ::tcltorch_mpi::data")
        values, data_shape = textio.parse(self.tk, data, dtype)
        return self._created(torch.from_numpy(values), data_shape, shape, dtype, device, requires_grad)

    def _created(self, values, data_shape, shape, dtype, device, requires_grad):
        tensor = values.to(dtype)
        if shape is not None:
            try:
                tensor = tensor.reshape(shape)
            except RuntimeError:
                raise CommandError(f"Invalid shape: {tcl_list(shape)} does not hold "
                                   f"the {values.numel()} elements of data") from None
        else:
            tensor = tensor.reshape(data_shape)
        return self._new(tensor.to(device), requires_grad)

    def full(self, shape, value, dtype, device, requires_grad):
        return self.filled("full", lambda size, **kw: torch.full(size, value, **kw), shape, dtype, device,
                            requires_grad)

    def eye(self, n, m, dtype, device, requires_grad):
        m = n if m is None else m
        for name, size in (("n", n), ("m", m)):
            if size < 0:
                raise CommandError(f"Invalid {name}: must not be negative, got {size}")
        return self.filled("eye", lambda size, **kw: torch.eye(*size, **kw), [n, m], dtype, device, requires_grad)

    def arange(self, start, end, step, dtype, device):
        if step == 0:
            raise CommandError("Invalid step: must not be zero")
        if dtype is None:
            dtype = torch.int64 if all(isinstance(n, int) for n in (start, end, step)) else torch.float32
        return torch.arange(start, end, step, dtype=dtype, device=device)

    def logspace(self, start, end, steps, base, dtype, device):
        return self.spaced("logspace", lambda *a, **kw: torch.logspace(*a, base=base, **kw),
                           start, end, steps, dtype, device)

    def spaced(self, name, function, start, end, steps, dtype, device):
        if steps < 0:
            raise CommandError(f"Invalid steps: must not be negative, got {steps}")
        return self.filled(name, lambda size, **kw: function(start, end, *size, **kw), [steps], dtype, device)

    # ---- shaped like another tensor ----

    def like(self, name, factory, input, dtype, device, requires_grad):
        """factory(shape, dtype=, device=) with the input's shape, and its dtype and device
        unless given."""
        device = self.device(device) if device else input.device
        return self.filled(name, factory, list(input.shape), input.dtype if dtype is None else dtype, device, requires_grad)

    def full_like(self, input, value, dtype, device, requires_grad):
        return self.like("full_like", lambda size, **kw: torch.full(size, value, **kw), input, dtype, device,
                         requires_grad)


C = CreationCommands
_VALUE = Param("value", "number", doc="Value of every element")
COMMANDS = (
    Command("tensor_create", "tensorCreate", CREATION, "A tensor from a Tcl list of numbers", (
        Param("data", "data", doc="Flat list, or nested lists for more dimensions"),
        Param("shape", "shape", None, "Dimensions; the data's own when not given"),
        DTYPE, DEVICE, REQUIRES_GRAD), engine=C.tensor_create, front="::tcltorch_mpi::tensor_create",
            prepare=_dtype_without_shape),
    _filled("zeros", "zeros", "A tensor of zeros", torch.zeros),
    _filled("ones", "ones", "A tensor of ones", torch.ones),
    # torch::Empty: a spelling the extension registers too
    _filled("empty", "empty", "A tensor whose values are not set", torch.empty, aliases=("Empty",)),
    Command("full", "full", CREATION, "A tensor filled with one value", (
        DIMENSIONS, _VALUE, DTYPE, DEVICE, REQUIRES_GRAD), engine=C.full),
    Command("eye", "eye", CREATION, "An identity matrix: ones on the diagonal, zeros elsewhere", (
        Param("n", "int", doc="Number of rows"),
        Param("m", "int", None, "Number of columns; n when not given"),
        DTYPE, DEVICE, REQUIRES_GRAD), engine=C.eye, prepare=lambda words: skipped(words, 1, "")),
    Command("arange", "arange", CREATION, "Values from start up to (not including) end by step", (
        Param("start", "number", 0, "First value"),
        Param("end", "number", doc="End of the range (not included)", required_positionally=True),
        Param("step", "number", 1, "Difference between values"),
        Param("dtype", "dtype", None, "Element type; int64 for integer bounds, else float32"),
        DEVICE), engine=C.arange, prepare=_arange_words, usage="end | start end ?step?"),
    Command("linspace", "linspace", CREATION, "steps values evenly spaced from start to end (both included)", (
        Param("start", "double", doc="First value"),
        Param("end", "double", doc="Last value"),
        Param("steps", "int", doc="Number of values (0 or more)"),
        DTYPE, DEVICE), engine=C.spaced, fixed=("linspace", torch.linspace)),
    Command("logspace", "logspace", CREATION, "steps values base**x, x evenly spaced from start to end", (
        Param("start", "double", doc="Exponent of the first value"),
        Param("end", "double", doc="Exponent of the last value"),
        Param("steps", "int", doc="Number of values (0 or more)"),
        Param("base", "double", 10.0, "Base of the powers"),
        DTYPE, DEVICE), engine=C.logspace, prepare=lambda words: skipped(words, 3, "10.0")),
    like("zeros_like", "zerosLike", CREATION, "Zeros in the shape of a tensor", C.like,
         fixed=("zeros_like", torch.zeros)),
    like("ones_like", "onesLike", CREATION, "Ones in the shape of a tensor", C.like, fixed=("ones_like", torch.ones)),
    like("empty_like", "emptyLike", CREATION, "A tensor in the shape of another, its values not set", C.like,
         fixed=("empty_like", torch.empty)),
    like("full_like", "fullLike", CREATION, "One value in every element, in the shape of a tensor", C.full_like,
         value=_VALUE),
)
