#!/usr/bin/env bash
# Run every test: install what is missing, train if needed (the tests call
# scripts/train.sh), then pytest: content and bilingual checks, the language
# detector, every custom action, Rasa data validation, the test stories with
# --fail-on-prediction-errors, held-out NLU accuracy per language, and the
# real servers end to end. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/common.sh"

bash scripts/setup.sh
start=$(date +%s)
"$PY" -m pytest "$@"
echo "==> all tests passed in $(( $(date +%s) - start )) s"
