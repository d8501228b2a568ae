"""The runner (python -m tcltorch_mpi) as a user runs it: one process and under mpirun."""

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tcltorch_mpi.__main__ import _parse
from tests.tclsession import shown

ROOT = Path(__file__).resolve().parent.parent
MPIRUN = str(Path(sys.executable).parent / "mpirun")


def run(script_text, tmp_path, ranks=None, args=(), timeout=120, **options):
    script = tmp_path / "script.tcl"
    script.write_text(textwrap.dedent(script_text))
    return run_file(script, ranks, args, timeout, **options)


def launch(command, timeout, env=None):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    shown(result.stdout, result.stderr)
    return result


def run_file(script, ranks=None, args=(), timeout=120, runner_options=(), env=None):
    """Run the runner on a script, alone or under mpirun with ``ranks`` ranks."""
    command = [sys.executable, "-m", "tcltorch_mpi", *runner_options, str(script), *args]
    if ranks:
        command = [MPIRUN, "-n", str(ranks), *command]
    return launch(command, timeout, env)


def by_rank(stdout):
    """Lines 'rank R: text' grouped per rank."""
    lines = {}
    for rank, text in re.findall(r"^rank (\d+):? (.*)$", stdout, re.M):
        lines.setdefault(int(rank), []).append(text)
    return lines


