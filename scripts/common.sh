# Shared settings for the scripts; sourced, not run.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
RASA="$VENV/bin/rasa"
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export TF_CPP_MIN_LOG_LEVEL=3
export PYTHONWARNINGS="ignore::DeprecationWarning"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
cd "$ROOT"

# The Python 3.10 interpreter named in .python-version (pyenv when present);
# used by setup.sh for .venv and by audit.sh for the pip-audit tool venv.
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
