"""tools/conformance.py: reading tcltest's reports, mapping files to families, reasons and
the report, on small test files written here and run through the real runner (no
checkout of the extension needed)."""

import json
import sys
import textwrap

import pytest

from tools import conformance

HEADER = """\
package require tcltest
namespace import tcltest::*
if {[catch {load ../../build/libtorchtcl.so}]} { puts "Failed to load libtorchtcl.so"; exit 1 }
"""

FILES = {
    # Two cases pass (one of them after the file lowered tcltest's verbosity), one gives
    # a wrong result, one calls a command we do not have, one is skipped.
    "ones_test.tcl": HEADER + """
configure -verbose {body}
test ones-1.1 {shape} { torch::tensor_shape [torch::ones {2 3}] } {2 3}
test ones-1.2 {wrong expectation} { torch::tensor_shape [torch::ones {2}] } {9 9}
test ones-1.3 {missing command} { torch::frobnicate [torch::ones {2}] } {1}
test ones-1.4 {error expected, got it} -body { torch::ones } -returnCodes error -match glob -result {*}
test ones-1.5 {constrained} -constraints {noSuchConstraint} -body { expr 1 } -result 1
cleanupTests
""",
    # A missing command at the top level stops the file before any case runs.
    "zeros_test.tcl": HEADER + """
set t [torch::not_served_here {2 2}]
test zeros-1.1 {a} { expr 1 } 1
test zeros-1.2 {b} { expr 1 } 1
    test zeros-1.3 {indented} { expr 1 } 1
cleanupTests
""",
    # Scripts without tcltest cases count as one case each.
    "full_test.tcl": """
if {[catch {torch::full {2 2} 3.0} r]} { puts "❌ $r"; exit 1 }
puts "✅ full tests passed"
""",
    # A command we do not have: a case that expects an error passes all the same.
    "nosuch_test.tcl": HEADER + """
test nosuch-1.1 {expects an error} -body { torch::nosuch 1 } -returnCodes error -match glob -result *
test nosuch-1.2 {uses it} { torch::nosuch 1 } {1}
cleanupTests
""",
    "eye_test.tcl": """
if {![llength [info commands torch::eye_not_here]]} { puts "❌ torch::eye_not_here missing"; exit 1 }
""",
}

COMMANDS_MD = """\
# The LibTorch Tcl extension's commands, by family

## T1 creation (3): a note after the count

`ones` `zeros` `full`

## T1 linear algebra (1)

`eye` `nosuch`
"""

KNOWN = """\
[[difference]]
category = "upstream's expected value contradicts torch"
cases = ["ones-1.2"]
why = "a shape of two elements for a tensor of one dimension"
"""


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """The files run once through the real runner: (results, report text, stdout)."""
    root = tmp_path_factory.mktemp("conformance")
    tests = root / "upstream" / "tests" / "refactored"
    tests.mkdir(parents=True)
    for name, text in FILES.items():
        (tests / name).write_text(text)
    (root / "commands.md").write_text(COMMANDS_MD)
    (root / "known.toml").write_text(KNOWN)
    argv = [str(root / "upstream"), "--write", "--report", str(root / "compatibility.md"),
            "--commands-md", str(root / "commands.md"), "--known", str(root / "known.toml"),
            "--save", str(root / "results.json"), "--timeout", "120", "--python", sys.executable]
    assert conformance.main(argv) == 0
    results = {r["file"]: r for r in json.loads((root / "results.json").read_text())["results"]}
    return results, (root / "compatibility.md").read_text()


def statuses(result):
    return {case["name"]: case["status"] for case in result["cases"]}


def test_every_tcltest_case_is_read_whatever_verbosity_the_file_sets(measured):
    results, _ = measured
    ones = results["ones_test.tcl"]
    assert statuses(ones) == {"ones-1.1": "passed", "ones-1.2": "failed", "ones-1.3": "failed",
                              "ones-1.4": "passed", "ones-1.5": "skipped"}
    details = {case["name"]: case["detail"] for case in ones["cases"]}
    assert details["ones-1.2"] == "wrong result: got «2», expected «9 9»"
    assert details["ones-1.3"] == 'invalid command name "torch::frobnicate"'
    assert details["ones-1.5"] == "skipped: noSuchConstraint"
    assert ones["stop"] is None and ones["family"] == "T1 creation"


def test_a_file_that_stops_first_fails_all_its_cases_with_that_reason(measured):
    results, _ = measured
    zeros = results["zeros_test.tcl"]
    assert statuses(zeros) == {"zeros-1.1": "failed", "zeros-1.2": "failed", "zeros-1.3": "failed"}
    assert zeros["stop"] == 'invalid command name "torch::not_served_here"'
    assert {conformance.plain_reason(c["detail"]) for c in zeros["cases"]} == {"not served yet: torch::not_served_here"}
    assert not any(c["reached"] for c in zeros["cases"])


