"""The figures as OSU-style tables, a check against the issue's targets, and files:
results.json (everything), results.csv (one figure a row) and the plots."""

import csv
import json
from pathlib import Path

from . import COLLECTIVES, FLOAT_BYTES, IMPLEMENTATIONS

LARGE_BYTES = 256 << 10  # the "large message" threshold
TARGETS = {"large_ratio": 1.05, "small_overhead_us": 10.0, "bulk_seconds": 0.3}


def _ratios(latency):
    return latency["tcltorch"] / latency["raw_mpi4py"], latency["gloo"] / latency["tcltorch"]


def sweep_rows(results, collective, ranks):
    """The sweep's figures for one collective and world size, by size."""
    return [row for row in results["collectives"]
            if row["collective"] == collective and row["ranks"] == ranks]


def world_sizes(results):
    return sorted({row["ranks"] for row in results["collectives"]})


def sweep_table(results, collective, ranks):
    lines = [f"# {collective}, {ranks} ranks: median latency per call, slowest rank",
             "# Size      " + "".join(f"{name + '(us)':>16}" for name in IMPLEMENTATIONS)
             + f"{'tcltorch/raw':>14}{'gloo/tcltorch':>15}"]
    for row in sweep_rows(results, collective, ranks):
        latency = row["latency_us"]
        lines.append(f"{row['bytes']:<12}" + "".join(f"{latency[name]:16.2f}" for name in IMPLEMENTATIONS)
                     + "{:14.2f}{:15.2f}".format(*_ratios(latency)))
    return "\n".join(lines)


def small_table(results):
    lines = ["# all_to_all of ~8 float32 per rank as the world grows: per-call time",
             f"# Ranks  Floats{'tcltorch(us)':>16}{'raw_mpi4py(us)':>16}{'tcltorch-raw(us)':>18}"]
    for row in results["small_all_to_all"]:
        latency = row["latency_us"]
        lines.append(f"{row['ranks']:<8} {row['bytes'] // FLOAT_BYTES:<6}{latency['tcltorch']:16.2f}"
                     f"{latency['raw_mpi4py']:16.2f}{latency['tcltorch'] - latency['raw_mpi4py']:18.2f}")
    return "\n".join(lines)


def bulk_table(results):
    bulk = results["bulk"]
    return "\n".join([f"# {bulk['elements']} float32 elements, one process",
                      f"# {'tensor_create(s)':>18}{'tensor_to_list(s)':>20}",
                      f"  {bulk['tensor_create_s']:18.3f}{bulk['tensor_to_list_s']:20.3f}"])


def target_lines(results):
    """One line per target of issue 4: the measured figure and whether it is met."""
    lines = []
    for ranks in world_sizes(results):
        for collective in COLLECTIVES:
            rows = sweep_rows(results, collective, ranks)
            large = [_ratios(r["latency_us"])[0] for r in rows if r["bytes"] >= LARGE_BYTES]
            gloo = min(_ratios(r["latency_us"])[1] for r in rows)
            if large:
                lines.append(_verdict(f"{collective} {ranks} ranks, >= 256 KiB: tcltorch/raw at most "
                                      f"{max(large):.3f}", max(large) <= TARGETS["large_ratio"]))
            lines.append(_verdict(f"{collective} {ranks} ranks: gloo/tcltorch at least {gloo:.2f}",
                                  gloo > 1))
    for row in results["small_all_to_all"]:
        overhead = row["latency_us"]["tcltorch"] - row["latency_us"]["raw_mpi4py"]
        lines.append(_verdict(f"8-float all_to_all {row['ranks']} ranks: {overhead:.1f} us above raw",
                              overhead <= TARGETS["small_overhead_us"]))
    for command in ("tensor_create", "tensor_to_list"):
        seconds = results["bulk"][f"{command}_s"]
        lines.append(_verdict(f"{command} of {results['bulk']['elements']} float32: {seconds:.3f} s",
                              seconds <= TARGETS["bulk_seconds"]))
    return lines


def _verdict(text, met):
    return f"{'met ' if met else 'MISS'}  {text}"


def header(results):
    m = results["machine"]
    return (f"# {m['cpus']} cores, Python {m['python']}, torch {m['torch']}, mpi4py {m['mpi4py']}, "
            f"MPICH {m['mpich']}, commit {m['commit']}; load average {m['load_average_before']:.1f} "
            f"before, {m['load_average_after']:.1f} after; {results['seconds']:.0f} s in all")


def tables(results):
    blocks = [header(results)] + [sweep_table(results, collective, ranks)
              for ranks in world_sizes(results) for collective in COLLECTIVES]
    blocks += [small_table(results), bulk_table(results),
               "# Targets (issue 4)\n" + "\n".join(target_lines(results))]
    return "\n\n".join(blocks)


def csv_rows(results):
    """Every figure as (section, collective, ranks, bytes, implementation, value, unit)."""
    for section in ("collectives", "small_all_to_all"):
        for row in results[section]:
            for name, us in row["latency_us"].items():
                yield (section, row["collective"], row["ranks"], row["bytes"], name, us, "us")
    bulk = results["bulk"]
    for command in ("tensor_create", "tensor_to_list"):
        yield ("bulk", command, 1, bulk["elements"] * FLOAT_BYTES, "tcltorch", bulk[f"{command}_s"], "s")


def save(results, out_dir):
    from . import plots  # matplotlib only when files are written

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (out_dir / "tables.txt").write_text(tables(results) + "\n")
    with open(out_dir / "results.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("section", "collective", "ranks", "bytes", "implementation", "value", "unit"))
        writer.writerows(csv_rows(results))
    plots.draw(results, out_dir)
