"""Launch the pytest-mpi suites on real MPI ranks: tests/mpi/ on 1, 2, 3 and 4 ranks,
the bad-input fuzzing of tests/fuzz/ on 1, 2 and 3."""

import re
import sys

import pytest

from tests.test_runner import MPIRUN, launch

# The staged run sends every CPU tensor through the host-staging path that CUDA
# tensors take when MPI is not CUDA-aware, so CI covers that code without a GPU.
STAGED = {"TCLTORCH_MPI_STAGE_CPU": "1"}


@pytest.mark.parametrize("suite,ranks,least,env", [
    ("mpi", 1, 100, {}), ("mpi", 2, 100, {}), ("mpi", 3, 100, {}), ("mpi", 4, 100, {}),
    ("mpi", 3, 100, STAGED), ("fuzz", 1, 2, {}), ("fuzz", 2, 2, {}), ("fuzz", 3, 2, {})],
    ids=["mpi-1", "mpi-2", "mpi-3", "mpi-4", "mpi-3-staged", "fuzz-1", "fuzz-2", "fuzz-3"])
def test_suite_on_real_ranks(suite, ranks, least, env):
    command = [MPIRUN, "-n", str(ranks), sys.executable, "-m", "pytest", "--with-mpi", "-q",
               "-p", "no:cacheprovider", f"tests/{suite}"]
    result = launch(command, timeout=900, env=env)
    output = result.stdout + result.stderr
    print(output[-3000:])
    assert result.returncode == 0, output[-6000:]
    passed = [int(n) for n in re.findall(r"(\d+) passed", output)]
    assert len(passed) == ranks and min(passed) >= least, output[-2000:]   # every rank ran the suite
    assert "failed" not in output
