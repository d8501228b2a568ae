"""`make docs`: the parts of docs/ made from the command table (commands.py).

Each docs/commands/<command>.md has its Syntax and Parameters sections generated
between two markers; everything else on the page (Return Value, Description,
Examples, Error Handling, See Also) is written by hand. docs/README.md's list of
commands by family is generated the same way. A missing page is created with the
hand-written sections to fill in.

    python -m tools.docs          # write what is missing or stale
    python -m tools.docs --check  # list what is missing or stale; status 1 if any
    python -m tools.docs --only tensor_add tensor_sub   # only these commands' pages
"""

import sys
from pathlib import Path

from tcltorch_mpi import spec
from tcltorch_mpi.commands import COMMANDS

DOCS = Path(__file__).resolve().parent.parent / "docs"
BEGIN = "<!-- generated from tcltorch_mpi/commands.py by `make docs`: edit the table, not this part -->"
END = "<!-- end of the generated part -->"
HAND_WRITTEN = ("## Return Value", "## Description", "## Examples", "## Error Handling", "## See Also")
TITLES = {"Positional": "Positional Syntax", "Named": "Named Parameter Syntax",
          "camelCase and other spellings": "CamelCase Alias"}


def page_path(command):
    return DOCS / "commands" / f"{command.name}.md"


def generated_sections(command):
    lines = [BEGIN, "## Syntax", ""]
    for title, forms in spec.syntax_forms(command):
        lines += [f"### {TITLES[title]}", "```tcl", *forms, "```", ""]
    lines += ["## Parameters", ""]
    if command.params:
        lines += ["| Parameter | Type | Required | Default | Description |",
                  "|-----------|------|----------|---------|-------------|"]
        lines += ["| " + " | ".join(row) + " |" for row in spec.parameter_rows(command)]
    else:
        lines.append("None.")
    return "\n".join([*lines, END])


def skeleton(command):
    sections = "\n\n".join(f"{heading}\n\nTODO" for heading in HAND_WRITTEN)
    return f"# torch::{command.name}\n\n{command.summary}.\n\n{generated_sections(command)}\n\n{sections}\n"


def replace_generated(text, generated):
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError("the generated part's markers are missing")
    return text[:start] + generated + text[end + len(END):]


def index():
    families = {}
    for command in COMMANDS:
        families.setdefault(command.family, []).append(command)
    lines = [BEGIN]
    for family, members in families.items():
        lines += ["", f"### {family}", "", "| Command | camelCase | Summary |", "|---|---|---|"]
        lines += [f"| [torch::{c.name}](commands/{c.name}.md) | `torch::{c.camel}` | {c.summary} |"
                  for c in members]
    return "\n".join([*lines, "", END])


def expected(only=None):
    """{path: text} of every file docs/ must hold, from what is there now (``only``:
    just the pages of these commands)."""
    files = {}
    for command in COMMANDS:
        if only is not None and command.name not in only:
            continue
        path = page_path(command)
        if path.exists():
            files[path] = replace_generated(path.read_text(), generated_sections(command))
        else:
            files[path] = skeleton(command)
    if only is None:
        readme = DOCS / "README.md"
        files[readme] = replace_generated(readme.read_text(), index())
    return files


def stale():
    """The files that are missing or differ from what `make docs` would write."""
    return [path for path, text in expected().items() if not path.exists() or path.read_text() != text]


def main(argv):
    if argv == ["--check"]:
        paths = stale()
        for path in paths:
            print(f"missing or stale: {path.relative_to(DOCS.parent)} (run make docs)")
        return 1 if paths else 0
    only = set(argv[1:]) if argv[:1] == ["--only"] else None
    unknown = (only or set()) - {command.name for command in COMMANDS}
    if unknown:
        print(f"not in the command table: {' '.join(sorted(unknown))}", file=sys.stderr)
        return 1
    for path, text in expected(only).items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
