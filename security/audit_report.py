"""Judge a pip-audit JSON report against the reviewed ignore list.

pip-audit says "No known vulnerabilities found" and exits 0 even when it could
not look up a single package (every dependency "skipped"). This module never
does: an audit only passes when every pinned package was checked and every
finding is either absent or handled in `security/audit-ignore.txt`.

Exit codes (also used by scripts/audit.sh):
  0  every package audited, no unhandled finding
  1  unhandled findings (a finding beats an incomplete audit)
  2  the ignore list is malformed, or the command line is wrong
  3  not (fully) audited: no report, an unreadable report, or skipped packages

Usage: python -m security.audit_report --ignore FILE [--service NAME] REPORT.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_AUDITED = 3

# `ID  # reason; reviewed YYYY-MM-DD; reviewer` -- one handled finding a line.
IGNORE_LINE = re.compile(
    r"^(?P<id>[A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)+)\s+#\s*(?P<reason>[^;]*\S)\s*;"
    r"\s*reviewed\s+(?P<date>\d{4}-\d{2}-\d{2})\s*;\s*(?P<reviewer>\S.*?)\s*$"
)


class IgnoreFileError(ValueError):
    """The ignore list does not follow its one-line format."""


class ReportError(ValueError):
    """The pip-audit report is missing or not pip-audit's JSON."""


@dataclass(frozen=True)
class IgnoreEntry:
    """A finding whose handling is written down in docs/security.md."""

    vuln_id: str
    reason: str
    reviewed: dt.date
    reviewer: str


@dataclass(frozen=True)
class Finding:
    """One advisory reported for one pinned package."""

    package: str
    version: str
    vuln_id: str
    aliases: Tuple[str, ...] = ()
    fix_versions: Tuple[str, ...] = ()

    @property
    def ids(self) -> Tuple[str, ...]:
        """The advisory id and its aliases (CVE, GHSA, PYSEC)."""
        return (self.vuln_id, *self.aliases)


@dataclass
class Report:
    """What pip-audit checked, skipped and found."""

    audited: List[Tuple[str, str]] = field(default_factory=list)
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)


def parse_ignore_list(text: str) -> List[IgnoreEntry]:
    """The entries of an ignore file; blank lines and `#` lines are comments."""
    entries: Dict[str, IgnoreEntry] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = IGNORE_LINE.match(line)
        if not match:
            raise IgnoreFileError(f"line {number}: expected 'ID  # reason; reviewed YYYY-MM-DD; reviewer', got {raw!r}")
        try:
            reviewed = dt.date.fromisoformat(match["date"])
        except ValueError:
            raise IgnoreFileError(f"line {number}: {match['date']!r} is not a real date") from None
        if match["id"] in entries:
            raise IgnoreFileError(f"line {number}: {match['id']} is listed twice")
        entries[match["id"]] = IgnoreEntry(match["id"], match["reason"], reviewed, match["reviewer"])
    return list(entries.values())


def read_ignore_file(path: Path) -> List[IgnoreEntry]:
    """Parse the ignore file at `path` (a missing file is an error, not 'ignore nothing')."""
    try:
        return parse_ignore_list(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise IgnoreFileError(f"cannot read {path}: {error}") from None


def parse_report(text: str) -> Report:
    """A Report from pip-audit's `-f json` output."""
    if not text.strip():
        raise ReportError("the report is empty (pip-audit stopped before writing it)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReportError(f"the report is not JSON: {error}") from None
    dependencies = data.get("dependencies") if isinstance(data, dict) else None
    if not isinstance(dependencies, list):
        raise ReportError("the report has no 'dependencies' list")
    report = Report()
    for dep in dependencies:
        if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
            raise ReportError(f"a dependency entry without a name: {dep!r}")
        name = dep["name"]
        if "skip_reason" in dep:
            report.skipped.append((name, str(dep["skip_reason"])))
            continue
        version = str(dep.get("version", "?"))
        report.audited.append((name, version))
        for vuln in dep.get("vulns") or []:
            report.findings.append(
                Finding(
                    package=name,
                    version=version,
                    vuln_id=str(vuln.get("id", "?")),
                    aliases=tuple(vuln.get("aliases") or ()),
                    fix_versions=tuple(vuln.get("fix_versions") or ()),
                )
            )
    return report


def split_findings(findings: Iterable[Finding], ignores: Sequence[IgnoreEntry]) -> Tuple[List[Finding], List[Finding]]:
    """(unhandled, handled): a finding is handled when its id or an alias is ignored."""
    ignored = {entry.vuln_id for entry in ignores}
    unhandled: List[Any] = []
    handled: List[Any] = []
    for finding in findings:
        (handled if ignored.intersection(finding.ids) else unhandled).append(finding)
    return unhandled, handled


def _describe(finding: Finding) -> str:
    aliases = f" ({', '.join(finding.aliases)})" if finding.aliases else ""
    fix = ", ".join(finding.fix_versions) or "none published"
    return f"{finding.package} {finding.version}: {finding.vuln_id}{aliases}; fixed in {fix}"


def judge(report: Report, ignores: Sequence[IgnoreEntry], service: str = "pypi") -> Tuple[int, List[str]]:
    """The exit code and the lines to print for `report`."""
    unhandled, handled = split_findings(report.findings, ignores)
    total = len(report.audited) + len(report.skipped)
    lines = [
        f"pip-audit ({service}): {len(report.audited)} of {total} packages audited, "
        f"{len(report.skipped)} skipped, {len(report.findings)} findings "
        f"({len(handled)} handled in security/audit-ignore.txt)."
    ]
    lines += [f"  handled: {_describe(f)}" for f in handled]
    lines += [f"  UNHANDLED: {_describe(f)}" for f in unhandled]
    if report.audited and not report.skipped:
        seen = {i for f in report.findings for i in f.ids}
        lines += [
            f"  note: {e.vuln_id} is on the ignore list but was not reported; remove it when the fix is installed"
            for e in ignores
            if e.vuln_id not in seen
        ]
    if report.skipped:
        lines.append(f"  skipped (not audited), e.g. {report.skipped[0][0]}: {report.skipped[0][1]}")
    if unhandled:
        lines.append(
            f"FAIL: {len(unhandled)} unhandled finding(s). Upgrade, or write the handling "
            "down in docs/security.md and add the id to security/audit-ignore.txt."
        )
        return EXIT_FINDINGS, lines
    if not report.audited or report.skipped:
        lines.append(
            f"NOT AUDITED: {len(report.skipped)} of {total} packages could not be looked up "
            f"with the '{service}' vulnerability service (unreachable or answering 404). "
            "This is NOT a clean result; see docs/security.md for the manual review."
        )
        return EXIT_NOT_AUDITED, lines
    lines.append("OK: every pinned package audited; no unhandled findings.")
    return EXIT_OK, lines


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: judge one report file, print the verdict, return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="pip-audit -f json output")
    parser.add_argument("--ignore", type=Path, required=True, help="reviewed ignore list")
    parser.add_argument("--service", default="pypi", help="service name, for the message")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return EXIT_BAD_INPUT if stop.code else EXIT_OK
    try:
        ignores = read_ignore_file(args.ignore)
    except IgnoreFileError as error:
        print(f"ERROR in {args.ignore}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        text = args.report.read_text(encoding="utf-8") if args.report.exists() else ""
        report = parse_report(text)
    except (ReportError, OSError, UnicodeDecodeError) as error:
        print(f"NOT AUDITED ({args.service}): {error}", file=sys.stderr)
        return EXIT_NOT_AUDITED
    code, lines = judge(report, ignores, args.service)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
