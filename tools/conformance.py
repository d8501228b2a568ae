"""Conformance, measured: the LibTorch Tcl extension's own test files, run under our runner.

    python tools/conformance.py UPSTREAM_DIR [--family F ...] [--write]

UPSTREAM_DIR is a checkout of vicmay/TCLIBTORCH; nothing of it is copied into this
repository. Each tests/refactored/*.tcl runs in a runner process of its own
(`python -m tcltorch_mpi`), two at a time, through a small Tcl wrapper that makes tcltest
print every case's result. A case that does not pass gets a reason: the reviewed entry of
tools/known_differences.toml that names it, else the first line of its failure.
Without --write the totals per family are printed; with it docs/compatibility.md is
written too. Files map to commands and families through the extension's command list
(--commands-md; without it, by the file name's first word).
"""

import argparse
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWN = ROOT / "tools" / "known_differences.toml"
REPORT = ROOT / "docs" / "compatibility.md"
COMMANDS_MD = ROOT.parent / "shared" / "reference" / "upstream_commands.md"
CATEGORIES = ("upstream simulates or returns a placeholder",
              "upstream's expected value contradicts torch",
              "deliberate difference")

# Loads tcltest first and keeps its verbosity at "every case", whatever the file
# configures, so that each case prints one line we can read (PASSED, SKIPPED, FAILED).
WRAPPER = r"""
fconfigure stdout -buffering line -encoding utf-8
set ::conformance_file [lindex $::argv 0]
# tcltest reads ::argv as its own options when it loads: it gets none, as under tclsh.
set ::argv {}
set ::argc 0
set ::argv0 $::conformance_file
package require tcltest
::tcltest::configure -verbose {pass skip error}
rename ::tcltest::configure ::tcltest::ConformanceConfigure
proc ::tcltest::configure {args} {
    set i [lsearch -exact $args -verbose]
    if {$i >= 0 && $i % 2 == 0 && $i + 1 < [llength $args]} {
        lset args [expr {$i + 1}] {pass skip error}
    }
    tailcall ::tcltest::ConformanceConfigure {*}$args
}
source -encoding utf-8 $::conformance_file
"""

STATIC_TEST = re.compile(r"^\s*(?:::)?(?:tcltest::)?test\s+[{\"]?([^\s{}\"]+)", re.M)
PASSED = re.compile(r"^\+\+\+\+ (\S+) PASSED$")
SKIPPED = re.compile(r"^\+\+\+\+ (\S+) SKIPPED: ?(.*)$")
FAILED = re.compile(r"^==== (\S+) (.*)FAILED$")
TOTALS = re.compile(r"^\S+:\s+Total\s+(\d+)\s+Passed\s+(\d+)\s+Skipped\s+(\d+)\s+Failed\s+(\d+)", re.M)
MISSING = [re.compile(r'invalid command name "(torch::[^"\s]+)"'),
           re.compile(r"❌ (?:Command )?(torch::\S+) (?:not found|missing)")]


# --- files, commands, families -------------------------------------------------------

def load_families(path):
    """command -> family from the extension's command list (## family (N), then `names`)."""
    if not path or not Path(path).is_file():
        return None
    families, family = {}, None
    for line in Path(path).read_text().splitlines():
        heading = re.match(r"^##\s+(.*?)\s*\(\d+\)", line)
        if heading:
            family = heading[1]
        elif family:
            for name in re.findall(r"`([^`\s]+)`", line):
                families.setdefault(name, family)
    return families


def command_of(path):
    return re.sub(r"(_test)?\.tcl$", "", Path(path).name)


def family_of(command, families):
    if families is None:  # no command list: group by the name's first word
        return command.split("_")[0]
    return families.get(command, "unlisted")


def test_files(upstream):
    directory = Path(upstream) / "tests" / "refactored"
    if not directory.is_dir():
        raise SystemExit(f"{directory}: no such directory (give a checkout of vicmay/TCLIBTORCH)")
    return sorted(directory.glob("*.tcl"))


def static_cases(text):
    """The names of the file's `test` calls, read without running it."""
    return STATIC_TEST.findall(text)


