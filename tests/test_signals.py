"""Ctrl-C ends a run at once, as in tclsh: alone, under mpirun (which forwards it to
every rank), in a pure Tcl loop and inside a torch command."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MPIRUN = str(Path(sys.executable).parent / "mpirun")


def _stat(pid):
    """(state, parent pid) of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def descendants(pid):
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(entry)):
            parents[int(entry)] = stat[1]
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    return family - {pid}


def running(pids):
    return {pid for pid in pids if (stat := _stat(pid)) and stat[0] != "Z"}


def interrupt(tmp_path, loop, ranks):
    """Start the runner on ``loop`` once every rank said it is ready, send SIGINT to the
    runner (or to mpirun) and return (status, seconds to end, stderr, processes left)."""
    script = tmp_path / "loop.tcl"
    script.write_text(f'puts "ready [torch::get_rank]"\nflush stdout\n{loop}\n')
    command = [sys.executable, "-m", "tcltorch_mpi", str(script)]
    if ranks:
        command = [MPIRUN, "-n", str(ranks), *command]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    family = set()
    try:
        for _ in range(ranks or 1):
            assert process.stdout.readline().startswith("ready")
        time.sleep(0.5)  # well inside the loop
        # Hydra's proxy and ranks each start a session of their own: they are found by
        # parentage, before mpirun's end can orphan them.
        family = descendants(process.pid)
        assert len(family) >= (ranks or 0)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        return process.returncode, time.monotonic() - started, stderr, running(family)
    finally:
        for pid in running(family | {process.pid}):
            os.kill(pid, signal.SIGKILL)
        process.kill()
        process.communicate()


LOOPS = {"tcl": "while 1 {}",
         "torch": "while 1 {torch::tensor_free [torch::randn {4000 4000}]}"}


@pytest.mark.parametrize("inside", LOOPS)
@pytest.mark.parametrize("ranks", [None, 2], ids=["alone", "mpirun-2"])
def test_ctrl_c_ends_the_run_at_once(tmp_path, inside, ranks):
    status, seconds, stderr, left = interrupt(tmp_path, LOOPS[inside], ranks)
    assert not left, f"processes still running after Ctrl-C: {sorted(left)}"
    assert seconds < (5 if ranks else 2), f"took {seconds:.1f} s to end"
    if ranks:
        assert status != 0
    else:
        assert (status, stderr) == (-signal.SIGINT, "")   # killed by SIGINT, as tclsh is
    assert "Traceback" not in stderr and "[rank" not in stderr, stderr
