"""Failure handling on real ranks: killed ranks, timeouts, and check mode."""

import re
import time

import pytest

from tcltorch_mpi import waiting
from tests.test_runner import by_rank, run


def test_a_rank_killed_by_a_signal_ends_the_job(tmp_path):
    result = run("""
        if {[torch::get_rank] == 1} {
            puts "rank 1: killing myself at [clock milliseconds]"
            flush stdout
            exec kill -9 [pid]
        }
        torch::distributed_barrier
        puts "rank [torch::get_rank]: not reached"
    """, tmp_path, ranks=3, timeout=60)
    ended = time.time() * 1000
    killed_at = int(re.search(r"killing myself at (\d+)", result.stdout).group(1))
    assert result.returncode != 0 and "not reached" not in result.stdout
    assert ended - killed_at < 5000, f"the job took {ended - killed_at:.0f} ms to end"


def test_requests_never_waited_for_are_named_when_they_never_finish(tmp_path):
    # Rank 0's receive of tag 4 is matched (never waited for: fine); rank 2's receive
    # of tag 8 never is; rank 0's -async all_to_all on "pair" lacks rank 1.
    result = run("""
        set rank [torch::get_rank]
        torch::distributed_new_group pair {0 1}
        if {$rank == 0} {
            set matched [torch::distributed_irecv {2} 1 4]
            set lonely [torch::distributed_all_to_all [torch::ones {2}] pair -async 1]
        } elseif {$rank == 1} {
            torch::distributed_send [torch::ones {2}] 0 4
        } else {
            set unmatched [torch::distributed_irecv {2} 0 8]
        }
        puts "rank $rank: done"
    """, tmp_path, ranks=3, timeout=60)
    assert result.returncode != 0
    assert by_rank(result.stdout) == {0: ["done"], 1: ["done"], 2: ["done"]}
    assert ('[rank 0] all_to_all -async on group "pair" never completed: '
            "not every rank of the group called it\n") in result.stderr
    assert "[rank 2] recv from rank 0 (tag 8) on the world group was never matched by a send\n" in result.stderr
    assert "tag 4" not in result.stderr and "Traceback" not in result.stderr


def test_destroying_a_group_settles_its_receives(tmp_path):
    # A receive whose message came keeps it; one still waiting is withdrawn, and its
    # wait says why. The run ends cleanly.
    result = run("""
        set rank [torch::get_rank]
        torch::distributed_new_group g {0 1}
        torch::distributed_new_group h {0 1}
        if {$rank == 1} {
            set came [torch::distributed_irecv {3} 0 1 -group g]
            set never [torch::distributed_irecv {3} 0 2 -group h]
        } else {
            torch::distributed_send [torch::full {3} 7] 1 1 -group g
        }
        torch::distributed_barrier
        torch::distributed_destroy_group g
        torch::distributed_destroy_group h
        if {$rank == 1} {
            puts "rank 1: [torch::tensor_to_list [torch::distributed_wait $came]]"
            catch {torch::distributed_wait $never} message
            puts "rank 1: $message"
        }
    """, tmp_path, ranks=2, timeout=60)
    assert result.returncode == 0, result.stderr
    assert by_rank(result.stdout) == {1: ["7.0 7.0 7.0", 'recv from rank 0 (tag 2) on group "h" can never '
                                          "complete: the group was destroyed first"]}