# --- running one file ------------------------------------------------------------------

def run_file(path, scratch, python, timeout):
    """Run one test file in a directory of its own (files may write files):
    (exit status or None on timeout, stdout, stderr, seconds)."""
    directory = Path(tempfile.mkdtemp(dir=scratch)) / "tests" / "refactored"
    directory.mkdir(parents=True)
    shutil.copy(path, directory)
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    start = time.monotonic()
    process = subprocess.Popen([python, "-m", "tcltorch_mpi", str(Path(scratch) / "wrapper.tcl"), path.name],
                               cwd=directory, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
        status = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the runner and anything it started
        out, err = process.communicate()
        status = None
    return status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), time.monotonic() - start


def parse_tcltest(stdout):
    """[(case, "passed"|"skipped"|"failed", detail)] in the order tcltest reported them."""
    cases, block = [], None
    for line in stdout.splitlines():
        if block is not None:
            if line == f"==== {block[0]} FAILED":
                cases.append((block[0], "failed", failure_detail(block[1])))
                block = None
            else:
                block[1].append(line)
        elif match := PASSED.match(line):
            cases.append((match[1], "passed", ""))
        elif match := SKIPPED.match(line):
            cases.append((match[1], "skipped", f"skipped: {match[2]}"))
        elif match := FAILED.match(line):
            block = (match[1], [])
    if block is not None:  # the process ended inside a failure report
        cases.append((block[0], "failed", failure_detail(block[1])))
    return cases


def failure_detail(lines):
    """One line saying why a case failed, from tcltest's report of it."""
    def after(marker):
        for i, line in enumerate(lines):
            if line.startswith(marker):
                rest = line[len(marker):].strip()
                return rest or (lines[i + 1].strip() if i + 1 < len(lines) else "")
        return None

    def value(start):  # the lines after `start` up to the next ---- line
        i = next(i for i, line in enumerate(lines) if line.startswith(start))
        body = []
        for line in lines[i + 1:]:
            if line.startswith("---- "):
                break
            body.append(line)
        return shorten(" / ".join(body).strip(), 80)

    if (error := after("---- errorInfo:")) is not None:
        return error
    if (setup := after("---- Test setup failed:")) is not None:
        return f"setup failed: {setup}"
    if any(line.startswith("---- Result was:") for line in lines):
        return f"wrong result: got «{value('---- Result was:')}», expected «{value('---- Result should have been')}»"
    if any(line.startswith("---- Test completed normally") for line in lines):
        return "no error, where the test expects one"
    if (cleanup := after("---- Test cleanup failed:")) is not None:
        return f"cleanup failed: {cleanup}"
    details = [line[5:] for line in lines if line.startswith("---- ")]
    return details[0] if details else "failed (no details)"


def stop_reason(status, stdout, stderr, timeout):
    """Why a file ended before all of its cases ran, or None if it ended normally."""
    if status is None:
        return f"timed out after {timeout:g} s"
    if status == 0:
        return None
    for line in stderr.splitlines():
        if match := re.match(r"^\[rank \d+\] (.*)", line):
            return match[1]
    marked = [line.strip() for line in stdout.splitlines() if "❌" in line]
    if marked:
        return marked[-1]
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit status {status}"


def file_result(path, scratch, python, timeout, families):
    """Everything measured for one file (a plain dict: it is saved as JSON)."""
    command = command_of(path)
    static = static_cases(path.read_text(errors="replace"))
    status, stdout, stderr, seconds = run_file(path, scratch, python, timeout)
    stop = stop_reason(status, stdout, stderr, timeout)
    cases = parse_tcltest(stdout)
    check_totals(path.name, cases, stdout)
    if not cases and not static:
        # No tcltest cases: a script that stops at its first failure counts as one case.
        ok = status == 0 and "❌" not in stdout
        cases = [(path.name, "passed" if ok else "failed", "" if ok else stop or last_mark(stdout), True)]
        stop = None
    else:
        seen = {name for name, _, _ in cases}
        unreached = [(name, "failed", stop or "the file ended before this case ran")
                     for name in static if name not in seen]
        cases = [(*case, True) for case in cases] + [(*case, False) for case in unreached]
    return {"file": path.name, "command": command, "family": family_of(command, families),
            "status": status, "stop": stop, "seconds": round(seconds, 1),
            "cases": [{"name": n, "status": s, "detail": d, "reached": r} for n, s, d, r in cases]}


