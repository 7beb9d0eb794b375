#!/usr/bin/env bash
# What the widget's browser tests need beyond .venv: Debian's chromium (the
# tests drive it with Playwright's Python client; no browser is downloaded)
# and, from the npm registry, the widget's build tools and the axe-core
# accessibility engine.
set -euo pipefail
source "$(dirname "$0")/common.sh"

if ! command -v chromium >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian's chromium for the widget tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The widget tests need Chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
stamp="widget/node_modules/.package-lock.sha256"
want="$(sha256sum widget/package-lock.json | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "==> installing the widget's test dependencies (npm ci)"
  (cd widget && npm ci --silent --no-audit --no-fund)
  echo "$want" > "$stamp"
fi
# The browser tests run the minified widget, as a website would serve it.
(cd widget && npm run -s build)
