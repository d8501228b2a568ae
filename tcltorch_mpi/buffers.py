"""The one place where a tensor becomes an MPI buffer.

Contiguous CPU tensors are handed to MPI by address, with no copy. CUDA tensors plug
in here: straight to MPI when the library is CUDA-aware, else staged through host
memory; collectives only ever see "wire" tensors that MPI may touch.
"""

import torch
from mpi4py import MPI

CPU = torch.device("cpu")


def wire(tensor):
    """A contiguous tensor holding ``tensor``'s data that MPI may read."""
    if tensor.is_cuda:
        return tensor.to(CPU, memory_format=torch.contiguous_format)
    return tensor if tensor.is_contiguous() else tensor.contiguous()


def wire_device(tensor):
    """Where results for ``tensor`` are received before they go back to its device."""
    return CPU


def home(result, device):
    """Move a received result to the device the user's tensor lives on."""
    return result if result.device == device else result.to(device)


def spec(tensor, datatype=MPI.BYTE):
    """mpi4py buffer spec for a wire tensor: its memory, read as ``datatype``."""
    return [MPI.buffer.fromaddress(tensor.data_ptr(), tensor.nbytes), datatype]