def test_help_and_version():
    help_text = subprocess.run([sys.executable, "-m", "tcltorch_mpi", "--help"], capture_output=True, text=True)
    assert help_text.returncode == 0 and "script.tcl" in help_text.stdout
    version = subprocess.run([sys.executable, "-m", "tcltorch_mpi", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and re.match(r"tcltorch_mpi \d+\.\d+\.\d+; MPI: MPICH", version.stdout)
    bad = subprocess.run([sys.executable, "-m", "tcltorch_mpi", "--frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown option --frobnicate" in bad.stderr


SECONDS = "needs a positive, finite number of seconds"


@pytest.mark.parametrize("options,env,message", [
    (["--timeout", "nan"], {}, f'--timeout {SECONDS}, got "nan"'),
    (["--timeout", "inf"], {}, f'--timeout {SECONDS}, got "inf"'),
    (["--timeout", "-2"], {}, f'--timeout {SECONDS}, got "-2"'),
    ([], {"TCLTORCH_MPI_TIMEOUT": "nan"}, f'TCLTORCH_MPI_TIMEOUT {SECONDS}, got "nan"'),
    ([], {"TCLTORCH_MPI_TIMEOUT": "soon"}, f'TCLTORCH_MPI_TIMEOUT {SECONDS}, got "soon"'),
    ([], {"TCLTORCH_MPI_CHECK_COLLECTIVES": "maybe"},
     'TCLTORCH_MPI_CHECK_COLLECTIVES needs a boolean (1, true, yes, on or 0, false, no, off), got "maybe"'),
], ids=["timeout-nan", "timeout-inf", "timeout-negative", "env-timeout-nan", "env-timeout-word", "env-check-word"])
def test_bad_runner_settings_are_usage_errors(tmp_path, options, env, message):
    result = run('puts "ran"', tmp_path, runner_options=options, env=env)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == f"tcltorch_mpi: {message}"


@pytest.mark.parametrize("value,on", [("1", True), ("true", True), ("Yes", True), ("on", True),
                                      ("0", False), ("false", False), ("no", False), ("OFF", False), ("", False)])
def test_check_collectives_variable_is_read_as_a_boolean(monkeypatch, value, on):
    monkeypatch.setenv("TCLTORCH_MPI_CHECK_COLLECTIVES", value)
    assert _parse(["script.tcl"])[0]["check"] is on


def test_argv_like_tclsh_and_exit_status(tmp_path):
    result = run("""
        puts "$::argc|$::argv|[file tail $::argv0]"
        exit 3
        puts "not reached"
    """, tmp_path, args=["a b", "-x", "c"])
    assert result.stdout == "3|{a b} -x c|script.tcl\n"
    assert result.returncode == 3


def test_double_dash_ends_runner_options(tmp_path):
    script = tmp_path / "s.tcl"
    script.write_text("puts $::argv\n")
    result = subprocess.run([sys.executable, "-m", "tcltorch_mpi", "--", str(script), "--help"],
                            capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "--help\n")


def test_uncaught_error_reports_rank_and_error_info(tmp_path):
    result = run("""
        puts "before"
        proc inner {} { torch::tensor_shape nosuch }
        inner
    """, tmp_path)
    assert result.returncode != 0
    assert result.stdout == "before\n"   # Tcl output is flushed before the error ends the job
    assert result.stderr.startswith("[rank 0] Invalid tensor name: nosuch\n")
    assert '"inner"' in result.stderr and "Traceback" not in result.stderr


def test_one_process_collectives_act_on_a_group_of_one(tmp_path):
    result = run("""
        set t [torch::tensor_create {{1 2} {3 4}} {} int32]
        foreach command {distributed_all_to_all distributed_all_reduce distributed_broadcast
                         distributed_all_gather distributed_scatter distributed_reduce_scatter} {
            set o [torch::$command $t]
            puts "$command [torch::tensor_shape $o] [torch::tensor_to_list $o]"
        }
        set r [torch::distributed_irecv {2 2} 0]
        torch::distributed_send $t 0
        puts "self [torch::tensor_to_list [torch::distributed_wait $r]]"
        puts "[torch::get_rank] [torch::get_world_size] [torch::is_distributed]"
        torch::distributed_new_group solo {0}
        torch::distributed_split_group halves 0
        puts "groups [torch::get_world_size solo] [torch::get_world_size halves]"
        puts "stuck [catch {torch::distributed_recv {1} 0 99} message] $message"
        torch::distributed_send [torch::ones {1}] 0 99
        puts "later [torch::tensor_to_list [torch::distributed_recv {1} 0 99]]"
        set unread [torch::distributed_isend [torch::ones {1}] 0 98]
        puts "unread [catch {torch::distributed_wait $unread} message] $message"
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "distributed_all_to_all 2 2 1 2 3 4", "distributed_all_reduce 2 2 1 2 3 4",
        "distributed_broadcast 2 2 1 2 3 4", "distributed_all_gather 1 2 2 1 2 3 4",
        "distributed_scatter 2 2 1 2 3 4", "distributed_reduce_scatter 2 2 1 2 3 4",
        "self 1 2 3 4", "0 1 0", "groups 1 1",
        "stuck 1 recv from rank 0 (tag 99) on the world group can never complete: the group has "
        "one process and no matching message was sent", "later 1.0",
        "unread 1 send to rank 0 (tag 98) on the world group can never complete: the group has one "
        "process and no receive takes the message"]


SPEC_SNIPPETS = """
    load /usr/lib/libtorchtcl.so
    package require tcltorch_mpi
    set rank [torch::get_rank]
    set t [torch::tensor_create [list [expr {$rank*10}] [expr {$rank*10+1}] [expr {$rank*10+2}] [expr {$rank*10+3}]] float32]
    set o [torch::distributed_all_to_all $t]
    puts "rank $rank: plain [torch::tensor_to_list $o]"
    set o [torch::distributed_all_to_all $t g1]
    puts "rank $rank: positional [torch::tensor_to_list $o]"
    set o [torch::distributed_all_to_all -tensor $t -group g1]
    puts "rank $rank: named [torch::tensor_to_list $o]"
    set o [torch::distributedAllToAll $t]
    puts "rank $rank: camel [torch::tensor_to_list $o]"
    puts "rank $rank: int32 [torch::tensor_dtype [torch::tensor_create {1 2 3} int32]]"
    puts "rank $rank: old [torch::tensor_shape [torch::tensor_create {1 2 3} float32 cpu 0]]"
    puts "rank $rank: nested [torch::tensor_shape [torch::tensor_create {{1 2} {3 4}}]]"
"""


@pytest.mark.parametrize("ranks", [None, 4])
def test_spec_examples_verbatim(tmp_path, ranks):
    result = run(SPEC_SNIPPETS, tmp_path, ranks=ranks)
    assert result.returncode == 0, result.stderr
    world = ranks or 1
    lines = by_rank(result.stdout)
    for rank in range(world):
        inputs = [np.arange(4, dtype=np.float32) + 10 * j for j in range(world)]
        expected = " ".join(str(v) for v in np.concatenate([np.split(x, world)[rank] for x in inputs]))
        assert lines[rank] == [f"plain {expected}", f"positional {expected}", f"named {expected}",
                               f"camel {expected}", "int32 Int32", "old 3", "nested 2 2"]


def test_demo_example_at_four_ranks():
    result = run_file(ROOT / "examples" / "all_to_all.tcl", ranks=4)
    assert result.returncode == 0, result.stderr
    lines = by_rank(result.stdout)
    sent = {r: np.arange(8) + 100 * r for r in range(4)}
    for r in range(4):
        received = np.concatenate([np.split(sent[j], 4)[r] for j in range(4)])
        assert lines[r] == ["sent     " + " ".join(map(str, sent[r])),
                            "received " + " ".join(map(str, received))]


@pytest.mark.parametrize("ranks", [None, 4])
def test_examples_check_themselves(ranks):
    world = ranks or 1
    mean = run_file(ROOT / "examples" / "allreduce_mean.tcl", ranks=ranks)
    moe = run_file(ROOT / "examples" / "moe_routing.tcl", ranks=ranks)
    ring = run_file(ROOT / "examples" / "ring_halo.tcl", ranks=ranks)
    for result in (mean, moe, ring):
        assert result.returncode == 0, result.stderr
    for r in range(world):
        assert "average matches 1" in by_rank(mean.stdout)[r]
        # (tests/test_routing.py checks its every value against numpy at 1-4 ranks)
        assert by_rank(moe.stdout)[r][3].endswith("all routed to it: 1")
        assert by_rank(moe.stdout)[r][5] == "ok 1"
        left, right = (r - 1) % world, (r + 1) % world
        assert by_rank(ring.stdout)[r] == [f"left halo {left}.0 {left}.0 {left}.0 "
                                           f"right halo {right}.0 {right}.0 {right}.0"]


def test_ranks_started_through_a_shell_end_cleanly(tmp_path):
    # Batch jobs often start each rank through a shell script. Hydra then watches the
    # shell, and once saw a finished rank as a failed one and killed the rest with
    # SIGKILL, every time, until ranks left through the C library's exit().
    script = tmp_path / "s.tcl"
    script.write_text('puts "rank [torch::get_rank]: done"\n')
    shell = '"$0" -m tcltorch_mpi "$1" && echo "rank $PMI_RANK: shell done"'
    result = launch([MPIRUN, "-n", "4", "sh", "-c", shell, sys.executable, str(script)], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert by_rank(result.stdout) == {r: ["done", "shell done"] for r in range(4)}


def test_distributed_init_warns_once_and_the_launcher_wins(tmp_path):
    result = run("""
        puts "rank [torch::get_rank]: [torch::distributed_init 0 8 localhost 29500 nccl]"
        torch::distributed_init -rank 5 -worldSize 8
    """, tmp_path, ranks=2)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("warning: distributed_init asked for") == 2   # once per rank
    assert "world_size=8" in result.stderr and "backend=nccl" in result.stderr
    for r in range(2):
        assert by_rank(result.stdout)[r] == [f"Distributed initialized: rank={r}, world_size=2, backend=mpi"]


@pytest.mark.parametrize("waiting_in", ["torch::distributed_barrier",
                                        "torch::distributed_all_to_all [torch::ones {4}]",
                                        "torch::distributed_recv {1} 0"])
def test_a_failing_rank_ends_the_whole_job_promptly(tmp_path, waiting_in):
    result = run(f"""
        if {{[torch::get_rank] == 2}} {{
            puts "rank 2: failing at [clock milliseconds]"
            flush stdout
            error "deliberate failure"
        }}
        {waiting_in}
        puts "rank [torch::get_rank]: not reached"
    """, tmp_path, ranks=4, timeout=60)
    ended = time.time() * 1000
    failed_at = int(re.search(r"failing at (\d+)", result.stdout).group(1))
    assert result.returncode != 0
    assert "[rank 2] deliberate failure" in result.stderr
    assert "not reached" not in result.stdout
    assert ended - failed_at < 5000, f"the job took {ended - failed_at:.0f} ms to end"


def test_a_non_editable_install_runs_from_the_wheel(tmp_path):
    """The shim ships inside the wheel: an installed copy finds it without the checkout."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "wheel"),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "wheel").glob("tcltorch_mpi-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(tmp_path / "site"), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    result = subprocess.run([sys.executable, "-m", "tcltorch_mpi", str(ROOT / "examples" / "all_to_all.tcl")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(tmp_path / "site")})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "rank 0 sent     0 1\nrank 0 received 0 1\n"
    located = subprocess.run([sys.executable, "-c", "import tcltorch_mpi.interp as i; print(i.shim_dir())"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(tmp_path / "site")})
    assert located.stdout.strip() == str(tmp_path / "site" / "tcltorch_mpi" / "shim")


def test_error_info_starts_at_the_scripts_own_frames(tmp_path):
    result = run("""\
        proc inner {} {
            error deliberate
        }
        inner
    """, tmp_path)
    script = tmp_path / "script.tcl"
    assert result.returncode == 1
    assert result.stderr == ('[rank 0] deliberate\ndeliberate\n    while executing\n"error deliberate"\n'
                             '    (procedure "inner" line 2)\n    invoked from within\n"inner"\n'
                             f'    (file "{script}" line 4)\n')


def test_a_torch_warning_is_one_line_in_the_scripts_terms():
    result = launch([sys.executable, "-m", "tcltorch_mpi", "-c",
                     "puts [torch::tensor_to_list [torch::tensor_to [torch::tensor_create {1+2j} complex64] cpu float32]]"],
                    timeout=120)
    assert result.returncode == 0 and result.stdout == "1.0\n"
    assert result.stderr == "tcltorch_mpi: warning: Casting complex values to real discards the imaginary part\n"


@pytest.mark.parametrize("received", [True, False])
def test_a_send_to_oneself_ends_quietly_at_one_process(received):
    # Its finished MPI requests are freed before MPI ends (MPICH warned of "pending references").
    script = "torch::distributed_send [torch::ones {2}] 0; " + ("torch::distributed_recv * 0; " if received else "")
    result = launch([sys.executable, "-m", "tcltorch_mpi", "-c", script + "puts done"], timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "done\n", "")
