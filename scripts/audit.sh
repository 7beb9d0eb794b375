#!/usr/bin/env bash
# Audit the pinned dependencies (requirements.lock and the model packages of
# requirements-models.lock) for known vulnerabilities
# with pip-audit, from its own tool venv (.venv/tools/pip-audit, pinned in
# security/requirements-audit.lock) so that it never touches Rasa's pins.
# Findings listed in security/audit-ignore.txt (each explained in
# docs/security.md) are reported as handled. Exit codes:
#   0 all audited, nothing unhandled   1 unhandled findings
#   2 setup or ignore-list error       3 NOT audited (service unreachable or
#                                        packages skipped): never a pass
# Settings: AUDIT_SERVICES (default "pypi osv": tried in order until one
# audits every package), AUDIT_TIMEOUT (socket timeout in s, default 15).
set -euo pipefail
source "$(dirname "$0")/common.sh"

TOOL_DIR="$VENV/tools/pip-audit"
TOOL_PY="$TOOL_DIR/bin/python"
TOOL_LOCK="security/requirements-audit.lock"
IGNORE_FILE="security/audit-ignore.txt"
OUT_DIR="$VENV/tools/audit-reports"

setup_tool() {
  if [[ ! -x "$TOOL_PY" ]]; then
    local python; python="$(find_python)"
    echo "==> creating the pip-audit tool venv ($TOOL_DIR)"
    "$python" -m venv "$TOOL_DIR"
  fi
  local stamp="$TOOL_DIR/.lock.sha256" want
  want="$(sha256sum "$TOOL_LOCK" | cut -d' ' -f1)"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "==> installing pip-audit from $TOOL_LOCK"
    "$TOOL_PY" -m pip install --quiet --disable-pip-version-check --no-deps -r "$TOOL_LOCK"
    "$TOOL_PY" -m pip check >/dev/null
    echo "$want" > "$stamp"
  fi
}

if ! setup_tool; then
  echo "ERROR: could not set up pip-audit in $TOOL_DIR" >&2
  exit 2
fi
mkdir -p "$OUT_DIR"
# pip-audit wants hashes on every line or on none: the pins of both files, hashes left out.
PINS="$OUT_DIR/pins.txt"
sed -e 's/[[:space:]]*\\$//' -e '/^[[:space:]]*--hash=/d' -e 's/[[:space:]]*--hash=.*//' \
  requirements.lock requirements-models.lock | grep '==' > "$PINS"
echo "==> $("$TOOL_PY" -m pip_audit --version) on requirements.lock and requirements-models.lock" \
     "($(cat requirements.lock requirements-models.lock | grep -c '==') pins)"

for service in ${AUDIT_SERVICES:-pypi osv}; do
  report="$OUT_DIR/$service.json" log="$OUT_DIR/$service.log"
  rm -f "$report"
  # --no-deps --disable-pip: read the exact pins, never resolve or install them.
  "$TOOL_PY" -m pip_audit -r "$PINS" --no-deps --disable-pip \
    --vulnerability-service "$service" --format json --output "$report" \
    --progress-spinner off --timeout "${AUDIT_TIMEOUT:-15}" \
    --cache-dir "$VENV/tools/pip-audit-cache" >"$log" 2>&1 || true
  if [[ ! -s "$report" ]]; then
    echo "pip-audit ($service) wrote no report; last line of $log:"
    echo "  $(grep -v '^\s*$' "$log" | tail -n 1)"
  fi
  rc=0
  "$TOOL_PY" -m security.audit_report --ignore "$IGNORE_FILE" --service "$service" "$report" || rc=$?
  if [[ $rc -ne 3 ]]; then
    exit "$rc"
  fi
done
echo "NOT AUDITED: no vulnerability service (${AUDIT_SERVICES:-pypi osv}) could check every package." \
     "Do not read this as 'no known vulnerabilities'; see docs/security.md (manual review)." >&2
exit 3
