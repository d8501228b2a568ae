"""The runner as tclsh: the console on standard input (a terminal, a pipe, under
mpirun) and -c, at one process and two ranks."""

import shlex
import subprocess
import sys

import pexpect
import pytest

from tcltorch_mpi.__main__ import _parse
from tests.tclsession import shown
from tests.test_runner import MPIRUN, ROOT, launch

RUNNER = [sys.executable, "-m", "tcltorch_mpi"]


def runner(ranks, args):
    command = [*RUNNER, *args]
    return [MPIRUN, "-n", str(ranks), *command] if ranks else command


def piped(stdin, ranks=None, args=()):
    """The runner with ``stdin`` as its standard input (a pipe)."""
    result = subprocess.run(runner(ranks, args), input=stdin, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    shown(result.stdout, result.stderr)
    return result


def terminal(ranks=None, args=()):
    """The runner on a terminal (a pty), at its first prompt."""
    command = runner(ranks, args)
    child = pexpect.spawn(command[0], command[1:], cwd=ROOT, encoding="utf-8", timeout=60)
    child.expect_exact("% ")
    return child


def typed(child, line, until="% "):
    """Type a line; what the terminal showed (its echo included) until ``until``."""
    child.sendline(line)
    child.expect_exact(until)
    return child.before.replace("\r", "")


def ended(child):
    """The exit status once the runner has ended, and what it showed last."""
    child.expect(pexpect.EOF)
    shown = child.before.replace("\r", "")
    child.close()
    return child.exitstatus, shown


def test_options_of_the_console_forms():
    assert _parse([])[1:] == (None, [])
    assert _parse(["-", "a", "-x"])[1:] == ("-", ["a", "-x"])
    options, script, args = _parse(["-i", "-c", "puts 1", "-i", "b"])
    assert (options["interactive"], options["command"], script, args) == (True, "puts 1", None, ["-i", "b"])
    assert _parse(["--interactive", "s.tcl"])[0]["interactive"] is True
    assert _parse(["s.tcl"])[0]["interactive"] is False
    bad = subprocess.run([*RUNNER, "-c"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("tcltorch_mpi: -c needs a script\nusage:")
    usage = subprocess.run([*RUNNER, "--help"], capture_output=True, text=True, timeout=120).stdout
    for form in ("-c 'script' ?arg ...?", "[- ?arg ...?]", "-i, --interactive"):
        assert form in usage


def test_terminal_console_at_one_process():
    child = terminal()
    assert typed(child, "set x 5") == "set x 5\n5\n"
    # tclsh shows no prompt within an incomplete command, unless tcl_prompt2 says one
    child.sendline("proc add {a b} {")
    child.sendline("    return [expr {$a + $b}]")
    assert typed(child, "}") == "proc add {a b} {\n    return [expr {$a + $b}]\n}\n"
    assert typed(child, "add 2 3") == "add 2 3\n5\n"
    assert typed(child, "puts -nonewline x; set empty {}") == "puts -nonewline x; set empty {}\nx"
    assert typed(child, "error boom") == "error boom\nboom\n"          # shown; the console goes on
    assert typed(child, "set tcl_interactive") == "set tcl_interactive\n1\n"
    assert typed(child, "set tcl_prompt2 {puts -nonewline {> }}") == "set tcl_prompt2 {puts -nonewline {> }}\n" \
                                                                      "puts -nonewline {> }\n"
    assert typed(child, "expr {1 +", until="> ") == "expr {1 +\n"
    assert typed(child, "2}") == "2}\n3\n"
    child.sendline("exit 3")
    assert ended(child) == (3, "exit 3\n")


def test_end_of_terminal_input_ends_cleanly():
    child = terminal()
    child.sendline("puts [torch::get_world_size]")
    child.expect_exact("% ")
    child.sendeof()
    assert ended(child) == (0, "")


def test_terminal_console_under_mpirun_labels_what_differs():
    child = terminal(ranks=2, args=["-i"])
    assert typed(child, "torch::get_rank") == "torch::get_rank\n[rank 0] 0\n[rank 1] 1\n"
    assert typed(child, "set x 5") == "set x 5\n5\n"    # the same on every rank: once
    assert typed(child, "expr {[torch::get_rank] ? \"a\\nb\" : 7}") == \
        "expr {[torch::get_rank] ? \"a\\nb\" : 7}\n[rank 0] 7\n[rank 1] a\n[rank 1] b\n"
    assert typed(child, "torch::tensor_to_list [torch::distributed_all_reduce [torch::ones {2}]]") == \
        "torch::tensor_to_list [torch::distributed_all_reduce [torch::ones {2}]]\n2.0 2.0\n"
    assert typed(child, "set tcl_interactive") == "set tcl_interactive\n1\n"
    child.sendline("exit")
    assert ended(child) == (0, "exit\n")


@pytest.mark.parametrize("ranks", [None, 2])
def test_piped_console_runs_every_command_on_every_rank(ranks):
    result = piped('puts "rank [torch::get_rank]"\nset x 5\nputs "$x $tcl_interactive"\n', ranks)
    assert (result.returncode, result.stderr) == (0, "")
    world = ranks or 1
    assert sorted(result.stdout.splitlines()) == sorted([f"rank {r}" for r in range(world)] + ["5 0"] * world)


def test_piped_console_at_one_process_is_tclsh():
    # tclsh on a pipe: no prompt, no results, an error's message and on; status 0 at
    # the end of input, where an incomplete command is dropped
    result = piped("proc f {} {error boom}\nf\nputs after\nproc g {} {\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, "after\n", "boom\n")


def test_piped_console_reports_errors_per_rank_and_goes_on():
    result = piped('if {[torch::get_rank] == 1} {error "only on one"}\n'
                   'error same\n'
                   'error "on [torch::get_rank]"\n'
                   'puts "after [torch::get_rank]"\n', ranks=2)
    assert result.returncode == 0
    assert result.stderr == "[rank 1] only on one\nsame\n[rank 0] on 0\n[rank 1] on 1\n"
    assert sorted(result.stdout.splitlines()) == ["after 0", "after 1"]


def test_interactive_option_on_a_pipe_prompts_and_shows_results():
    result = piped("set x 5\nerror boom\n", args=["-i"])
    assert (result.returncode, result.stdout, result.stderr) == (0, "% 5\n% % ", "boom\n")


@pytest.mark.parametrize("args,argv", [(["-", "a b", "-c"], "{a b} -c|2"), ([], "|0")],
                         ids=["dash", "no-script"])
def test_console_argv(args, argv):
    result = piped('puts "$argv0|$argv|$argc"\n', args=args)
    assert (result.returncode, result.stdout) == (0, f"tcltorch_mpi|{argv}\n")


def test_exit_in_the_console_ends_every_rank_cleanly():
    result = piped('puts "rank [torch::get_rank]"\nexit\nputs "not reached"\n', ranks=2)
    assert (result.returncode, result.stderr) == (0, "")
    assert sorted(result.stdout.splitlines()) == ["rank 0", "rank 1"]


def test_end_of_input_runs_the_end_of_run_check():
    result = piped("if {[torch::get_rank] == 0} {torch::distributed_isend [torch::ones {1}] 1 5}\n", ranks=2)
    assert result.returncode == 1
    assert "[rank 1] rank 0's send (tag 5) on the world group was never received\n" in result.stderr


def test_a_rank_that_exits_alone_ends_the_job():
    result = piped("if {[torch::get_rank] == 1} exit\nputs never\n", ranks=2)
    assert result.returncode != 0 and "never" not in result.stdout
    assert result.stderr.startswith("[rank 0] rank 1 ended its script (exit 0) while this rank waits in "
                                    "the console (rank 0 gathers what each rank's command shows)\n")


def test_waiting_for_the_next_command_is_not_timed_out():
    # once all have started, the other ranks wait 2 s for rank 0's next line: longer
    # than --timeout, yet no MPI hang
    pipeline = 'echo "set started 1"; sleep 2; echo "puts [torch::get_rank]"'
    command = shlex.join([MPIRUN, "-n", "2", *RUNNER, "--timeout", "0.5", "-"])
    result = subprocess.run(f"({pipeline}) | {command}", shell=True, cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert sorted(result.stdout.splitlines()) == ["0", "1"]


@pytest.mark.parametrize("ranks", [None, 2])
def test_dash_c_runs_a_string(ranks):
    result = launch(runner(ranks, ["-c", "puts [expr {1+2}]"]), timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "3\n" * (ranks or 1), "")


def test_dash_c_argv_and_errors():
    result = launch(runner(None, ["-c", 'puts "$argv0|$argv|$argc"', "x", "y z", "-i"]), timeout=120)
    assert (result.returncode, result.stdout) == (0, "-c|x {y z} -i|3\n")
    failed = launch(runner(None, ["-c", "proc f {} {error bad}; f"]), timeout=120)
    assert failed.returncode == 1
    assert failed.stderr == ('[rank 0] bad\nbad\n    while executing\n"error bad"\n'
                             '    (procedure "f" line 1)\n    invoked from within\n"f"\n')


def test_dash_c_then_the_console_with_dash_i():
    result = piped("puts $x\n", args=["-i", "-c", "set x 4"])
    assert (result.returncode, result.stdout) == (0, "% 4\n% ")
