"""The dependency audit's configuration and verdicts, offline.

The ignore list must keep its one-line format and every ignored advisory must
be explained in docs/security.md; a pip-audit report that skipped packages
(the service unreachable) must never pass.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from base.paths import PROJECT_ROOT
from security import audit_report as ar

ROOT = PROJECT_ROOT
IGNORE_FILE = ROOT / "security" / "audit-ignore.txt"
SECURITY_DOC = ROOT / "docs" / "security.md"
ALL_SKIPPED = ROOT / "tests" / "audit" / "pip_audit_pypi_all_skipped.json"


def finding_report(*deps: dict) -> str:
    """A pip-audit JSON report (its `-f json` shape) with the given dependencies."""
    return json.dumps({"dependencies": list(deps), "fixes": []})


def vulnerable(name: str, version: str, vuln_id: str, *aliases: str) -> dict:
    return {
        "name": name,
        "version": version,
        "vulns": [{"id": vuln_id, "fix_versions": ["9.9"], "aliases": list(aliases), "description": "..."}],
    }


def clean(name: str, version: str = "1.0") -> dict:
    return {"name": name, "version": version, "vulns": []}


def skipped(name: str) -> dict:
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name}"}


def run_cli(report: Path, ignore: Path = IGNORE_FILE) -> subprocess.CompletedProcess:
    """The module exactly as scripts/audit.sh runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "security.audit_report", "--ignore", str(ignore), str(report)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


# --- the reviewed ignore list ------------------------------------------------


def test_ignore_file_parses_and_is_dated():
    entries = ar.read_ignore_file(IGNORE_FILE)
    assert entries, "the ignore list is empty: keep the file, with its header"
    for entry in entries:
        assert entry.reviewed <= dt.date.today(), f"{entry.vuln_id} reviewed in the future"
        assert len(entry.reason) >= 20, f"{entry.vuln_id}: the reason is too short to review"


