"""Across machines: runs on simulated hosts (tools/simhosts.py: network and UTS
namespaces on a bridge, Hydra starting its proxies through an ssh stand-in). Whatever
depends on which node a rank is on: the local rank and the GPU `cuda` means, the
more-ranks-than-cores setting, a failure on another node ending the job, timeouts
and the end-of-run check across nodes, groups that span nodes and groups within one.

Hosts are node1, node2; "-ppn 2" puts ranks 0-1 on node1 and 2-3 on node2. Skipped,
with the reason, where the machine cannot make namespaces (not root, no ip/unshare).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from tests.test_reliability import ROLL_CALL_SCRIPT, check_roll_call
from tests.test_runner import ROOT, by_rank
from tests.tclsession import shown
from tools import simhosts

RUNNER = [sys.executable, "-m", "tcltorch_mpi"]


# One line in the summary where the machine cannot make the hosts (pyproject: -ra).
REASON = simhosts.available()
if REASON:
    pytest.skip(REASON, allow_module_level=True)


@pytest.fixture(scope="module")
def sim():
    with simhosts.hosts(2) as hosts:
        yield hosts


def mpiexec(sim, args, timeout=120, hosts=None, env=None):
    """Run mpiexec over the simulated hosts (``hosts``: Hydra's -hosts, default one
    slot layout node1,node2); env values of None are removed."""
    command = [*sim.launcher, "-hosts", hosts or ",".join(sim.names), *args]
    environment = {**os.environ, **sim.env, **(env or {})}
    environment = {k: v for k, v in environment.items() if v is not None}
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                                env=environment)
    except subprocess.TimeoutExpired:
        sim.end_processes()  # the ranks and proxies the killed mpiexec left
        raise
    shown(result.stdout, result.stderr)
    left = processes_left(sim)
    assert not left, f"processes left on the simulated hosts after the job ended: {left}"
    return result


def processes_left(sim, patience=5.0):
    """What still runs in the namespaces (a job that ended must leave nothing)."""
    deadline = time.monotonic() + patience
    while (left := sim.processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        sim.end_processes()  # so that the next test starts clean
    return left


def tcl(sim, tmp_path, script, ranks=4, ppn=2, options=(), timeout=120, **kw):
    path = tmp_path / "script.tcl"
    path.write_text(textwrap.dedent(script))
    return mpiexec(sim, ["-n", str(ranks), "-ppn", str(ppn), *RUNNER, *options, str(path)], timeout, **kw)


# ---- the simulated hosts themselves ----

def netns_names():
    return {line.split()[0] for line in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                                                      timeout=30).stdout.splitlines() if line.strip()}


def root_links():
    return subprocess.run(["ip", "-br", "addr"], capture_output=True, text=True, timeout=30).stdout


def test_hosts_are_removed_and_their_addresses_never_leave_them():
    before = root_links()
    with simhosts.hosts(2) as h:
        made = {name for name in netns_names() if name.startswith(h.tag + "-")}
        assert made == {f"{h.tag}-net", f"{h.tag}-node1", f"{h.tag}-node2"}
        inside = subprocess.run(["ip", "-n", f"{h.tag}-node2", "-4", "-o", "addr"], capture_output=True,
                                text=True, timeout=30).stdout
        assert " 10.213.0.12/24 " in inside
        assert root_links() == before   # the machine's own namespace is never touched
        host = subprocess.run([h.standin, "-x", "node2", "hostname"], capture_output=True, text=True, timeout=30)
        assert host.stdout == "node2\n"
    assert not any(name.startswith(h.tag) for name in netns_names())
    assert not any(p.name.startswith(h.tag) for p in simhosts.UTS_DIR.iterdir())


def test_what_a_killed_run_left_is_removed_by_the_next():
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, timeout=30)
    stale = f"{simhosts.PREFIX}-{int(gone.stdout)}-0-node1"   # a process that no longer runs
    subprocess.run(["ip", "netns", "add", stale], check=True, timeout=30)
    try:
        assert simhosts.remove_stale() >= 1
        assert stale not in netns_names()
    finally:
        subprocess.run(["ip", "netns", "delete", stale], capture_output=True, timeout=30)


# ---- the distributed suite, as tests/test_mpi_ranks.py runs it, at 2 hosts x 2 ranks ----

def test_distributed_suite_at_2_hosts_x_2_ranks(sim):
    result = mpiexec(sim, ["-n", "4", "-ppn", "2", sys.executable, "-m", "pytest", "--with-mpi", "-q",
                           "-p", "no:cacheprovider", "tests/mpi"], timeout=900)
    output = result.stdout + result.stderr
    print(output[-3000:])
    assert result.returncode == 0, output[-6000:]
    passed = [int(n) for n in re.findall(r"(\d+) passed", output)]
    assert len(passed) == 4 and min(passed) >= 100, output[-2000:]   # every rank ran the suite
    assert "failed" not in output


# ---- which node a rank is on ----

# What the project computes on each rank, next to MPI's own node split. The process
# pretends to see GPUS GPUs (there may be none): `cuda` is the local rank modulo them.
LOCAL_RANK = r"""
import json, socket, sys
import torch
GPUS = int(sys.argv[1])
torch.cuda.device_count = lambda: GPUS
torch.cuda.set_device = lambda device: None
from tcltorch_mpi import interp, runtime
from tcltorch_mpi.runtime import MPI
tk, engine = interp.create()
node = runtime.WORLD.Split_type(MPI.COMM_TYPE_SHARED)
report = {"host": socket.gethostname(), "tcl_host": tk.eval("info hostname"),
          "node_rank": node.Get_rank(), "node_size": node.Get_size(),
          "local_rank": engine.devices.local_rank, "cuda": str(engine.devices.parse("cuda"))}
