"""Log-log plots of the sweep: latency.png (latency vs size) and ratio.png (each
implementation's latency over raw mpi4py's), one panel per collective."""

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from . import COLLECTIVES, IMPLEMENTATIONS  # noqa: E402
from .report import TARGETS, sweep_rows, world_sizes  # noqa: E402

COLORS = {"tcltorch": "tab:blue", "raw_mpi4py": "tab:green", "gloo": "tab:red"}
LINES = ["-", "--", ":", "-."]  # one per world size


def human_size(size):
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:g} {unit}"
        size /= 1024


def _panels(results, title, value, names, reference=None):
    """One log-log panel per collective, a line per (implementation, world size)."""
    figure, axes = plt.subplots(1, len(COLLECTIVES), figsize=(15, 4.5), sharey=True)
    for axis, collective in zip(axes, COLLECTIVES):
        for ranks, style in zip(world_sizes(results), LINES):
            rows = sweep_rows(results, collective, ranks)
            sizes = [r["bytes"] for r in rows]
            for name in names:
                axis.plot(sizes, [value(r["latency_us"], name) for r in rows], style, marker=".",
                          color=COLORS[name], label=f"{name}, {ranks} ranks")
        if reference:
            axis.axhline(reference, color="gray", linewidth=0.8, label=f"{reference}x (target)")
        ticks = sorted({r["bytes"] for r in results["collectives"] if r["collective"] == collective})
        axis.set(xscale="log", yscale="log", title=collective, xlabel="message size per rank")
        axis.set_xticks(ticks, [human_size(size) for size in ticks], rotation=60)
        axis.minorticks_off()
        axis.grid(True, alpha=0.3)
    axes[0].set_ylabel(title)
    axes[-1].legend(fontsize="small")
    figure.tight_layout()
    return figure


def draw(results, out_dir):
    figures = {
        "latency.png": _panels(results, "latency per call (us)",
                               lambda latency, name: latency[name], IMPLEMENTATIONS),
        "ratio.png": _panels(results, "latency / raw mpi4py latency",
                             lambda latency, name: latency[name] / latency["raw_mpi4py"],
                             ("tcltorch", "gloo"), reference=TARGETS["large_ratio"]),
    }
    for name, figure in figures.items():
        figure.savefig(out_dir / name, dpi=90)
        plt.close(figure)
