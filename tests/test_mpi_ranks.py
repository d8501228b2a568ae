"""Launch the pytest-mpi suite (tests/mpi/) on 1, 2, 3 and 4 real MPI ranks."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MPIRUN = Path(sys.executable).parent / "mpirun"


@pytest.mark.parametrize("ranks", [1, 2, 3, 4])
def test_distributed_suite_on_real_ranks(ranks):
    command = [str(MPIRUN), "-n", str(ranks), sys.executable, "-m", "pytest", "--with-mpi", "-q",
               "-p", "no:cacheprovider", "tests/mpi"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    print(output[-3000:])
    assert result.returncode == 0, output[-6000:]
    passed = [int(n) for n in re.findall(r"(\d+) passed", output)]
    assert len(passed) == ranks and min(passed) > 100, output[-2000:]   # every rank ran the suite
    assert "failed" not in output
