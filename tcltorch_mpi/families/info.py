"""Tensor information and conversion: shape, dtype, device, the elements as a Tcl list, release."""

import torch

from .. import dtypes, textio
from ..errors import CommandError
from ..params import INFO, TENSOR
from ..spec import Command, Param


class TensorInfoCommands:
    def tensor_shape(self, tensor):
        return tuple(tensor.shape)

    def tensor_dtype(self, tensor):
        return dtypes.DISPLAY[tensor.dtype]

    def tensor_device(self, tensor):
        return str(tensor.device)

    def tensor_is_cuda(self, tensor):
        return tensor.is_cuda

    def tensor_item(self, tensor):
        """The one element as a Tcl number: Bool as 0/1, integers exact, floats as the
        shortest decimal that reads back as the element (0.1 for Float32 0.1), complex
        as re+imj. (The extension prints floats with six decimals; see docs.)"""
        if tensor.numel() != 1:
            raise CommandError(f"tensor_item: Tensor must have exactly one element, got {tensor.numel()} "
                               f"(shape {{{' '.join(map(str, tensor.shape))}}})")
        value = tensor.detach().reshape(1).cpu()
        if value.dtype.is_complex:
            return textio.to_tcl(value)[1]
        if value.dtype.is_floating_point:
            return textio.shortest_decimals(value).item()
        return value.item()

    def tensor_to_list(self, tensor):
        return textio.to_tcl(tensor)

    def tensor_print(self, tensor):
        return str(tensor.detach())

    def tensor_to(self, tensor, device, dtype):
        return tensor.to(device=device, dtype=dtype or tensor.dtype, copy=True)

    def tensor_free(self, handles):
        self._release(handles, (self.tensors,), "Invalid tensor name")

    def free(self, handles):
        self._release(handles, self.handles, "Invalid handle")

    def _release(self, handles, registries, unknown):
        owners = {}  # a handle listed twice is freed once
        for name in handles:  # all valid before any is released
            owners[name] = next((r for r in registries if r.find(name) is not None), None)
            if owners[name] is None:
                raise CommandError(f"{unknown}: {name}")
        for name, registry in owners.items():
            registry.pop(name)

    def tensor_count(self):
        return len(self.tensors)


C = TensorInfoCommands
COMMANDS = (
    Command("tensor_shape", "tensorShape", INFO, "The dimensions of a tensor", (TENSOR,), engine=C.tensor_shape,
            aliases=("tensor_size", "tensorSize")),
    Command("tensor_dtype", "tensorDtype", INFO, "The element type of a tensor (Float32, Int64, ...)", (TENSOR,),
            engine=C.tensor_dtype),
    Command("tensor_device", "tensorDevice", INFO, "The device of a tensor", (TENSOR,), engine=C.tensor_device),
    Command("tensor_numel", "tensorNumel", INFO, "The number of elements of a tensor", (TENSOR,), torch=torch.numel),
    Command("tensor_is_cuda", "tensorIsCuda", INFO, "1 if the tensor is on a CUDA device, else 0", (TENSOR,),
            engine=C.tensor_is_cuda),
    Command("tensor_item", "tensorItem", INFO, "The value of a one-element tensor, as a number", (TENSOR,),
            engine=C.tensor_item),
    Command("tensor_to_list", "tensorToList", INFO, "The elements, flattened, as a Tcl list", (TENSOR,),
            engine=C.tensor_to_list, front="::tcltorch_mpi::tensor_to_list"),
    Command("tensor_print", "tensorPrint", INFO, "A readable multi-line rendering", (TENSOR,), engine=C.tensor_print),
    Command("tensor_to", "tensorTo", INFO, "A copy on another device and/or of another dtype", (
        TENSOR, Param("device", "device", doc="Device: cpu, cuda or cuda:<index>"),
        Param("dtype", "dtype", None, "Element type; the tensor's own when not given")), engine=C.tensor_to),
    Command("tensor_free", "tensorFree", INFO, "Release tensor handles",
            (Param("tensor", "handles", doc="Handles to release", named=("-tensor", "-tensors"), rest=True,
                   arg="handles"),), engine=C.tensor_free),
    Command("free", "free", INFO, "Release handles of any kind: tensors, layers, optimizers, schedulers, grad scalers",
            (Param("handle", "handles", doc="Handles to release", named=("-handle", "-handles"), rest=True,
                   arg="handles"),), engine=C.free),
    Command("tensor_count", "tensorCount", INFO, "The number of live tensor handles", engine=C.tensor_count),
)