node.Free()
sys.stdout.write(f"rank {tk.eval('torch::get_rank')}: {json.dumps(report)}\n")  # one write: lines stay whole
sys.stdout.flush()
interp.end(engine)
"""


@pytest.mark.parametrize("hosts,args,placement,gpus", [
    ("node1:3,node2:1", ["-n", "4"], ["node1", "node1", "node1", "node2"], 2),
    ("node1,node2", ["-n", "4", "-ppn", "1"], ["node1", "node2", "node1", "node2"], 2),
], ids=["3+1-ranks-2-gpus", "round-robin-2-gpus"])
def test_local_rank_and_cuda_follow_the_node(sim, tmp_path, hosts, args, placement, gpus):
    program = tmp_path / "local_rank.py"
    program.write_text(LOCAL_RANK)
    result = mpiexec(sim, [*args, sys.executable, str(program), str(gpus)], hosts=hosts)
    assert result.returncode == 0, result.stderr
    reports = {rank: json.loads(lines[0]) for rank, lines in by_rank(result.stdout).items()}
    expected = {}
    for rank, host in enumerate(placement):
        local = placement[:rank].count(host)   # the ranks before it on its host
        expected[rank] = {"host": host, "tcl_host": host, "node_rank": local, "node_size": placement.count(host),
                          "local_rank": local, "cuda": f"cuda:{local % gpus}"}
    assert reports == expected


CORES_SCRIPT = """
    set name MPIR_CVAR_DEVICE_COLLECTIVES
    set setting [expr {[info exists ::env($name)] ? $::env($name) : "unset"}]
    set sum [torch::distributed_all_reduce [torch::ones {4}] sum]
    puts "rank [torch::get_rank]: [info hostname] $::env(MPI_LOCALNRANKS) $setting [torch::tensor_to_list $sum]"
