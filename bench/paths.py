"""Where the benchmark reads and writes; Rasa runs in base.paths.rasa_env()."""

from __future__ import annotations

from base.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
BENCH = ROOT / "bench"
WORK = BENCH / "work"  # models, data copies, logs (gitignored)
RESULTS = BENCH / "results"  # JSON and PNG (gitignored)
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
RASA = VENV_BIN / "rasa"
PROJECT_CONFIG = ROOT / "config.yml"
BASELINE_CONFIG = BENCH / "baseline_config.yml"