def test_a_script_without_cases_is_one_case(measured):
    results, _ = measured
    assert statuses(results["full_test.tcl"]) == {"full_test.tcl": "passed"}
    assert statuses(results["eye_test.tcl"]) == {"eye_test.tcl": "failed"}
    assert results["eye_test.tcl"]["family"] == "T1 linear algebra"
    assert conformance.plain_reason(results["eye_test.tcl"]["cases"][0]["detail"]) == "not served yet: torch::eye_not_here"


def test_the_report_has_exact_totals_and_every_failing_case_with_its_reason(measured):
    _, report = measured
    # family | files | passed | failed | skipped | total | % | known differences | passed without the command
    assert "| T1 creation | 3 | 3 | 5 | 1 | 9 | 33.3% | 1 | 0 |" in report
    assert "| T1 linear algebra | 2 | 1 | 2 | 0 | 3 | 33.3% | 0 | 1 |" in report
    assert "| **all** | 5 | 4 | 7 | 1 | 12 | 33.3% | 1 | 1 |" in report
    assert "| torch::ones | ones_test.tcl | yes | 2 | 5 | 40.0% |" in report
    assert "| torch::nosuch | nosuch_test.tcl | no | 1 | 2 | 50.0% |" in report
    assert "- `not served yet: torch::nosuch`: nosuch-1.2" in report
    assert ("- `upstream's expected value contradicts torch: a shape of two elements for a tensor "
            "of one dimension`: ones-1.2") in report
    assert "- `not served yet: torch::frobnicate`: ones-1.3" in report
    assert "- `skipped: noSuchConstraint`: ones-1.5" in report
    assert "- `not served yet: torch::not_served_here`: zeros-1.1, zeros-1.2, zeros-1.3" in report
    assert "| zeros_test.tcl | 0 | 3 | `not served yet: torch::not_served_here` |" in report
    assert "```tcl" not in report


def test_parse_tcltest_reads_passes_skips_and_failure_blocks():
    output = textwrap.dedent("""\
        ++++ a-1 PASSED
        ==== a-2 some  description FAILED
        ---- Result was:
        x
        y
        ---- Result should have been (exact matching):
        z
        ==== a-2 FAILED

        ++++ a-3 SKIPPED: cuda
        ==== a-4  FAILED
        ---- Test completed normally; Return code was: 0
        ---- Return code should have been one of: 1
        ==== a-4 FAILED
        ==== a-5 setup FAILED
        ---- Test setup failed:
        boom
        ==== a-5 FAILED
        ==== a-6 cut short FAILED
        ---- Test generated error; Return code was: 1
        ---- Return code should have been one of: 0 2
        ---- errorInfo: Invalid tensor name: t9
            while executing
        """)
    assert conformance.parse_tcltest(output) == [
        ("a-1", "passed", ""),
        ("a-2", "failed", "wrong result: got «x / y», expected «z»"),
        ("a-3", "skipped", "skipped: cuda"),
        ("a-4", "failed", "no error, where the test expects one"),
        ("a-5", "failed", "setup failed: boom"),
        ("a-6", "failed", "Invalid tensor name: t9"),
    ]


def test_stop_reason():
    assert conformance.stop_reason(None, "", "", 60) == "timed out after 60 s"
    assert conformance.stop_reason(0, "❌ no", "", 60) is None
    assert conformance.stop_reason(1, "", "[rank 0] bad thing\n  while executing", 60) == "bad thing"
    assert conformance.stop_reason(1, "ok\n❌ Command torch::x not found\n", "", 60) == "❌ Command torch::x not found"
    assert conformance.stop_reason(3, "", "", 60) == "exit status 3"


def test_families_come_from_the_command_list_or_else_the_file_name(tmp_path):
    (tmp_path / "c.md").write_text(COMMANDS_MD)
    families = conformance.load_families(tmp_path / "c.md")
    assert families == {"ones": "T1 creation", "zeros": "T1 creation", "full": "T1 creation",
                        "eye": "T1 linear algebra", "nosuch": "T1 linear algebra"}
    assert conformance.family_of("tensor_add", families) == "unlisted"
    assert conformance.load_families(tmp_path / "absent.md") is None
    assert conformance.family_of("lr_scheduler_step", None) == "lr"
    assert conformance.command_of("x/tensor_add_test.tcl") == "tensor_add"


def test_known_differences_name_a_category_cases_and_why(tmp_path):
    (tmp_path / "bad.toml").write_text('[[difference]]\ncategory = "other"\ncases = ["a"]\nwhy = "b"\n')
    with pytest.raises(SystemExit):
        conformance.load_known(tmp_path / "bad.toml")
    entries = conformance.load_known(conformance.KNOWN)
    assert entries, "the project's reviewed list is empty"
    assert all(e["category"] in conformance.CATEGORIES and e["why"].strip() and "\n" not in e["why"]
               for e in entries)
    case = {"name": "ones-1.2", "status": "failed", "detail": 'invalid command name "torch::x"'}
    assert conformance.reason(case, []) == ("not served yet: torch::x", None)
