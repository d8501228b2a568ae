"""`python -m benchmarks --quick` runs end to end and records every figure.

Timings depend on the machine, so nothing here asserts on speed: only that each
collective x implementation x size has a positive, finite latency."""

import json
import math
import subprocess
import sys
from pathlib import Path

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
