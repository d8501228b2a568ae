"""A plain install runs on real MPI: one process starts MPI as a singleton, and an MPI
library that cannot be loaded is a one-line error, never a stand-in."""

import pytest

from tests.test_runner import ROOT, run, run_file


def without_mpi_library(tmp_path):
    """Environment in which `import mpi4py` fails as it does when libmpi is missing."""
    broken = tmp_path / "broken" / "mpi4py"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ImportError("libmpi.so.12: cannot open shared object file")\n')
    return {"PYTHONPATH": str(broken.parent)}


@pytest.mark.parametrize("launcher", [{}, {"PMI_SIZE": "4"}], ids=["alone", "four-ranks"])
def test_missing_mpi_library_is_one_line_and_status_1(tmp_path, launcher):
    result = run_file(ROOT / "examples" / "all_to_all.tcl", env={**without_mpi_library(tmp_path), **launcher})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("tcltorch_mpi: the MPI library cannot be loaded (libmpi.so.12: cannot open "
                             "shared object file); install one: pip install mpi4py mpich  (or build "
                             "mpi4py against your site's MPI)\n")


def test_one_process_all_to_all_with_output_splits(tmp_path):
    # Failed on a plain install with "module 'tcltorch_mpi.lone' has no attribute 'IN_PLACE'".
    result = run("""
        set t [torch::tensor_create {1 2 3 4}]
        puts "[torch::get_world_size] [torch::tensor_to_list [torch::distributed_all_to_all $t -outputSplits {4}]]"
    """, tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 1.0 2.0 3.0 4.0\n", "")


def test_moe_example_in_one_process(tmp_path):
    result = run_file(ROOT / "examples" / "moe_routing.tcl")
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert "rank 0: expert 0 received 3 tokens, all routed to it: 1" in lines and lines[-1] == "rank 0: ok 1"