"""


@pytest.mark.parametrize("hosts,ranks,user,expected", [
    ("node1:1,node2:1", 2, None, ["node1 1 unset", "node2 1 unset"]),
    ("node1:2,node2:2", 4, None, ["node1 2 none"] * 2 + ["node2 2 none"] * 2),
    ("node1:2,node2:1", 3, "all", ["node1 2 all"] * 2 + ["node2 1 all"]),
    ("node1:2,node2:1", 3, None, ["node1 2 none"] * 2 + ["node2 1 none"]),
    ("node1:1,node2:2", 3, None, ["node1 1 none"] + ["node2 2 none"] * 2),
], ids=["1+1", "2+2", "2+1-user-choice", "2+1", "1+2"])
def test_more_ranks_than_cores_is_decided_for_the_whole_job(sim, tmp_path, hosts, ranks, user, expected):
    # Every rank pinned to one core: a node with 2 ranks outnumbers it, one with 1 does
    # not. MPICH hangs in a collective whose ranks chose their algorithms differently,
    # so one crowded node switches the shared-memory collectives off on every node,
    # whichever node it is; the user's own setting is kept everywhere.
    if shutil.which("taskset") is None:
        pytest.skip("needs taskset (util-linux) to pin the ranks to one core")
    path = tmp_path / "cores.tcl"
    path.write_text(textwrap.dedent(CORES_SCRIPT))
    cpu = str(min(os.sched_getaffinity(0)))
    args = ["-n", str(ranks), "taskset", "-c", cpu, *RUNNER, "--timeout", "10", str(path)]
    result = mpiexec(sim, args, hosts=hosts, env={"MPIR_CVAR_DEVICE_COLLECTIVES": user})
    assert result.returncode == 0, result.stderr
    sum_text = " ".join([f"{float(ranks)}"] * 4)
    assert by_rank(result.stdout) == {r: [f"{line} {sum_text}"] for r, line in enumerate(expected)}


# ---- failures on another node ----

@pytest.mark.parametrize("how", ["error", "sigkill"])
def test_a_rank_failing_on_host_2_ends_the_whole_job(sim, tmp_path, how):
    fail = {"error": 'error "deliberate failure on [info hostname]"', "sigkill": "exec kill -9 [pid]"}[how]
    result = tcl(sim, tmp_path, f"""
        set rank [torch::get_rank]
        if {{$rank == 3}} {{
            puts "rank 3: failing on [info hostname] at [clock milliseconds]"
            flush stdout
            {fail}
        }}
        torch::distributed_barrier
        puts "rank $rank: not reached"
    """, timeout=60)
    ended = time.time() * 1000
    failed_at = int(re.search(r"failing on node2 at (\d+)", result.stdout).group(1))
    assert result.returncode != 0 and "not reached" not in result.stdout
    assert ended - failed_at < 5000, f"the job took {ended - failed_at:.0f} ms to end"
    if how == "error":
        assert "[rank 3] deliberate failure on node2\n" in result.stderr, result.stderr
    else:  # the rank cannot speak: Hydra names its node and the signal
        assert re.search(r"PID \d+ RUNNING AT node2\n=   EXIT CODE: 9\n", result.stdout), result.stdout


def test_a_rank_ending_its_script_on_host_2_ends_a_wait_for_it_on_host_1(sim, tmp_path):
    result = tcl(sim, tmp_path, """
        if {[torch::get_rank] == 0} { torch::distributed_recv {1} 3 5 }
        if {[torch::get_rank] == 3} { exit 0 }
        torch::distributed_barrier
    """, timeout=60)
    assert result.returncode != 0
    assert ("[rank 0] rank 3 ended its script (exit 0) while this rank waits in recv from rank 3 (tag 5) "
            "on the world group\n") in result.stderr, result.stderr


def test_a_timeouts_roll_call_names_the_ranks_on_the_other_host(sim, tmp_path):
    # Ranks 0 and 1 are on node1; the roll call names ranks 2 and 3, on node2.
    check_roll_call(tcl(sim, tmp_path, ROLL_CALL_SCRIPT, options=("--timeout", "2"), timeout=60))


def test_the_end_of_run_check_names_a_send_never_received_across_hosts(sim, tmp_path):
    # Rank 2 (node2) sends to rank 1 (node1), which never receives: a 4 MiB message
    # (it cannot complete unreceived) and a small one (sent eagerly) on a group whose
    # rank 0 is world rank 2.
    result = tcl(sim, tmp_path, """
        set rank [torch::get_rank]
        torch::distributed_new_group across {2 1}
        if {$rank == 2} {
            torch::distributed_send [torch::zeros {1048576}] 1 3
            torch::distributed_send [torch::ones {2}] 1 6 -group across
        }
        puts "rank $rank: done"
    """, timeout=60)
    assert result.returncode != 0
    assert by_rank(result.stdout) == {r: ["done"] for r in range(4)}
    assert ("[rank 1] rank 2's send (tag 3) on the world group was never received; "
            "rank 0's send (tag 6) on group \"across\" was never received\n") in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# ---- groups ----

def test_groups_that_span_hosts_and_groups_within_one(sim, tmp_path):
    # span: node2's rank 3, then node1's rank 0; node2: ranks 2 and 3; byhost: split
    # by the host's number. Each rank contributes {r+1, 10(r+1), 2^r}.
    result = tcl(sim, tmp_path, """
        set rank [torch::get_rank]
        set host [info hostname]
        torch::distributed_new_group span {3 0}
        torch::distributed_new_group node2 {2 3}
        torch::distributed_split_group byhost [string range $host 4 end]
        set v [torch::tensor_create [list [expr {$rank + 1}] [expr {10 * ($rank + 1)}] [expr {1 << $rank}]] int64]
        proc show {label group op} {
            upvar v v rank rank
            set o [torch::distributed_all_reduce $v $op $group]
            puts "rank $rank: $label [torch::get_rank $group]/[torch::get_world_size $group] [torch::tensor_to_list $o]"
        }
        puts "rank $rank: on $host"
        show byhost byhost sum
        if {$rank in {0 3}} {
            show span span sum
            set t [torch::tensor_create [list [expr {100 * $rank}] [expr {100 * $rank + 1}]] int64]
            puts "rank $rank: span all_to_all [torch::tensor_to_list [torch::distributed_all_to_all $t span]]"
        }
        if {$rank in {2 3}} { show node2 node2 max }
        show world "" sum
    """, timeout=60)
    assert result.returncode == 0, result.stderr
    placement = ["node1", "node1", "node2", "node2"]
    values = {r: [r + 1, 10 * (r + 1), 1 << r] for r in range(4)}

    def reduced(ranks, op=sum):
        return " ".join(str(op(values[r][i] for r in ranks)) for i in range(3))

    by_host = {h: [r for r in range(4) if placement[r] == h] for h in ("node1", "node2")}
    span, node2 = [3, 0], [2, 3]
    expected = {}
    for r in range(4):
        mine = by_host[placement[r]]
        lines = [f"on {placement[r]}", f"byhost {mine.index(r)}/{len(mine)} {reduced(mine)}"]
        if r in span:
            # span rank i sends element i to span rank i: rank 3 (span 0) gets both
            # first elements, rank 0 (span 1) both second ones, in span order.
            got = [100 * s + span.index(r) for s in span]
            lines += [f"span {span.index(r)}/2 {reduced(span)}", f"span all_to_all {got[0]} {got[1]}"]
        if r in node2:
            lines.append(f"node2 {node2.index(r)}/2 {reduced(node2, max)}")
        lines.append(f"world {r}/4 {reduced(range(4))}")
        expected[r] = lines
    assert by_rank(result.stdout) == expected
