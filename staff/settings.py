"""The staff tools' settings (content/staff.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from base.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
SETTINGS_FILE = ROOT / "content" / "staff.yml"


@dataclass(frozen=True)
class StaffSettings:
    low_confidence: float
    max_upload_bytes: int
    max_rows: int


def load_settings(path: Path = SETTINGS_FILE) -> StaffSettings:
    """The settings, checked: a wrong value is a clear error at start."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        settings = StaffSettings(float(data["low_confidence"]), int(data["max_upload_bytes"]), int(data["max_rows"]))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: needs low_confidence (0-1), max_upload_bytes and max_rows: {error}") from error
    if not 0 <= settings.low_confidence <= 1:
        raise ValueError(f"{path}: low_confidence must be between 0 and 1")
    return settings
