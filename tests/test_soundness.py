"""Legal programs complete; illegal ones end with a message naming who and why; no
option ever returns data that is not the operation's result. Each test launches
real ranks (the runner under mpirun) and checks exact values."""

import subprocess
import sys
import time

import numpy as np
import pytest

from tests.test_runner import MPIRUN, ROOT, by_rank, run


def sums(result):
    """rank -> the numbers each rank printed, in order."""
    return {rank: [float(x) for line in lines for x in line.split()] for rank, lines in by_rank(result.stdout).items()}


# ---- 1. point-to-point progress ---------------------------------------------

@pytest.mark.parametrize("ranks", [2, 3])
def test_a_ring_that_waits_its_send_first_completes(tmp_path, ranks):
    # Every rank: irecv from the left, isend to the right, wait the send, then the
    # receive. From 8 KiB up the send completes only once the receiver posts its data
    # receive, which it did only when waiting on that very receive (a hang).
    result = run("""
        set rank [torch::get_rank]; set size [torch::get_world_size]
        set right [expr {($rank + 1) % $size}]; set left [expr {($rank + $size - 1) % $size}]
        foreach n {100 2048 100000 4194304} {
            set r [torch::distributed_irecv [list $n] $left 1]
            set s [torch::distributed_isend [torch::full [list $n] $rank] $right 1]
            torch::distributed_wait $s
            set got [torch::distributed_wait $r]
            puts "rank $rank: [torch::tensor_to_list [torch::tensor_sum $got]]"
        }
    """, tmp_path, ranks=ranks, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sums(result) == {r: [float(n * ((r - 1) % ranks)) for n in (100, 2048, 100000, 4194304)]
                            for r in range(ranks)}


def test_a_posted_receive_progresses_while_its_rank_waits_in_a_barrier(tmp_path):
    result = run("""
        set rank [torch::get_rank]
        if {$rank == 0} {
            set r [torch::distributed_irecv {1048576} 1 5]
            torch::distributed_barrier
            puts "rank 0: [torch::tensor_to_list [torch::tensor_sum [torch::distributed_wait $r]]]"
        } else {
            torch::distributed_wait [torch::distributed_isend [torch::ones {1048576}] 0 5]
            torch::distributed_barrier
            puts "rank 1: sent"
        }
    """, tmp_path, ranks=2, timeout=60)
    assert result.returncode == 0, result.stderr
    assert by_rank(result.stdout) == {0: ["1048576.0"], 1: ["sent"]}


def test_one_process_sends_to_itself_and_waits_the_send_first(tmp_path):
    result = run("""
        set r [torch::distributed_irecv {1048576} 0 2 -dtype int64]
        set s [torch::distributed_isend [torch::arange 0 1048576] 0 2]
        puts "rank 0: [torch::distributed_wait $s]"
        puts "rank 0: [torch::tensor_to_list [torch::tensor_sum [torch::distributed_wait $r]]]"
    """, tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert by_rank(result.stdout) == {0: ["send_completed", str(int(np.arange(1048576).sum()))]}
    assert "pending" not in result.stderr  # MPICH's "Builtin communicator ... has pending N references"


def test_an_async_all_to_all_returns_before_the_other_ranks_call_it(tmp_path):
    # Rank 0 starts the exchange, then sends; rank 1 receives first, then starts it.
    # Legal in MPI (a non-blocking collective does not wait for its peers).
    result = run("""
        set rank [torch::get_rank]
        set t [torch::tensor_create [list $rank [expr {$rank + 10}]] int64]
        if {$rank == 0} {
            set r [torch::distributed_all_to_all $t -async 1]
            torch::distributed_send [torch::full {2} 7 int64] 1
        } else {
            set got [torch::distributed_recv {2} 0 0 -dtype int64]
            set r [torch::distributed_all_to_all $t -async 1]
            puts "rank 1: received [torch::tensor_to_list $got]"
        }
        puts "rank $rank: [torch::tensor_to_list [torch::distributed_wait $r]]"
    """, tmp_path, ranks=2, timeout=60, runner_options=("--timeout", "20"))
    assert result.returncode == 0, result.stderr
    assert by_rank(result.stdout) == {0: ["0 1"], 1: ["received 7 7", "10 11"]}


# ---- 2. the runtime's own traffic never pairs with a script's -----------------

def test_a_caught_local_error_is_everyones_error_with_a_timeout(tmp_path):
    # Rank 1's mean of an int tensor fails locally; before, under --timeout, rank 0's
    # all_reduce paired with rank 1's next barrier and returned uninitialised memory.
    result = run("""
        set rank [torch::get_rank]
        set t [torch::tensor_create {1 2 3 4} int64]
        set op [expr {$rank == 1 ? "mean" : "sum"}]
        if {[catch {torch::distributed_all_reduce $t $op} message]} { puts "rank $rank: $message" } \
        else { puts "rank $rank: returned [torch::tensor_to_list $message]" }
        torch::distributed_barrier
        puts "rank $rank: [torch::tensor_to_list [torch::distributed_all_reduce $t sum]]"
    """, tmp_path, ranks=2, timeout=60, runner_options=("--timeout", "5"))
    assert result.returncode == 0, result.stderr
    error = ("Invalid operation: mean of an integer tensor (Int64); convert it to a floating dtype "
             "first (on rank 1)")
    assert by_rank(result.stdout) == {r: [error, "2 4 6 8"] for r in range(2)}


def test_a_query_of_a_never_made_group_does_not_pair_with_a_collective(tmp_path):
    result = run("""
        set rank [torch::get_rank]
        if {$rank == 0} { puts "rank 0: size [torch::get_world_size never_made] rank [torch::get_rank typo]" }
        set o [torch::distributed_all_reduce [torch::full {2} [expr {$rank + 1}] int64] sum]
        puts "rank $rank: [torch::tensor_to_list $o]"
    """, tmp_path, ranks=3, timeout=60, runner_options=("--timeout", "5"))
    assert result.returncode == 0, result.stderr
    assert by_rank(result.stdout) == {0: ["size 3 rank 0", "6 6"], 1: ["6 6"], 2: ["6 6"]}


def test_new_group_called_by_its_members_only_is_named_at_once(tmp_path):
    start = time.monotonic()
    result = run("""
        set rank [torch::get_rank]
        if {$rank < 2} { set call {torch::distributed_new_group pair {0 1}} } else { set call torch::distributed_barrier }
        catch $call message
        puts "rank $rank: $message"
    """, tmp_path, ranks=3, timeout=60, runner_options=("--timeout", "30"))
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start < 20
    expected = ("collective mismatch on the world group: rank 0 called distributed_new_group "
                "while rank 2 called barrier")
    assert by_rank(result.stdout) == {r: [expected] for r in range(3)}


# ---- 3. every local verdict is shared --------------------------------------------

@pytest.mark.parametrize("options", [(), ("--check-collectives",)], ids=["default", "check-mode"])
def test_an_input_bad_on_one_rank_only_is_the_same_error_everywhere(tmp_path, options):
    result = run("""
        set rank [torch::get_rank]
        proc try {script} {
            if {[catch {uplevel 1 $script} message]} { puts "rank [torch::get_rank]: $message" } \
            else { puts "rank [torch::get_rank]: ok" }
        }
        try {torch::distributed_all_to_all [torch::ones [expr {$rank == 1 ? 5 : 6}]]}
        try {torch::distributed_all_to_all [torch::ones 6] -inputSplits [expr {$rank == 2 ? {1 1 1} : {2 2 2}}]}
        try {torch::distributed_broadcast [torch::ones 2] [expr {$rank == 0 ? 7 : 0}]}
        try {torch::distributed_all_to_all [torch::ones 6]}
    """, tmp_path, ranks=3, timeout=60, runner_options=options)
    assert result.returncode == 0, result.stderr
    expected = [
        "all_to_all: the tensor (dimension 0 of size 5) cannot be cut into 3 equal chunks (one per rank); "
        "give -inputSplits {s0 ... sW-1} for uneven chunks (on rank 1)",
        "Invalid inputSplits: the sizes sum to 3, but dimension 0 of the tensor is 6 (on rank 2)",
        "Invalid root: 7 is not a rank of the world group (ranks 0..2) (on rank 0)",
        "ok"]
    assert by_rank(result.stdout) == {r: expected for r in range(3)}


# ---- 5. a rank that ends its script early --------------------------------------

@pytest.mark.parametrize("waiting_in,named", [
    ("torch::distributed_barrier", "barrier on the world group"),
    ("torch::distributed_recv {2} 1", "recv from rank 1 (tag 0) on the world group"),
    ("torch::distributed_wait [torch::distributed_all_to_all [torch::ones 3] -async 1]",
     "all_to_all on the world group"),
])
def test_a_rank_that_ends_early_ends_the_ranks_waiting_for_it(tmp_path, waiting_in, named):
    start = time.monotonic()
    result = run(f"""
        set rank [torch::get_rank]
        torch::distributed_new_group others {{0 2}}
        if {{$rank == 1}} {{ exit 0 }}
        torch::distributed_barrier others   ;# a group without rank 1 still works
        {waiting_in}
        puts "rank $rank: not reached"
    """, tmp_path, ranks=3, timeout=60)
    elapsed = time.monotonic() - start
    assert result.returncode != 0
    assert "not reached" not in result.stdout
    assert f"rank 1 ended its script (exit 0) while this rank waits in {named}\n" in result.stderr
    assert elapsed < 5 + 3, f"the job took {elapsed:.1f} s to end"  # + the launch of 3 ranks


# ---- 6. mismatches in default mode never pass as success -------------------------

def test_mismatched_shapes_in_default_mode_are_errors_not_garbage(tmp_path):
    result = run("""
        set rank [torch::get_rank]
        foreach call {
            {torch::distributed_all_to_all [torch::ones [expr {$rank == 0 ? 4 : 6}]]}
            {torch::distributed_all_reduce [torch::ones [expr {$rank == 0 ? 4 : 6}]]}
            {torch::distributed_all_gather [torch::ones [expr {$rank == 0 ? 4 : 6}]]}
        } {
            catch $call message
            puts "rank $rank: $message"
        }
    """, tmp_path, ranks=2, timeout=60)
    assert result.returncode == 0, result.stderr
    prefix = "collective mismatch on the world group: "
    expected = [prefix + "all_to_all: rank 0 has shape {4}, rank 1 has shape {6}",
                prefix + "all_reduce: rank 0 has shape {4}, rank 1 has shape {6}",
                prefix + "all_gather: rank 0 has shape {4}, rank 1 has shape {6}"]
    assert by_rank(result.stdout) == {r: expected for r in range(2)}


def test_an_mpi_failure_inside_a_wait_ends_the_job_in_our_words(tmp_path):
    # What MPI itself reports (here a truncated message) ends the job: ranks may hold
    # memory that is not any operation's result.
    script = tmp_path / "truncate.py"
    script.write_text(
        "import numpy as np\n"
        "from tcltorch_mpi import waiting\n"
        "from tcltorch_mpi.runtime import WORLD\n"
        "if WORLD.Get_rank() == 0:\n"
        "    WORLD.Send(np.zeros(100), 1, 7)\n"
        "    WORLD.Barrier()\n"
        "else:\n"
        "    waiting.wait(WORLD.Irecv(np.zeros(10), 0, 7), 'a receive of 10 doubles')\n")
    result = subprocess.run([MPIRUN, "-n", "2", sys.executable, str(script)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "[rank 1] a receive of 10 doubles: MPI failed (Message truncated" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
