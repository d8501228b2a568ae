"""A data-parallel run that saves a checkpoint from rank 0 at 4 ranks resumes at 2
ranks: the parameters after 3 + 3 steps are those of 6 steps of single-process
whole-batch training with torch directly (SGD with momentum, so the optimizer's
state must come back from the file too), and torch.load reads the file."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

MPIRUN = str(Path(sys.executable).parent / "mpirun")
ROWS = 8  # equal shards at 4 and at 2 ranks

SCRIPT = r"""
lassign $argv phase file
set rank [torch::get_rank]
set size [torch::get_world_size]
for {set i 0} {$i < 24} {incr i} {
    lappend xv [expr {sin($i)}]
    if {$i < 8} {lappend yv [expr {cos($i)}]}
}
set x [torch::tensor_create $xv {8 3} float32]
set y [torch::tensor_create $yv {8 1} float32]
set shard [expr {8 / $size}]
set xs [torch::narrow_copy $x 0 [expr {$rank * $shard}] $shard]
set ys [torch::narrow_copy $y 0 [expr {$rank * $shard}] $shard]

torch::manual_seed [expr {($phase eq "save" ? 100 : 200) + $rank}]
set model [torch::sequential [list [torch::linear 3 5] [torch::linear 5 1]]]
set params [torch::layer_parameters $model]
set optimizer [torch::optimizer_sgd $params 0.05 0.9]
if {$phase eq "save"} {
    torch::distributed_broadcast_parameters $params
} else {
    torch::load_checkpoint $file $model $optimizer  ;# every rank: parameters and momentum
}
for {set step 0} {$step < 3} {incr step} {
    torch::optimizer_zero_grad $optimizer
    torch::tensor_backward [torch::mse_loss [torch::layer_forward $model $xs] $ys]
    torch::distributed_all_reduce_gradients $params
    torch::optimizer_step $optimizer
}
if {$phase eq "save"} {
    if {$rank == 0} {
        torch::save_checkpoint $model $optimizer $file 3
    }
    torch::distributed_barrier
} elseif {$rank == 0} {
    foreach p $params {
        puts [torch::tensor_to_list $p]
    }
}
"""


def data():
    x = np.sin(np.arange(24, dtype=np.float64)).astype(np.float32).reshape(8, 3)
    y = np.cos(np.arange(8, dtype=np.float64)).astype(np.float32).reshape(8, 1)
    return torch.tensor(x), torch.tensor(y)


def whole_batch_training(steps):
    torch.manual_seed(100)  # rank 0's start in the first run
    model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Linear(5, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x, y = data()
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
    return model


def run(tmp_path, ranks, phase, file):
    script = tmp_path / "train.tcl"
    script.write_text(SCRIPT)
    result = subprocess.run([MPIRUN, "-n", str(ranks), sys.executable, "-m", "tcltorch_mpi", str(script),
                             phase, str(file)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_saved_at_4_ranks_resumed_at_2_equals_whole_batch_training(tmp_path):
    file = tmp_path / "run.ckpt"
    run(tmp_path, 4, "save", file)
    saved = torch.load(file, weights_only=True)  # torch's own format, read by torch itself
    after_three = whole_batch_training(3)
    model_state = next(value for value in saved.values()
                       if isinstance(value, dict) and "0.weight" in value)
    for name, value in after_three.state_dict().items():
        np.testing.assert_allclose(model_state[name].numpy(), value.numpy(), rtol=1e-5, atol=1e-6)

    lines = run(tmp_path, 2, "resume", file).splitlines()
    expected = [p.detach().numpy().ravel() for p in whole_batch_training(6).parameters()]
    assert len(lines) == len(expected) == 4
    for line, want in zip(lines, expected):
        np.testing.assert_allclose(np.array(line.split(), dtype=np.float32), want, rtol=1e-5, atol=1e-6)
