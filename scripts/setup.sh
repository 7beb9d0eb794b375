#!/usr/bin/env bash
# Create .venv with Python 3.10 and install requirements.lock, only when the
# lock file changed since the last install.
set -euo pipefail
source "$(dirname "$0")/common.sh"

find_python() {
  local want; want="$(cat .python-version)"
  if command -v pyenv >/dev/null 2>&1 && PYENV_VERSION="$want" pyenv which python >/dev/null 2>&1; then
    PYENV_VERSION="$want" pyenv which python; return
  fi
  for candidate in "python$want" python3.10; do
    command -v "$candidate" >/dev/null 2>&1 && { command -v "$candidate"; return; }
  done
  echo "Python 3.10 is needed (Rasa 3.6 does not support newer). Install it, e.g. 'pyenv install $want'." >&2
  exit 1
}

if [[ ! -x "$PY" ]]; then
  echo "==> creating .venv"
  "$(find_python)" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want="$(sha256sum requirements.lock | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "==> installing pinned dependencies (first time: a few minutes)"
  "$PY" -m pip install --quiet --disable-pip-version-check "pip==24.0"
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.lock
  echo "$want" > "$stamp"
fi