def test_a_send_nobody_receives_ends_the_run_with_an_error_not_a_hang(tmp_path):
    # A 4 MiB send cannot complete unreceived (MPI cannot buffer it: it would wait
    # forever); a small one completes at once, and MPI_Finalize failed on its receiver.
    # The tag-4 message is received late, while rank 0 already waits at its end.
    result = run("""
        set rank [torch::get_rank]
        torch::distributed_new_group pair {0 1}
        if {$rank == 0} {
            torch::distributed_send [torch::zeros {1048576}] 1 3
            torch::distributed_send [torch::zeros {1048576}] 1 4
            set never_waited [torch::distributed_isend [torch::zeros {1048576}] 1 5]
            torch::distributed_send [torch::ones {2}] 1 6 -group pair
        } elseif {$rank == 1} {
            after 500
            torch::tensor_free [torch::distributed_recv {1048576} 0 4]
        }
        puts "rank $rank: done"
    """, tmp_path, ranks=3, timeout=60)
    assert result.returncode != 0
    assert by_rank(result.stdout) == {0: ["done"], 1: ["done"], 2: ["done"]}
    assert ("[rank 1] rank 0's send (tag 3) on the world group was never received; "
            "rank 0's send (tag 5) on the world group was never received; "
            "rank 0's send (tag 6) on group \"pair\" was never received\n") in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("waiting_in,named", [
    ("torch::distributed_barrier", "barrier on the world group"),
    ("torch::distributed_all_reduce [torch::ones {4}] sum", "all_reduce on the world group"),
    ("torch::distributed_recv {1} 1 7", "recv from rank 1 (tag 7) on the world group"),
])
def test_timeout_ends_a_hung_job_naming_the_operation(tmp_path, waiting_in, named):
    start = time.monotonic()
    result = run(f"""
        if {{[torch::get_rank] == 1}} {{ after 60000 }}
        {waiting_in}
    """, tmp_path, ranks=2, args=(), timeout=60, runner_options=("--timeout", "1.5"))
    elapsed = time.monotonic() - start
    assert result.returncode != 0
    assert f"[rank 0] timeout: {named} did not complete within 1.5 s" in result.stderr
    assert elapsed < 30


# Rank 3 never joins anything; ranks 0 and 1 wait with a bound, rank 2 in a group.
ROLL_CALL_SCRIPT = """
    torch::distributed_new_group late {2 3}
    switch [torch::get_rank] {
        0 { torch::distributed_all_reduce [torch::ones {4}] sum }
        1 { torch::distributed_recv {1} 3 9 }
        2 { torch::distributed_barrier late }
        3 { after 60000 }
    }
"""


def check_roll_call(result):
    """Whichever of ranks 0 and 1 times out first asks the others (both may report
    before the job ends). Each report is whole and exact."""
    assert result.returncode != 0
    waiting = {0: "all_reduce on the world group", 1: "recv from rank 3 (tag 9) on the world group"}
    reports = 0
    for rank, other in ((0, 1), (1, 0)):
        header = f"[rank {rank}] timeout: {waiting[rank]} did not complete within 2 s\n"
        if header in result.stderr:
            reports += 1
            assert header + "".join(f"[rank {rank}]   {line}\n" for line in (
                f"rank {other}: waiting in {waiting[other]}",
                'rank 2: waiting in barrier on group "late"',
                "rank 3: no answer within 1 s (running the script, not waiting in MPI)",
            )) in result.stderr, result.stderr
    assert reports, result.stderr


def test_a_timeout_says_where_the_other_ranks_are(tmp_path):
    check_roll_call(run(ROLL_CALL_SCRIPT, tmp_path, ranks=4, timeout=60, runner_options=("--timeout", "2")))


@pytest.mark.parametrize("options,waiting_in,named", [
    ((), "torch::distributed_new_group pair {0 1}", "distributed_new_group on the world group"),
    ((), "torch::distributed_all_reduce [torch::ones {2}] sum -group never_made", "all_reduce on the world group"),
    (("--check-collectives",), "torch::distributed_all_reduce [torch::ones {2}] sum",
     "all_reduce on the world group"),
])
def test_calls_that_make_groups_or_vote_time_out_too(tmp_path, options, waiting_in, named):
    # Rank 1 waits for a message that never comes: rank 0's call is timed all the same.
    result = run(f"""
        if {{[torch::get_rank] == 0}} {{ {waiting_in} }} else {{ torch::distributed_recv {{1}} 0 99 }}
    """, tmp_path, ranks=2, timeout=60, runner_options=(*options, "--timeout", "2"))
    assert result.returncode != 0
    # Both ranks wait with a bound: whichever times out first names the other.
    recv = "recv from rank 0 (tag 99) on the world group"
    assert (f"[rank 0] timeout: {named} did not complete within 2 s\n"
            f"[rank 0]   rank 1: waiting in {recv}\n") in result.stderr or \
           (f"[rank 1] timeout: {recv} did not complete within 2 s\n"
            f"[rank 1]   rank 0: waiting in {named}\n") in result.stderr, result.stderr