def test_every_ignored_id_is_explained_in_the_security_doc():
    table_rows = [line for line in SECURITY_DOC.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    missing = [e.vuln_id for e in ar.read_ignore_file(IGNORE_FILE) if not any(e.vuln_id in row for row in table_rows)]
    assert not missing, f"ignored without a row in docs/security.md: {missing}"


@pytest.mark.parametrize(
    "line, problem",
    [
        ("GHSA-aaaa-bbbb-cccc", "format"),  # no reason
        ("GHSA-aaaa-bbbb-cccc  # not used; 2026-01-01; someone", "format"),  # no 'reviewed'
        ("GHSA-aaaa-bbbb-cccc  # not used; reviewed 2026-01-01;", "format"),  # no reviewer
        ("GHSA-aaaa-bbbb-cccc  # not used; reviewed 2026-13-40; someone", "real date"),
        ("ghsa lower case  # not used; reviewed 2026-01-01; someone", "format"),
        ("GHSA-aaaa-bbbb-cccc  # a; reviewed 2026-01-01; x\nGHSA-aaaa-bbbb-cccc  # b; reviewed 2026-01-01; y", "twice"),
    ],
)
def test_malformed_ignore_lines_are_rejected(line, problem):
    with pytest.raises(ar.IgnoreFileError, match=problem if problem != "format" else "expected"):
        ar.parse_ignore_list(line)


def test_comments_and_blank_lines_are_allowed():
    entries = ar.parse_ignore_list(
        "# header\n\nPYSEC-2024-1  # explained in docs; reviewed 2026-01-02; reviewer-needed\n"
    )
    assert [(e.vuln_id, e.reviewer, e.reviewed) for e in entries] == [
        ("PYSEC-2024-1", "reviewer-needed", dt.date(2026, 1, 2))
    ]


def test_a_malformed_ignore_file_stops_the_audit(tmp_path):
    bad = tmp_path / "ignore.txt"
    bad.write_text("GHSA-aaaa-bbbb-cccc no comment\n")
    result = run_cli(ALL_SKIPPED, ignore=bad)
    assert result.returncode == ar.EXIT_BAD_INPUT
    assert "line 1" in result.stderr


# --- never a false "no known vulnerabilities" ---------------------------------


def test_recorded_all_skipped_report_is_not_a_pass():
    """pip-audit printed 'No known vulnerabilities found' and exited 0 for this."""
    report = ar.parse_report(ALL_SKIPPED.read_text(encoding="utf-8"))
    assert len(report.skipped) == 197 and not report.audited
    code, lines = ar.judge(report, ar.read_ignore_file(IGNORE_FILE))
    assert code == ar.EXIT_NOT_AUDITED
    assert any(line.startswith("NOT AUDITED") for line in lines)
    assert not any(line.startswith("OK") for line in lines)


def test_cli_on_recorded_all_skipped_report_exits_3():
    result = run_cli(ALL_SKIPPED)
    assert result.returncode == ar.EXIT_NOT_AUDITED, result.stdout + result.stderr
    assert "0 of 197 packages audited" in result.stdout
    assert "NOT AUDITED" in result.stdout


@pytest.mark.parametrize("content", [None, "", "{not json", '{"fixes": []}', "[]"])
def test_missing_or_broken_report_is_not_a_pass(tmp_path, content):
    path = tmp_path / "report.json"
    if content is not None:
        path.write_text(content)
    result = run_cli(path)
    assert result.returncode == ar.EXIT_NOT_AUDITED
    assert "NOT AUDITED" in result.stderr


def test_partly_skipped_report_is_not_a_pass():
    report = ar.parse_report(finding_report(clean("rasa", "3.6.21"), skipped("sanic")))
    code, _ = ar.judge(report, [])
    assert code == ar.EXIT_NOT_AUDITED


def test_no_dependencies_is_not_a_pass():
    code, _ = ar.judge(ar.parse_report(finding_report()), [])
    assert code == ar.EXIT_NOT_AUDITED


# --- findings -----------------------------------------------------------------


def test_clean_complete_report_passes():
    code, lines = ar.judge(ar.parse_report(finding_report(clean("rasa"), clean("sanic"))), [])
    assert code == ar.EXIT_OK and lines[-1].startswith("OK")


def test_unhandled_finding_fails_even_when_other_packages_were_skipped():
    report = ar.parse_report(finding_report(vulnerable("aiohttp", "3.9.5", "PYSEC-2099-1"), skipped("sanic")))
    code, lines = ar.judge(report, ar.read_ignore_file(IGNORE_FILE))
    assert code == ar.EXIT_FINDINGS
    assert any("UNHANDLED: aiohttp 3.9.5: PYSEC-2099-1" in line for line in lines)


def test_ignored_finding_is_handled_through_an_alias():
    """The services may name the advisory PYSEC-… with the GHSA id as alias."""
    report = ar.parse_report(
        finding_report(
            vulnerable("scikit-learn", "1.1.3", "PYSEC-2024-999", "GHSA-jw8x-6495-233v", "CVE-2024-5206"),
            clean("rasa", "3.6.21"),
        )
    )
    code, lines = ar.judge(report, ar.read_ignore_file(IGNORE_FILE))
    assert code == ar.EXIT_OK
    assert any(line.startswith("  handled: scikit-learn 1.1.3") for line in lines)
    assert any("GHSA-mr82-8j83-vxmv is on the ignore list but was not reported" in line for line in lines)


def test_the_script_uses_the_judging_module_and_its_own_tool_venv():
    script = (ROOT / "scripts" / "audit.sh").read_text(encoding="utf-8")
    assert "-m security.audit_report" in script
    assert ".venv/tools" in script or "$VENV/tools" in script
    assert "--no-deps --disable-pip" in script
    assert "requirements-audit.lock" in script
    assert "requirements.lock requirements-models.lock" in script  # the model packages too