def check_totals(name, cases, stdout):
    """Warn when tcltest's own totals (cleanupTests) disagree with the cases read."""
    totals = TOTALS.findall(stdout)
    if totals:
        total, passed, skipped, failed = map(int, totals[-1])
        count = Counter(status for _, status, _ in cases)
        if (count["passed"], count["skipped"], count["failed"]) != (passed, skipped, failed):
            print(f"{name}: tcltest counted {passed} passed, {skipped} skipped, {failed} failed; "
                  f"read {count['passed']}, {count['skipped']}, {count['failed']}", file=sys.stderr)


def last_mark(stdout):
    marked = [line.strip() for line in stdout.splitlines() if "❌" in line]
    return marked[-1] if marked else "failed"


def served_commands(python):
    """The torch:: commands our runner has now (a passing case of a file whose command is
    missing only expected an error)."""
    result = subprocess.run([python, "-m", "tcltorch_mpi", "-c", "puts [info commands ::torch::*]"],
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    return sorted(name.removeprefix("::torch::") for name in result.stdout.split())


def run_all(files, python, timeout, jobs, families):
    results = [None] * len(files)
    with tempfile.TemporaryDirectory(prefix="conformance-") as scratch:
        (Path(scratch) / "wrapper.tcl").write_text(WRAPPER)

        def one(index):
            result = file_result(files[index], scratch, python, timeout, families)
            results[index] = result
            passed = sum(c["status"] == "passed" for c in result["cases"])
            print(f"[{sum(r is not None for r in results)}/{len(files)}] {result['file']}: "
                  f"{passed}/{len(result['cases'])} ({result['seconds']} s)", file=sys.stderr, flush=True)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, range(len(files))))
    return results


# --- reasons ---------------------------------------------------------------------------

def load_known(path):
    """The reviewed known differences: [{category, cases (glob patterns), why, and
    optionally failure: a glob the case's failure must match too}]."""
    if not path or not Path(path).is_file():
        return []
    entries = tomllib.loads(Path(path).read_text()).get("difference", [])
    for entry in entries:
        if entry.get("category") not in CATEGORIES or not entry.get("cases") or not entry.get("why"):
            raise SystemExit(f"{path}: each difference needs a category (one of {CATEGORIES}), cases and why: {entry}")
    return entries


def plain_reason(detail):
    """The first line of a failure, with a missing torch:: command said plainly."""
    for pattern in MISSING:
        if match := pattern.search(detail):
            return f"not served yet: {match[1]}"
    first = detail.strip().splitlines()[0] if detail.strip() else "failed"
    return shorten(first, 200)


def reason(case, known):
    """(reason, known difference entry or None) for a case that does not pass."""
    for entry in known:
        if (any(fnmatch.fnmatchcase(case["name"], pattern) for pattern in entry["cases"])
                and fnmatch.fnmatchcase(case["detail"], entry.get("failure", "*"))):
            return f"{entry['category']}: {entry['why']}", entry
    return plain_reason(case["detail"]), None


