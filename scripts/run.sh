#!/usr/bin/env bash
# Run the assistant: install what is missing, train if needed, then start the
# action server, the Rasa server (REST channel + authenticated HTTP API) and
# the widget's demo site with honcho (the lines of Procfile). Ctrl-C stops
# them all; so does one of them ending. Settings (environment variables, all
# optional):
#   RASA_PORT (5005), ACTIONS_PORT (5055), RASA_AUTH_TOKEN (random if unset),
#   STAFF_CONSOLE_PASSWORD (the staff console's password, random if unset),
#   WIDGET_PORT (8000), CORS_ORIGINS (space-separated website origins allowed
#   to call the server; default the widget's demo origin), HOST (the address
#   all three listen on; default 127.0.0.1, this machine only).
set -euo pipefail
source "$(dirname "$0")/common.sh"

bash scripts/setup.sh
MODEL="$(bash scripts/train.sh | tail -n1)"
export MODEL RASA_PORT="${RASA_PORT:-5005}" ACTIONS_PORT="${ACTIONS_PORT:-5055}" WIDGET_PORT="${WIDGET_PORT:-8000}"
export HOST="${HOST:-127.0.0.1}"
# rasa_sdk has no --interface option but reads Sanic's SANIC_HOST.
export SANIC_HOST="$HOST"
export RASA_AUTH_TOKEN="${RASA_AUTH_TOKEN:-$("$PY" -m ops.local secret 24)}"
# The staff console (staff/console.py) needs a password; a random one when unset.
export STAFF_CONSOLE_PASSWORD="${STAFF_CONSOLE_PASSWORD:-$("$PY" -m ops.local secret 18)}"
export CORS_ORIGINS="${CORS_ORIGINS:-http://localhost:$WIDGET_PORT http://127.0.0.1:$WIDGET_PORT}"
export ENDPOINTS; ENDPOINTS="$(mktemp)"
"$PY" -m ops.local endpoints "http://localhost:$ACTIONS_PORT" > "$ENDPOINTS"

# The settings come from this environment only (-e /dev/null: no .env file).
"$VENV/bin/honcho" -f Procfile -e /dev/null start &
honcho=$!
trap 'kill "$honcho" 2>/dev/null || true; wait "$honcho" 2>/dev/null || true; rm -f "$ENDPOINTS"' EXIT
trap 'exit 130' INT TERM

echo "==> starting (model $MODEL)"
"$PY" -m ops.ready "http://localhost:$RASA_PORT/status?token=$RASA_AUTH_TOKEN" \
  --timeout 240 --pid "$honcho" --what "The assistant" || exit
cat <<MSG

The sepsis aftercare assistant is ready.
  Website demo:  http://localhost:$WIDGET_PORT/index-nl.html (Nederlands)
                 http://localhost:$WIDGET_PORT/index-en.html (English)
  Chat (REST):   POST http://localhost:$RASA_PORT/webhooks/rest/webhook
                 curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"ik ben zo moe sinds de ic","metadata":{"language":"nl"}}'
  NLU (API):     POST http://localhost:$RASA_PORT/model/parse?token=$RASA_AUTH_TOKEN
  Actions:       http://localhost:$ACTIONS_PORT/health
  Staff console: http://localhost:$RASA_PORT/webhooks/console/
                 user name: staff, password: $STAFF_CONSOLE_PASSWORD
Press Ctrl-C to stop.
MSG
wait "$honcho"