def test_timeouts_do_not_disturb_a_healthy_run(tmp_path):
    result = run("""
        set t [torch::ones {8}]
        set o [torch::distributed_all_to_all $t]
        set r [torch::distributed_irecv {8} [expr {([torch::get_rank] + 1) % 2}]]
        torch::distributed_send $o [expr {([torch::get_rank] + 1) % 2}]
        puts "rank [torch::get_rank]: [torch::tensor_to_list [torch::distributed_wait $r]]"
    """, tmp_path, ranks=2, runner_options=("--timeout", "30"))
    assert result.returncode == 0, result.stderr
    assert by_rank(result.stdout) == {r: [" ".join(["1.0"] * 8)] for r in range(2)}


MISMATCHES = """
    set r [torch::get_rank]
    proc try {script} {
        if {[catch {uplevel 1 $script} message]} { puts "rank [torch::get_rank]: $message" } \\
        else { puts "rank [torch::get_rank]: ok" }
    }
    try {torch::distributed_all_reduce [torch::ones [expr {$r == 1 ? 5 : 4}]]}
    try {
        if {$r == 2} { torch::distributed_broadcast [torch::ones 4] } \\
        else { torch::distributed_all_reduce [torch::ones 4] }
    }
    try {torch::distributed_all_to_all [torch::ones {3 2}] \\
        -inputSplits [expr {$r == 1 ? {1 0 2} : {1 1 1}}] -outputSplits {1 1 1}}
    try {torch::distributed_all_reduce [torch::ones 4 [expr {$r == 2 ? "int32" : "float32"}]]}
    try {torch::distributed_broadcast [torch::ones 4] [expr {$r == 0 ? 1 : 0}]}
    try {torch::distributed_all_reduce [torch::ones 4]}
    try {torch::distributed_all_to_all [torch::ones {6 2}]}
    try {torch::distributed_all_to_all [torch::ones 3] -inputSplits {1 1 1}}
    try {torch::distributed_barrier}
    try {torch::distributed_all_to_all [torch::ones 3] -inputSplits [expr {$r == 2 ? {1 2} : {1 1 1}}]}
"""


@pytest.mark.parametrize("options", [(), ("--check-collectives",)], ids=["default", "check-mode"])
def test_mismatches_and_local_errors_are_named_on_every_rank(tmp_path, options):
    # Without any option too: the vote before every collective catches them (before,
    # these hung, failed inside MPI on one rank, or returned uninitialised memory).
    result = run(MISMATCHES, tmp_path, ranks=3, runner_options=options)
    assert result.returncode == 0, result.stderr
    prefix = "collective mismatch on the world group: "
    expected = [prefix + "all_reduce: rank 0 has shape {4}, rank 1 has shape {5}",
                prefix + "rank 0 called all_reduce while rank 2 called broadcast",
                "all_to_all: rank 1 sends 0 rows to rank 1, whose -outputSplits expects 1",
                prefix + "all_reduce: rank 0 has dtype Float32, rank 2 has dtype Int32",
                prefix + "broadcast: rank 0 has root 1, rank 1 has root 0",
                "ok", "ok", "ok", "ok",
                "Invalid inputSplits: expected 3 sizes (one per rank), got 2 (on rank 2)"]
    assert by_rank(result.stdout) == {r: expected for r in range(3)}


def test_check_mode_from_the_environment(tmp_path):
    result = run(MISMATCHES, tmp_path, ranks=3, env={"TCLTORCH_MPI_CHECK_COLLECTIVES": "1"})
    assert result.returncode == 0, result.stderr
    assert "rank 0 called all_reduce while rank 2 called broadcast" in by_rank(result.stdout)[1][1]


def test_a_roll_call_names_ranks_in_runs():
    assert waiting.ranks_text([4]) == "rank 4"
    assert waiting.ranks_text([0, 1, 2, 5, 7, 8]) == "ranks 0-2 5 7-8"
