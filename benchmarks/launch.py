"""Launching benchmarks.worker under mpirun, and what was measured on."""

import json
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def mpirun():
    """The launcher beside this Python (the venv's MPICH), else the one on PATH."""
    beside = Path(sys.executable).parent / "mpirun"
    return str(beside) if beside.exists() else "mpirun"


def run_worker(ranks, mode, *options, env=None):
    """Runs benchmarks.worker on ``ranks`` ranks (with ``env`` added to the environment)
    and returns what rank 0 wrote."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "figures.json"
        command = [mpirun(), "-n", str(ranks), sys.executable, "-m", "benchmarks.worker", mode,
                   "--out", str(out), *map(str, options)]
        subprocess.run(command, cwd=HERE.parent, check=True, env={**os.environ, **(env or {})})
        return json.loads(out.read_text())


def machine():
    packages = {name: _version(name) for name in ("torch", "mpi4py", "mpich", "numpy")}
    return {"host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
            **packages, "commit": _commit(), "load_average_before": os.getloadavg()[0]}


def _commit():
    """The checkout measured: its commit, marked + when the working tree differs."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                               text=True, capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+" if dirty else "")


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
