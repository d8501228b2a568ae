"""How CUDA tensors reach MPI, decided once per run: direct (cupy, CUDA-aware MPI)
or staged through host memory. Checked here without a GPU; tests/mpi/test_cuda.py
runs the exchanges themselves where one is visible."""

import os
import subprocess
import sys
import types

import pytest
import torch

from tcltorch_mpi import buffers, runtime


def _device_count(answer):
    if isinstance(answer, Exception):
        raise answer
    return answer


@pytest.fixture
def cupy_installed(monkeypatch):
    """What ``import cupy`` gives the path decision: nothing, or a cupy whose device
    query answers ``gpus`` (a number, or the error cupy raises)."""
    def choose(gpus):
        fake = None
        if gpus is not None:
            query = types.SimpleNamespace(getDeviceCount=lambda: _device_count(gpus))
            fake = types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=query))
        monkeypatch.setitem(sys.modules, "cupy", fake)
    return choose


NO_DRIVER = RuntimeError("cudaErrorInsufficientDriver: CUDA driver version is insufficient")


@pytest.mark.parametrize("forced, gpus, library_says, direct, why", [
    ("0", 1, True, False, "TCLTORCH_MPI_CUDA_AWARE=0"),
    ("1", 1, False, True, "TCLTORCH_MPI_CUDA_AWARE=1"),
    ("1", None, True, False, "cupy is not installed"),
    ("", None, True, False, "cupy is not installed"),
    ("", 1, True, True, "MPIX_Query_cuda_support"),
    ("", 1, False, False, "does not report CUDA support"),
    ("", 1, None, False, "does not report CUDA support"),  # unsure: stage
    ("1", NO_DRIVER, True, False, "cupy cannot reach the GPU: cudaErrorInsufficientDriver"),
    ("", 0, True, False, "cupy sees no GPU"),
])
def test_the_path_follows_the_variable_then_the_library(monkeypatch, cupy_installed,
                                                          forced, gpus, library_says, direct, why):
    monkeypatch.setenv("TCLTORCH_MPI_CUDA_AWARE", forced)
    cupy_installed(gpus)
    monkeypatch.setattr(buffers, "_library_reports_cuda", lambda: library_says)
    chosen_direct, chosen_why = buffers._choose_cuda_path()
    assert chosen_direct is direct and why in chosen_why
    assert chosen_why.startswith("direct" if direct else "staged")


@pytest.mark.skipif(not runtime.library_name().startswith("MPICH"), reason="the MPICH wheel's answer")
def test_the_mpich_wheel_says_it_is_not_cuda_aware():
    # The wheel is built without CUDA: the query exists and answers no (None would mean "cannot say").
    assert buffers._library_reports_cuda() is False


def test_a_bad_forcing_value_is_one_line_not_a_traceback():
    result = subprocess.run([sys.executable, "-m", "tcltorch_mpi", "--version"], capture_output=True,
                            text=True, env={**os.environ, "TCLTORCH_MPI_CUDA_AWARE": "yes"})
    assert result.returncode == 1
    assert result.stderr == "tcltorch_mpi: TCLTORCH_MPI_CUDA_AWARE must be 0 or 1, not 'yes'\n"


def test_version_names_the_cuda_path():
    result = subprocess.run([sys.executable, "-m", "tcltorch_mpi", "--version"], capture_output=True, text=True)
    expected = buffers.CUDA_PATH if torch.cuda.is_available() else "no GPU visible"
    assert result.stdout.rstrip().endswith(f"CUDA tensors: {expected}")
