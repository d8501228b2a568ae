"""Simulated hosts on one machine, for multi-node runs under Hydra (MPICH's mpiexec).

Each host is a network namespace with its own hostname (a UTS namespace), cabled by a
veth pair to a bridge in a namespace of its own, where mpiexec runs. Hydra starts one
proxy per host through an ssh stand-in that enters that host's namespaces, so the
ranks of a host share its hostname, its network and MPI's node-local split, and talk
to the other hosts over the bridge (TCP), as on a cluster. Needs root, ip, nsenter
and unshare. Every address lives inside the namespaces made here (10.213.0.0/24:
nothing outside them can see it, so it never collides with the machine's networks).

From Python:

    with simhosts.hosts(2) as h:
        subprocess.run([*h.mpiexec, "-n", "4", "-ppn", "2", "python", "script.py"],
                       env={**os.environ, **h.env})

By hand (what `-n 4 -ppn 2 ...` means is up to mpiexec; the hosts are node1, node2):

    python -m tools.simhosts --hosts 2 -- -n 4 -ppn 2 python -m tcltorch_mpi examples/all_to_all.tcl
    python -m tools.simhosts --cleanup     # remove what a killed run left behind

The namespaces are removed when the block ends, whatever ends it (an exception, Ctrl-C,
SIGTERM, the interpreter's exit); ones left by a process that was SIGKILLed are
removed by the next use (or --cleanup).
"""

import argparse
import atexit
import contextlib
import itertools
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

PREFIX = "tcltorch-sim"
NETNS_DIR = Path("/run/netns")   # where `ip netns` keeps named network namespaces
UTS_DIR = Path("/run/tcltorch-sim")  # our bind-mounted UTS namespaces (hostnames)
SUBNET = "10.213.0"
BRIDGE_IP = f"{SUBNET}.1"
# Traffic between hosts goes over TCP on the bridge, as between machines. Without this
# UCX sees one machine (the same boot id everywhere) and uses shared memory.
ENV = {"UCX_TLS": "tcp,self", "UCX_NET_DEVICES": "eth0"}
MPIEXEC = str(Path(sys.executable).parent / "mpiexec")
_NAME = re.compile(rf"^{PREFIX}-(\d+)-")
_instances = itertools.count()
_live = []  # the Hosts not yet removed, for atexit and signals

STANDIN = r"""#!/bin/sh
# ssh stand-in for Hydra: {script} [ssh options] HOST COMMAND...
# Runs COMMAND with a shell, as ssh would, inside HOST's network and UTS namespaces
# (same working directory and environment).
while [ $# -gt 0 ]; do
    case $1 in
        -[bcDEeFIiJLlmOoPpQRSWw]) shift 2 ;;  # ssh options that take a value
        -*) shift ;;
        *) break ;;
    esac
done
host=${{1#*@}}; shift
case " {hosts} " in
    *" $host "*) ;;
    *) echo "ssh stand-in: no simulated host '$host' (hosts: {hosts})" >&2; exit 255 ;;
esac
exec nsenter --net={netns}-"$host" --uts={uts}-"$host".uts -- /bin/sh -c "$*"
"""


def _ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


