#!/usr/bin/env bash
# What the production profile (scripts/prod.sh) and its tests need beyond
# .venv: Debian's PostgreSQL, Redis and nginx. Installed quietly with apt-get
# (as root) when missing. The packages' own default services are neither used
# nor stopped: the profile runs its own instances, with its own configuration
# and data, on its own loopback ports.
set -euo pipefail
source "$(dirname "$0")/common.sh"

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if (( ${#missing[@]} )); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing ${missing[*]} for the production profile"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    echo "The production profile needs: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
