"""`python -m benchmarks --quick` runs end to end and records every figure.

Timings depend on the machine, so nothing here asserts on speed: only that each
collective x implementation x size has a positive, finite latency."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from benchmarks import COLLECTIVES, IMPLEMENTATIONS
from benchmarks.__main__ import QUICK

ROOT = Path(__file__).resolve().parent.parent


def _positive(value):
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_quick_benchmark_writes_every_figure(tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out-dir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "# Size" in done.stdout

    results = json.loads((tmp_path / "results.json").read_text())
    measured = {(row["collective"], row["ranks"], row["bytes"]): row["latency_us"]
                for row in results["collectives"]}
    for collective in COLLECTIVES:
        for ranks in QUICK["ranks"]:
            for size in QUICK["sizes"]:
                latency = measured[(collective, ranks, size)]
                for name in IMPLEMENTATIONS:
                    assert _positive(latency[name]), (collective, ranks, size, name, latency)

    assert results["small_all_to_all"]
    for row in results["small_all_to_all"]:
        assert all(_positive(us) for us in row["latency_us"].values()), row
    assert _positive(results["bulk"]["tensor_create_s"])
    assert _positive(results["bulk"]["tensor_to_list_s"])
    for name in ("results.csv", "latency.png", "ratio.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_the_path_comparison_runs_both_paths_on_the_cpu(tmp_path):
    size = 64 << 10
    done = subprocess.run([sys.executable, "-m", "benchmarks.paths", "--device", "cpu", "--ranks", "3",
                           "--sizes", str(size), "--repetitions", "1", "--out-dir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "staged/direct" in done.stdout
    rows = json.loads((tmp_path / "paths_cpu.json").read_text())["rows"]
    # 64 KiB of float32 does not split into 3 equal chunks: all_to_all is left out.
    measured = {(row["path"], row["collective"]): row["latency_us"] for row in rows if row["bytes"] == size}
    assert sorted(measured) == [(path, collective) for path in ("direct", "staged")
                                for collective in ("all_reduce", "broadcast")]
    for (path, _), latency in measured.items():
        assert set(latency) == {"tcltorch"} | ({"raw_mpi4py"} if path == "direct" else set())
        assert all(map(_positive, latency.values()))


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is visible: the CUDA comparison would run")
def test_the_path_comparison_needs_a_gpu_for_cuda(tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchmarks.paths", "--out-dir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no GPU visible" in done.stderr


def test_the_overhead_benchmark_times_every_case():
    from benchmarks.overhead import CASES
    done = subprocess.run([sys.executable, "-m", "benchmarks.overhead", "--calls", "50", "--rounds", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {}
    for line in done.stdout.splitlines()[2:]:
        *numbers, case = re.fullmatch(r"\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)  (.+)", line).groups()
        rows[case] = [float(n) for n in numbers]
    assert set(rows) == set(CASES)
    for plain, command, overhead, freed in rows.values():
        assert plain > 0 and command > 0 and freed > 0 and math.isclose(command - plain, overhead, abs_tol=0.02)
