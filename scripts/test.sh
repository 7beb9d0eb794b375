#!/usr/bin/env bash
# Run every test: install what is missing (.venv, Chromium, axe-core,
# ruff and mypy first (scripts/check.sh),
# PostgreSQL/Redis/nginx for tests/production), train
# if needed (the tests call scripts/train.sh), then pytest: content and
# bilingual checks, the language and safety detectors, every custom action,
# Rasa data validation, the test stories with --fail-on-prediction-errors,
# held-out NLU accuracy per language, the real servers end to end, and the
# widget in headless Chromium. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/common.sh"

bash scripts/setup.sh
bash scripts/check.sh
bash scripts/setup_browser.sh
bash scripts/setup_services.sh
start=$(date +%s)
"$PY" -m pytest "$@"
echo "==> all tests passed in $(( $(date +%s) - start )) s"
