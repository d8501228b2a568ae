"""docs/: a page per command, its generated parts current, every tcl example run, and
links that stay inside the repository."""

import re
from pathlib import Path

import pytest

from tcltorch_mpi.commands import COMMANDS
from tests.tclsession import shown
from tools import docs, examples

ROOT = Path(__file__).resolve().parent.parent


def test_every_command_has_a_page_and_none_is_stale():
    assert docs.stale() == [], "run make docs"
    pages = {path.stem for path in (docs.DOCS / "commands").glob("*.md")}
    assert pages == {command.name for command in COMMANDS}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_page_has_its_hand_written_sections(command):
    text = docs.page_path(command).read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Syntax", "## Parameters", *docs.HAND_WRITTEN]
    assert "TODO" not in text
    assert examples.blocks(docs.page_path(command)), "no example"


def links(path):
    return re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text())


@pytest.mark.parametrize("path", [ROOT / "README.md", *sorted(docs.DOCS.rglob("*.md"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_links_point_at_files_in_the_repository(path):
    for link in links(path):
        assert not re.match(r"[a-z]+:", link), f"{link}: the README and docs link only inside the repository"
        target = (path.parent / link).resolve()
        assert target.exists() and ROOT in target.parents, f"{link} (from {path.name}) does not exist"


def test_every_example_runs_at_one_process():
    result = examples.run(examples.pages())
    shown(result.stdout, result.stderr)
    assert result.returncode == 0 and " 0 failed" in result.stdout, result.stdout + result.stderr
    assert int(re.search(r"examples: (\d+) ran", result.stdout)[1]) >= len(COMMANDS)


@pytest.mark.parametrize("ranks", [2, 3])
def test_the_distributed_examples_run_at_several_ranks(ranks):
    result = examples.run(examples.pages(distributed=True), ranks=ranks)
    shown(result.stdout, result.stderr)
    totals = re.findall(r"examples: (\d+) ran, 0 failed \(on rank (\d+)\)", result.stdout)
    assert result.returncode == 0 and sorted(int(r) for _, r in totals) == list(range(ranks)), \
        result.stdout + result.stderr
