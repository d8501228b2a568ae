"""Tensor commands: build, inspect, convert and free the tensors collectives move.

Methods are named as the Tcl commands and take the string values the shim passes
(already checked for form and primitive kinds); they return Tcl results.
"""

import math

import numpy as np
import torch

from . import dtypes, textio
from .errors import CommandError, tcl_list


def _dims(shape):
    return tuple(int(d) for d in shape)


def _amount(nbytes):
    """A byte count as people read it: 3.6 TiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024:
            break
        nbytes /= 1024
    else:
        unit = "EiB"
    return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"


class TensorCommands:
    def _new(self, tensor, requires_grad="0"):
        if self.bool(requires_grad):
            if dtypes.is_integral(tensor.dtype):
                raise CommandError("Invalid requires_grad: only floating-point tensors can require gradients")
            tensor.requires_grad_(True)
        return self.tensors.add(tensor)

    def _shape(self, text):
        shape = self.ints(text)
        if any(d < 0 for d in shape):
            raise CommandError(f"Invalid shape: dimensions must not be negative, got {{{text}}}")
        if any(d >= 2**63 for d in shape):
            raise CommandError(f"Invalid shape: a dimension does not fit in 64 bits, got {{{text}}}")
        return shape

    def _dtype(self, name, default=torch.float32):
        return default if name == "" else dtypes.parse(name)

    def tensor_create(self, data, shape, dtype, device, requires_grad):
        dtype = self._dtype(dtype)
        values, data_shape = textio.parse(self.tk, data, dtype)
        return self._created(torch.from_numpy(values), data_shape, shape, dtype, device, requires_grad)

    def takes_doubles(self, dtype):
        """Whether tensor_create may take this dtype's data as binary doubles: the
        floating and complex dtypes (integers must stay exact beyond 2**53)."""
        return int(not dtypes.is_integral(self._dtype(dtype)))

    def tensor_create_doubles(self, variable, shape, dtype, device, requires_grad):
        """tensor_create of a flat list the shim packed (binary format d*) into the
        caller's ``variable``: no text is written or parsed."""
        packed = self.tk.getvar(variable) or b""  # Tcl hands an empty value over as ""
        values = torch.from_numpy(np.frombuffer(bytearray(packed), dtype=np.float64))
        return self._created(values, [values.numel()], shape, self._dtype(dtype), device, requires_grad)

    def _created(self, values, data_shape, shape, dtype, device, requires_grad):
        tensor = values.to(dtype)
        if shape != "":
            shape = self.ints(shape)
            try:
                tensor = tensor.reshape(shape)
            except RuntimeError:
                raise CommandError(f"Invalid shape: {tcl_list(shape)} does not hold "
                                   f"the {values.numel()} elements of data") from None
        else:
            tensor = tensor.reshape(data_shape)
        return self._new(tensor.to(self.devices.parse(device)), requires_grad)

    def _filled(self, name, factory, shape, dtype, device, requires_grad="0"):
        shape, device = self._shape(shape), self.devices.parse(device)
        numel = math.prod(shape)
        # Said here in plain words: torch answers with an overflow naming a Python list,
        # or with its allocator's failure.
        if numel >= 2**63 or math.prod(max(d, 1) for d in shape[1:]) >= 2**63:  # strides too
            raise CommandError(f"{name}: a tensor of shape {tcl_list(shape)} has too many "
                               "elements to index (2**63 or more)")
        nbytes = numel * torch.empty(0, dtype=dtype).element_size()
        tensor = None
        if nbytes < 2**63:
            try:
                tensor = factory(shape, dtype=dtype, device=device)
            except RuntimeError as exc:
                if not (isinstance(exc, torch.cuda.OutOfMemoryError) or "can't allocate memory" in str(exc)):
                    raise
        if tensor is None:
            raise CommandError(f"{name}: a tensor of shape {tcl_list(shape)} ({dtypes.DISPLAY[dtype].lower()}) "
                               f"needs {_amount(nbytes)} of memory, more than this process can allocate")
        return self._new(tensor, requires_grad)

    def zeros(self, shape, dtype, device, requires_grad):
        return self._filled("zeros", torch.zeros, shape, self._dtype(dtype), device, requires_grad)

    def ones(self, shape, dtype, device, requires_grad):
        return self._filled("ones", torch.ones, shape, self._dtype(dtype), device, requires_grad)

    def empty(self, shape, dtype, device, requires_grad):
        return self._filled("empty", torch.empty, shape, self._dtype(dtype), device, requires_grad)

    def full(self, shape, value, dtype, device):
        fill = self._number(value)  # an integer stays exact (int64 beyond 2**53)
        return self._filled("full", lambda size, **kw: torch.full(size, fill, **kw), shape,
                            self._dtype(dtype), device)

    def randn(self, shape, device, dtype):
        dtype = self._dtype(dtype)
        if dtypes.is_integral(dtype):
            raise CommandError(f"Invalid dtype: randn needs a floating dtype, got {dtypes.DISPLAY[dtype]}")
        return self._filled("randn", torch.randn, shape, dtype, device)

    def _number(self, text):
        try:
            return self.tk.getint(text)
        except Exception:  # not an integer: the shim already checked it is a number
            return self.float(text)

    def arange(self, start, end, step, dtype, device):
        numbers = [self._number(v) for v in (start, end, step)]
        if numbers[2] == 0:
            raise CommandError("Invalid step: must not be zero")
        default = torch.int64 if all(isinstance(n, int) for n in numbers) else torch.float32
        tensor = torch.arange(*numbers, dtype=self._dtype(dtype, default), device=self.devices.parse(device))
        return self.tensors.add(tensor)

    def manual_seed(self, seed):
        seed = self.int(seed)
        if not -2**63 <= seed < 2**64:
            raise CommandError(f"Invalid seed: expected a 64-bit integer, got {seed}")
        torch.manual_seed(seed)
        return ""

    def tensor_shape(self, handle):
        return _dims(self.tensor(handle).shape)

    def tensor_dtype(self, handle):
        return dtypes.DISPLAY[self.tensor(handle).dtype]

    def tensor_device(self, handle):
        return str(self.tensor(handle).device)

    def tensor_numel(self, handle):
        return self.tensor(handle).numel()

    def tensor_to_list(self, handle):
        return textio.to_tcl(self.tensor(handle))

    def tensor_print(self, handle):
        return str(self.tensor(handle).detach())

    def tensor_reshape(self, handle, shape):
        tensor, shape = self.tensor(handle), self.ints(shape)
        try:
            return self.tensors.add(tensor.reshape(shape))
        except RuntimeError:
            raise CommandError(f"Invalid shape: {tcl_list(shape)} cannot hold "
                               f"the {tensor.numel()} elements of {handle}") from None

    def tensor_permute(self, handle, dims):
        tensor, dims = self.tensor(handle), self.ints(dims)
        if sorted(d % tensor.dim() if tensor.dim() else d for d in dims) != list(range(tensor.dim())):
            raise CommandError(f"Invalid dims: {tcl_list(dims)} is not a permutation "
                               f"of the {tensor.dim()} dimensions of {handle}")
        # A view: collectives take non-contiguous tensors as they are.
        return self.tensors.add(tensor.permute(dims))

    def tensor_to(self, handle, device, dtype):
        tensor = self.tensor(handle)
        return self.tensors.add(tensor.to(device=self.devices.parse(device),
                                          dtype=self._dtype(dtype, tensor.dtype), copy=True))

    def _binary(self, operation, a, b):
        try:
            return self.tensors.add(operation(self.tensor(a), self.tensor(b)))
        except RuntimeError as exc:
            raise CommandError(str(exc).splitlines()[0]) from None

    def tensor_add(self, a, b):
        return self._binary(torch.add, a, b)

    def tensor_sub(self, a, b):
        return self._binary(torch.sub, a, b)

    def tensor_mul(self, a, b):
        return self._binary(torch.mul, a, b)

    def tensor_div(self, a, b):
        return self._binary(torch.div, a, b)

    def tensor_sum(self, handle):
        return self.tensors.add(self.tensor(handle).sum())

    def tensor_mean(self, handle):
        tensor = self.tensor(handle)
        dtypes.check_mean(tensor.dtype, "tensor_mean")
        return self.tensors.add(tensor.mean())

    def allclose(self, a, b, rtol, atol):
        try:
            close = torch.allclose(self.tensor(a), self.tensor(b), rtol=self.float(rtol), atol=self.float(atol))
        except RuntimeError as exc:
            raise CommandError(str(exc).splitlines()[0]) from None
        return int(close)

    def tensor_free(self, handles):
        names = self.list(handles)
        for name in names:
            self.tensor(name)  # all valid before any is released
        for name in dict.fromkeys(names):  # a handle listed twice is freed once
            self.tensors.pop(name)
        return ""

    def tensor_count(self):
        return len(self.tensors)

    def cuda_is_available(self):
        return int(torch.cuda.is_available())

    def cuda_device_count(self):
        return torch.cuda.device_count()
