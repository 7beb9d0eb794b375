"""Where the project's files live, independent of the working directory,
and the environment its Rasa subprocesses run in."""

import os
from pathlib import Path
from typing import Dict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = PROJECT_ROOT / "content"


def project_path(relative: str) -> Path:
    """Resolve a path given relative to the project root (absolute paths pass)."""
    path = Path(relative)
    return path if path.is_absolute() else PROJECT_ROOT / path


def rasa_env() -> Dict[str, str]:
    """The environment for Rasa and action-server subprocesses, as
    scripts/common.sh sets it: quiet, no telemetry, the project importable."""
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    return env
