"""Tensor creation: from a Tcl list of numbers, filled, or a range."""

import re

import numpy as np
import torch

from .. import dtypes, textio
from ..errors import CommandError, tcl_list
from ..params import CREATION, DEVICE, DIMENSIONS, DTYPE, REQUIRES_GRAD
from ..spec import Command, Param

# What the shim's tensor_create proc puts in place of data it packed in binary
# (the variables ::tcltorch_mpi::doubles and ::tcltorch_mpi::data hold it).
PACKED = "<data packed by tcltorch_mpi>"


def _dtype_without_shape(words):
    """tensor_create {1 2 3} int32 ?device? ?requires_grad?: a word in second place is a
    dtype, not a shape (a shape is integers), so a misspelt dtype is reported as one."""
    if len(words) >= 2 and re.fullmatch(r"[A-Za-z]\w*", words[1]):
        return [words[0], "", *words[1:]]
    return words


def _end_only(words):
    """arange end: start defaults to 0."""
    return ["0", *words] if len(words) == 1 else words


def _filled(name, camel, summary, engine):
    return Command(name, camel, CREATION, summary, (DIMENSIONS, DTYPE, DEVICE, REQUIRES_GRAD), engine=engine)


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

    def zeros(self, shape, dtype, device, requires_grad):
        return self._filled("zeros", torch.zeros, shape, dtype, device, requires_grad)

    def ones(self, shape, dtype, device, requires_grad):
        return self._filled("ones", torch.ones, shape, dtype, device, requires_grad)

    def empty(self, shape, dtype, device, requires_grad):
        return self._filled("empty", torch.empty, shape, dtype, device, requires_grad)

    def full(self, shape, value, dtype, device):
        return self._filled("full", lambda size, **kw: torch.full(size, value, **kw), shape, dtype, device)

    def arange(self, start, end, step, dtype, device):
        if step == 0:
            raise CommandError("Invalid step: must not be zero")
        if dtype is None:
            dtype = torch.int64 if all(isinstance(n, int) for n in (start, end, step)) else torch.float32
        return torch.arange(start, end, step, dtype=dtype, device=device)


C = CreationCommands
COMMANDS = (
    Command("tensor_create", "tensorCreate", CREATION, "A tensor from a Tcl list of numbers", (
        Param("data", "data", doc="Flat list, or nested lists for more dimensions"),
        Param("shape", "shape", None, "Dimensions; the data's own when not given"),
        DTYPE, DEVICE, REQUIRES_GRAD), engine=C.tensor_create, front="::tcltorch_mpi::tensor_create",
            prepare=_dtype_without_shape),
    _filled("zeros", "zeros", "A tensor of zeros", C.zeros),
    _filled("ones", "ones", "A tensor of ones", C.ones),
    _filled("empty", "empty", "A tensor whose values are not set", C.empty),
    Command("full", "full", CREATION, "A tensor filled with one value", (
        DIMENSIONS, Param("value", "number", doc="Value of every element"), DTYPE, DEVICE), engine=C.full),
    Command("arange", "arange", CREATION, "Values from start up to (not including) end by step", (
        Param("start", "number", 0, "First value"),
        Param("end", "number", doc="End of the range (not included)", required_positionally=True),
        Param("step", "number", 1, "Difference between values"),
        Param("dtype", "dtype", None, "Element type; int64 for integer bounds, else float32", named_only=True),
        Param("device", "device", "cpu", "Device: cpu, cuda or cuda:<index>", named_only=True)),
            engine=C.arange, prepare=_end_only, usage="end | start end ?step?"),
)
