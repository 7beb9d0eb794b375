"""Headless Chromium (Debian's) for the browser tests (the `browser` fixture
is in conftest.py), and an axe-core scan."""

from __future__ import annotations

import shutil
from typing import Any, Dict

import pytest

from base.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_browser = pytest.mark.skipif(
    not CHROMIUM or not AXE.exists(),
    reason="needs Debian's chromium and widget/node_modules (scripts/test.sh installs both)",
)


def axe_scan(page) -> Dict[str, Any]:
    """axe-core's WCAG 2.1 A/AA rules on the page: counts and violations as (impact, text)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
        return {passes: result.passes.length, incomplete: result.incomplete.length,
                violations: result.violations.map(v => [v.impact, v.id + ': ' +
                    v.nodes.map(n => n.target.join(' ')).join(', ')])};
    }""")