def shorten(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --- the report --------------------------------------------------------------------------

def tally(cases):
    count = Counter(c["status"] for c in cases)
    return count["passed"], count["failed"], count["skipped"], len(cases)


def percent(passed, total):
    return f"{100 * passed / total:.1f}%" if total else "–"


def code(text):
    return "`" + text.replace("`", "'") + "`"


def cell(text):
    """Code in a table cell: a | there would end the cell, even inside backticks."""
    return code(text).replace("|", "\\|")


def by_family(results):
    families = defaultdict(list)
    for result in results:
        families[result["family"]].append(result)
    return dict(sorted(families.items()))


def summary_rows(results):
    """(family, files, passed, failed, skipped, total) per family, then all together."""
    rows = []
    for family, members in by_family(results).items():
        rows.append((family, len(members), *tally([c for r in members for c in r["cases"]])))
    rows.append(("all", len(results), *tally([c for r in results for c in r["cases"]])))
    return rows


def known_counts(results, known):
    """Per family (and "all"): cases that do not pass for a reviewed reason."""
    counts = Counter()
    for result in results:
        for case in result["cases"]:
            if case["status"] != "passed" and reason(case, known)[1]:
                counts[result["family"]] += 1
                counts["all"] += 1
    return counts


def passed_without_command(results, served):
    """Per family (and "all"): cases that pass in files whose command we do not have."""
    counts = Counter()
    for result in results:
        if result["command"] not in served:
            passed = tally(result["cases"])[0]
            counts[result["family"]] += passed
            counts["all"] += passed
    return counts


def summary_text(results, seconds):
    lines = [f"{'family':45} {'files':>5} {'passed':>7} {'total':>6}  %"]
    for family, files, passed, _, _, total in summary_rows(results):
        lines.append(f"{family:45} {files:5} {passed:7} {total:6}  {percent(passed, total)}")
    lines.append(f"{len(results)} files in {seconds:.0f} s")
    return "\n".join(lines)


def render(results, known, meta):
    """docs/compatibility.md: totals per family and command, then every case that does not pass."""
    served = set(meta["served"])
    out = ["# Compatibility with the LibTorch Tcl extension, measured", "",
           "Generated by [tools/conformance.py](../tools/conformance.py) (`python tools/conformance.py "
           "UPSTREAM_DIR --write`): do not edit by hand. It runs the test files of the extension "
           f"(vicmay/TCLIBTORCH, {meta['revision']}), `tests/refactored/*.tcl`, each in a runner "
           "process of its own, and counts their cases. The reasons for known differences are "
           "reviewed in [tools/known_differences.toml](../tools/known_differences.toml).", "",
           f"Measured {meta['date']}: {len(results)} files, "
           f"{sum(len(r['cases']) for r in results)} cases, in {meta['seconds']:.0f} s "
           f"({meta['jobs']} files at a time, at most {meta['timeout']:g} s each)"
           + (f"; families: {', '.join(meta['families'])}" if meta["families"] else "") + ".", "",
           "How cases count: a tcltest case passes when tcltest says PASSED; a skipped case does "
           "not pass. A file that stops before some of its cases run (a missing command at its "
           "top level, an error, a time-out) counts those cases as failed, with the reason it "
           "stopped. A file without tcltest cases (a script that stops at its first failure) "
           "counts as one case, named after the file.", "",
           "Known differences counts the cases that do not pass for a reviewed reason. "
           f"Our runner had {len(served)} torch:: commands (both spellings counted) when this was "
           "measured; a case can pass in a file whose command we do not have, when it expects an "
           "error: the last column counts those.", "",
           "## Totals by family", "",
           "| Family | Files | Passed | Failed | Skipped | Total | Passed % | Known differences | Passed without the command |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    without, explained = passed_without_command(results, served), known_counts(results, known)
    for family, files, passed, failed, skipped, total in summary_rows(results):
        name = "**all**" if family == "all" else family
        out.append(f"| {name} | {files} | {passed} | {failed} | {skipped} | {total} | "
                   f"{percent(passed, total)} | {explained[family]} | {without[family]} |")
    out += ["", "## By command", ""]
    for family, members in by_family(results).items():
        out += [f"### {family}", "", "| Command | Test file | We have it | Passed | Total | Passed % |",
                "|---|---|---|---:|---:|---:|"]
        for result in sorted(members, key=lambda r: r["command"]):
            passed, _, _, total = tally(result["cases"])
            have = "yes" if result["command"] in served else "no"
            out.append(f"| torch::{result['command']} | {result['file']} | {have} | {passed} | {total} | "
                       f"{percent(passed, total)} |")
        out.append("")
    out += stopped_section(results) + reasons_section(results, known) + failures_section(results, known)
    return "\n".join(out).rstrip() + "\n"


def stopped_section(results):
    stopped = [r for r in results if r["stop"]]
    out = ["## Files that stopped early", ""]
    if not stopped:
        return out + ["None.", ""]
    out += ["| Test file | Cases run | Cases | Why it stopped |", "|---|---:|---:|---|"]
    for result in stopped:
        run = sum(c["reached"] for c in result["cases"])
        out.append(f"| {result['file']} | {run} | {len(result['cases'])} | {cell(plain_reason(result['stop']))} |")
    return out + [""]


def reasons_section(results, known):
    counts = Counter(reason(c, known)[0] for r in results for c in r["cases"] if c["status"] != "passed")
    out = ["## The commonest reasons", "", "| Cases | Reason |", "|---:|---|"]
    out += [f"| {n} | {cell(text)} |" for text, n in counts.most_common(25)]
    return out + [""]


def failures_section(results, known):
    out = ["## Every case that does not pass", "",
           "By family and command; the cases that share a reason are listed together.", ""]
    for family, members in by_family(results).items():
        failing = [r for r in sorted(members, key=lambda r: r["command"]) if any(c["status"] != "passed" for c in r["cases"])]
        if not failing:
            continue
        out += [f"### {family}", ""]
        for result in failing:
            passed, _, _, total = tally(result["cases"])
            out += [f"#### torch::{result['command']} ({passed}/{total} pass)", ""]
            groups = defaultdict(list)
            for case in result["cases"]:
                if case["status"] != "passed":
                    groups[reason(case, known)[0]].append(case["name"])
            for text, names in groups.items():
                out.append(f"- {code(text)}: {', '.join(names)}")
            out.append("")
    return out


def unused_known(results, known):
    """Known differences that cover no failing case (stale: the case passes or is gone)."""
    failing = [c for r in results for c in r["cases"] if c["status"] != "passed"]
    return [e for e in known if not any(reason(c, [e])[1] for c in failing)]


# --- command line ------------------------------------------------------------------------

def chosen_files(files, families, wanted):
    """The files of the families asked for (a case-insensitive part of the family's name)."""
    if not wanted:
        return files
    return [f for f in files
            if any(w.lower() in family_of(command_of(f), families).lower() for w in wanted)]


def revision(upstream):
    try:
        return "commit " + subprocess.run(["git", "-C", str(upstream), "rev-parse", "--short", "HEAD"],
                                          capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "revision unknown"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=Path, help="a checkout of vicmay/TCLIBTORCH")
    parser.add_argument("--family", action="append", default=[], help="only this family (part of its name); repeatable")
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.relative_to(ROOT)}")
    parser.add_argument("--report", type=Path, default=REPORT, help="where --write writes")
    parser.add_argument("--commands-md", type=Path, default=COMMANDS_MD, help="the extension's commands by family")
    parser.add_argument("--known", type=Path, default=KNOWN, help="the reviewed known differences")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per test file")
    parser.add_argument("--jobs", type=int, default=2, help="files run at a time")
    parser.add_argument("--python", default=sys.executable, help="the Python that has tcltorch_mpi")
    parser.add_argument("--revision", help="the upstream revision to name in the report (default: git's)")
    parser.add_argument("--save", type=Path, help="also save the raw results (JSON) here")
    parser.add_argument("--replay", type=Path, help="report saved results instead of running")
    options = parser.parse_args(argv)
    families = load_families(options.commands_md)
    known = load_known(options.known)
    if options.replay:
        saved = json.loads(options.replay.read_text())
        results, meta = saved["results"], saved["meta"]
    else:
        files = chosen_files(test_files(options.upstream), families, options.family)
        served = served_commands(options.python)
        start = time.monotonic()
        results = run_all(files, options.python, options.timeout, options.jobs, families)
        meta = {"revision": options.revision or revision(options.upstream), "date": time.strftime("%Y-%m-%d"),
                "seconds": time.monotonic() - start, "jobs": options.jobs, "timeout": options.timeout,
                "families": options.family, "served": served}
        if options.save:
            options.save.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print(summary_text(results, meta["seconds"]))
    for entry in unused_known(results, known):
        print(f"known difference covers no failing case: {entry['cases']}", file=sys.stderr)
    if options.write:
        options.report.write_text(render(results, known, meta))
        print(f"wrote {options.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
