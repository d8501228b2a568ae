"""examples/data_parallel_training.tcl on 2 and 4 real ranks: the losses it prints are
those of whole-batch training from the same start done with torch directly here, the
loss falls, and every rank ends with rank 0's parameters."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
MPIRUN = str(Path(sys.executable).parent / "mpirun")
EXAMPLE = ROOT / "examples" / "data_parallel_training.tcl"


def whole_batch_losses(steps=100):
    """The example's task and model, trained on one process with every sample: the
    loss before each step (what the example prints at steps 1, 20, 40, ...)."""
    torch.manual_seed(0)
    x = torch.randn(256, 4)
    y = x @ torch.tensor([[1.5], [-2.0], [0.5], [3.0]]) + 0.5
    y = y + torch.randn(256, 1) * 0.05
    torch.manual_seed(100)  # rank 0's seed: its start is broadcast to the others
    hidden, output = torch.nn.Linear(4, 16), torch.nn.Linear(16, 1)
    optimizer = torch.optim.SGD([*hidden.parameters(), *output.parameters()], lr=0.1)
    losses = {}
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(output(torch.relu(hidden(x))), y)
        loss.backward()
        optimizer.step()
        losses[step] = loss.item()
    return losses


@pytest.mark.parametrize("ranks", [2, 4])
def test_the_example_trains_like_one_process_on_the_whole_batch(ranks):
    result = subprocess.run([MPIRUN, "-n", str(ranks), sys.executable, "-m", "tcltorch_mpi", str(EXAMPLE)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    printed = {int(step): float(loss) for step, loss in re.findall(r"step +(\d+)  loss ([\d.]+)", result.stdout)}
    expected = whole_batch_losses()
    assert sorted(printed) == [1, 20, 40, 60, 80, 100]
    for step, loss in printed.items():
        assert loss == pytest.approx(expected[step], rel=1e-3, abs=1e-5), step
    assert printed[100] < printed[1] / 100  # it learned
    assert f"ranks: {ranks}, parameter tensors: 4" in result.stdout
    assert "largest difference from rank 0's parameters, over all ranks: 0.0" in result.stdout
    assert result.stderr == ""


def test_a_world_that_does_not_split_the_data_evenly_is_told_so():
    result = subprocess.run([MPIRUN, "-n", "3", sys.executable, "-m", "tcltorch_mpi", str(EXAMPLE)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "the 256 samples do not split into 3 equal shards" in result.stderr
