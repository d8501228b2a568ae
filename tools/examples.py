"""Every ```tcl example in docs/, run: at one process, and the pages of the
distributed families at several ranks too (the test suite runs both).

The examples of one page run in order in one namespace of their own (a later block
may use an earlier one's variables); each block is caught on its own, so the run
names every example that fails:

    python -m tools.examples [--ranks N] [--distributed] [page.md ...]
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tcltorch_mpi.commands import COMMANDS

from .docs import BEGIN, DOCS, END

BLOCK = re.compile(r"^```tcl\n(.*?)^```", re.M | re.S)
DISTRIBUTED_PAGES = {f"{c.name}.md" for c in COMMANDS if c.family.startswith("Distributed")}


def blocks(path):
    """The ```tcl blocks of a page, outside its generated part (syntax, not examples)."""
    text = path.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start >= 0 and end > start:
        text = text[:start] + text[end + len(END):]
    return BLOCK.findall(text)


def pages(distributed=False):
    found = sorted(DOCS.rglob("*.md"))
    return [p for p in found if not distributed or p.name in DISTRIBUTED_PAGES or p.name == "running.md"]


def script(paths, directory):
    """A Tcl script in ``directory`` that runs the examples of ``paths``."""
    lines = ["set ::failures 0", "set ::ran 0"]
    for page, path in enumerate(paths):
        where = path.relative_to(DOCS.parent)
        for number, code in enumerate(blocks(path), 1):
            block = Path(directory) / f"page{page}_example{number}.tcl"
            block.write_text(code)
            lines += [
                "incr ::ran",
                f"if {{[catch {{namespace eval ::docs::page{page} [list source -encoding utf-8 {{{block}}}]}} message]}} {{",
                f"    puts \"FAILED {where} example {number} (on rank [torch::get_rank]): $message\"",
                "    incr ::failures",
                "}",
            ]
    lines += ['puts "examples: $::ran ran, $::failures failed (on rank [torch::get_rank])"',
              "exit [expr {$::failures > 0}]"]
    path = Path(directory) / "examples.tcl"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(paths, ranks=None, timeout=600):
    with tempfile.TemporaryDirectory() as directory:
        command = [sys.executable, "-m", "tcltorch_mpi", "--timeout", "60", str(script(paths, directory))]
        if ranks:
            command = [str(Path(sys.executable).parent / "mpirun"), "-n", str(ranks), *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=DOCS.parent)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int)
    parser.add_argument("--distributed", action="store_true", help="only the distributed pages")
    parser.add_argument("pages", nargs="*", help="page names (e.g. distributed_all_to_all.md)")
    options = parser.parse_args(argv)
    chosen = [p for p in pages(options.distributed) if not options.pages or p.name in options.pages]
    result = run(chosen, options.ranks)
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
