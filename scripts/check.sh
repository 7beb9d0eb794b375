#!/usr/bin/env bash
# Lint, format and types of the project's packages (pinned ruff and mypy;
# settings in pyproject.toml). `make check`; `make test` runs it first.
set -euo pipefail
source "$(dirname "$0")/common.sh"

bash scripts/setup.sh
echo "==> ruff check, ruff format --check, mypy"
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/ruff" format --check --quiet .
"$VENV/bin/mypy" --no-error-summary
