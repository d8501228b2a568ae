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


@pytest.fixture
def cupy_installed(monkeypatch):
    """Whether ``import cupy`` succeeds, as the path decision sees it."""
    def choose(installed):
        monkeypatch.setitem(sys.modules, "cupy", types.ModuleType("cupy") if installed else None)
    return choose


@pytest.mark.parametrize("forced, installed, library_says, direct, why", [
    ("0", True, True, False, "TCLTORCH_MPI_CUDA_AWARE=0"),
    ("1", True, False, True, "TCLTORCH_MPI_CUDA_AWARE=1"),
    ("1", False, True, False, "cupy is not installed"),
    ("", False, True, False, "cupy is not installed"),
    ("", True, True, True, "MPIX_Query_cuda_support"),
    ("", True, False, False, "does not report CUDA support"),
    ("", True, None, False, "does not report CUDA support"),  # unsure: stage
])
def test_the_path_follows_the_variable_then_the_library(monkeypatch, cupy_installed,
                                                          forced, installed, library_says, direct, why):
    monkeypatch.setenv("TCLTORCH_MPI_CUDA_AWARE", forced)
    cupy_installed(installed)
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