def _quiet(*command):
    """Run a cleanup step; what fails there (already gone) is no error."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


class Hosts:
    """n hosts node1..noden: ``mpiexec`` is the command prefix that runs on them
    (``launcher`` the same without -hosts), ``env`` the variables to add to its
    environment."""

    def __init__(self, n):
        if not 1 <= n <= 200:
            raise ValueError(f"1 to 200 hosts, not {n}")
        self.tag = f"{PREFIX}-{os.getpid()}-{next(_instances)}"
        self.names = [f"node{i}" for i in range(1, n + 1)]
        self.addresses = {name: f"{SUBNET}.{10 + i}" for i, name in enumerate(self.names, 1)}
        self.env = dict(ENV)
        self.netns, self.uts, self.dir = [], [], None
        self.launcher = self.mpiexec = []

    def netns_path(self, name):
        return NETNS_DIR / f"{self.tag}-{name}"

    def uts_path(self, name):
        return UTS_DIR / f"{self.tag}-{name}.uts"

    def create(self, mpiexec=MPIEXEC):
        _live.append(self)
        bridge = f"{self.tag}-net"
        self._add_netns(bridge)
        _ip("-n", bridge, "link", "set", "lo", "up")
        _ip("-n", bridge, "link", "add", "br0", "type", "bridge")
        _ip("-n", bridge, "addr", "add", f"{BRIDGE_IP}/24", "dev", "br0")
        _ip("-n", bridge, "link", "set", "br0", "up")
        self._add_uts("launcher")  # mpiexec's own hostname: never taken for a node's
        for i, name in enumerate(self.names, 1):
            netns = f"{self.tag}-{name}"
            self._add_netns(netns)
            _ip("-n", bridge, "link", "add", f"v{i}", "type", "veth", "peer", "name", "eth0", "netns", netns)
            _ip("-n", bridge, "link", "set", f"v{i}", "master", "br0", "up")
            _ip("-n", netns, "addr", "add", f"{self.addresses[name]}/24", "dev", "eth0")
            _ip("-n", netns, "link", "set", "eth0", "up")
            _ip("-n", netns, "link", "set", "lo", "up")
            self._add_uts(name)
        self.dir = tempfile.mkdtemp(prefix=f"{self.tag}-")
        standin = Path(self.dir) / "ssh"
        standin.write_text(STANDIN.format(script=standin, hosts=" ".join(self.names),
                                          netns=NETNS_DIR / self.tag, uts=UTS_DIR / self.tag))
        standin.chmod(0o755)
        self.standin = str(standin)
        # mpiexec runs on the bridge; -hosts (or a hostfile) says where the ranks go.
        self.launcher = ["nsenter", f"--net={NETNS_DIR / bridge}", f"--uts={self.uts_path('launcher')}", "--",
                         mpiexec, "-launcher", "ssh", "-launcher-exec", self.standin, "-localhost", BRIDGE_IP]
        self.mpiexec = [*self.launcher, "-hosts", ",".join(self.names)]
        return self

    def _add_netns(self, name):
        self.netns.append(name)
        _ip("netns", "add", name)

    def _add_uts(self, name):
        path = self.uts_path(name)
        UTS_DIR.mkdir(exist_ok=True)
        path.touch()
        self.uts.append(path)
        # unshare --uts=FILE keeps the namespace alive by bind-mounting it on FILE.
        subprocess.run(["unshare", f"--uts={path}", "hostname", name], check=True,
                       capture_output=True, text=True, timeout=30)

    def processes(self):
        """{namespace: pids} of what runs inside these hosts and the bridge."""
        found = {netns: _quiet("ip", "netns", "pids", netns).split() for netns in self.netns}
        return {netns: pids for netns, pids in found.items() if pids}

    def end_processes(self):
        """SIGKILL whatever still runs inside (ours: a job that hung or was cut off)."""
        for pids in self.processes().values():
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGKILL)

    def remove(self):
        """Remove everything made here; safe to call twice, and after a partial create."""
        if self in _live:
            _live.remove(self)
        self.end_processes()
        for netns in self.netns:
            _quiet("ip", "netns", "delete", netns)  # the veths and bridge go with it
        for path in self.uts:
            _quiet("umount", str(path))
            with contextlib.suppress(OSError):
                path.unlink()
        self.netns, self.uts = [], []
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def remove_stale():
    """Remove the namespaces of earlier runs whose process is gone (a SIGKILLed run)."""
    def dead(name):
        match = _NAME.match(name)
        if not match or int(match.group(1)) == os.getpid():
            return False
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        return False

    removed = 0
    for line in _quiet("ip", "netns", "list").splitlines():
        name = line.split()[0] if line.split() else ""
        if dead(name):
            for pid in _quiet("ip", "netns", "pids", name).split():
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGKILL)
            _quiet("ip", "netns", "delete", name)
            removed += 1
    if UTS_DIR.is_dir():
        for path in UTS_DIR.iterdir():
            if dead(path.name):
                _quiet("umount", str(path))
                with contextlib.suppress(OSError):
                    path.unlink()
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}-*"):  # the stand-ins' folders
        if dead(path.name):
            shutil.rmtree(path, ignore_errors=True)
    return removed


def _remove_all():
    for h in list(_live):
        h.remove()


atexit.register(_remove_all)


def _on_signal(signum, frame):
    """Remove the hosts, then die of the signal as if it had not been caught."""
    _remove_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def _removed_on_signals():
    """SIGTERM and SIGHUP remove the hosts before they end the process, where nobody
    else handles them (Ctrl-C is Python's KeyboardInterrupt: the finally blocks run)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) == signal.SIG_DFL:
            saved[signum] = signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def hosts(n, mpiexec=MPIEXEC):
    """n simulated hosts (node1..noden), removed when the block ends."""
    remove_stale()
    h = Hosts(n)
    with _removed_on_signals():
        try:
            yield h.create(mpiexec)
        finally:
            h.remove()


_reason = []


def available():
    """None if simulated hosts can be made here, else a one-line reason why not."""
    if not _reason:
        _reason.append(_why_not())
    return _reason[0]


def _why_not():
    if not sys.platform.startswith("linux"):
        return f"simulated hosts need Linux namespaces (this is {sys.platform})"
    if os.geteuid() != 0:
        return "simulated hosts need root (network and UTS namespaces, a bridge)"
    for tool in ("ip", "unshare", "nsenter", "hostname"):
        if shutil.which(tool) is None:
            return f"simulated hosts need the '{tool}' command, which is not installed"
    try:
        version = subprocess.run([MPIEXEC, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"simulated hosts need Hydra's mpiexec ({MPIEXEC}): {exc}"
    if "HYDRA" not in version:
        return f"simulated hosts need Hydra's mpiexec (MPICH); {MPIEXEC} is another launcher"
    try:  # the real thing, once: two hosts, then removed
        with hosts(2):
            pass
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or "").strip().splitlines()
        return f"cannot make simulated hosts: {shlex.join(exc.cmd)} failed ({said[0] if said else exc.returncode})"
    except OSError as exc:
        return f"cannot make simulated hosts: {exc}"
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tools.simhosts",
        description="Run mpiexec over N simulated hosts (node1..nodeN) on this machine; "
                    "the arguments after -- are mpiexec's. Needs root.",
        epilog="example: python -m tools.simhosts --hosts 2 -- -n 4 -ppn 2 "
               "python -m tcltorch_mpi examples/all_to_all.tcl")
    parser.add_argument("--hosts", type=int, default=2, metavar="N", help="how many hosts (default 2)")
    parser.add_argument("--print", action="store_true", help="also print the mpiexec command it runs")
    parser.add_argument("--cleanup", action="store_true", help="only remove what killed runs left behind")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- mpiexec arguments")
    options = parser.parse_args(argv)
    if options.cleanup:
        print(f"removed {remove_stale()} stale namespace(s)")
        return 0
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    if not args:
        parser.error("give mpiexec's arguments after --")
    reason = available()
    if reason:
        print(f"tools.simhosts: {reason}", file=sys.stderr)
        return 1
    with hosts(options.hosts) as h:
        # The user's own -hosts (node1:3,node2:1) or hostfile replaces the default one slot each.
        placed = any(a in ("-hosts", "-host", "-f", "-hostfile", "-machinefile") for a in args)
        command = [*(h.launcher if placed else h.mpiexec), *args]
        if options.print:
            print(" ".join(f"{k}={v}" for k, v in h.env.items()), shlex.join(command), file=sys.stderr)
        child = subprocess.Popen(command, env={**h.env, **os.environ})  # the user's settings win
        try:
            return child.wait()
        except KeyboardInterrupt:  # Ctrl-C reached mpiexec too: let it end its ranks
            try:
                return child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                return 130


if __name__ == "__main__":
    sys.exit(main())
