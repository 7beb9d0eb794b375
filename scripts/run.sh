#!/usr/bin/env bash
# Run the assistant: install what is missing, train if needed, then start the
# action server and the Rasa server (REST channel + authenticated HTTP API).
# Ctrl-C stops both. Settings (environment variables, all optional):
#   RASA_PORT (5005), ACTIONS_PORT (5055), RASA_AUTH_TOKEN (random if unset),
#   STAFF_CONSOLE_PASSWORD (the staff console's password, random if unset),
#   WIDGET_PORT (8000), CORS_ORIGINS (space-separated website origins allowed
#   to call the server; default the widget's demo origin), HOST (the address
#   all three listen on; default 127.0.0.1, this machine only).
set -euo pipefail
source "$(dirname "$0")/common.sh"

bash scripts/setup.sh
model="$(bash scripts/train.sh | tail -n1)"
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
WIDGET_PORT="${WIDGET_PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
RASA_AUTH_TOKEN="${RASA_AUTH_TOKEN:-$("$PY" -m ops.local secret 24)}"
# The staff console (channels/console.py) needs a password; a random one when unset.
export STAFF_CONSOLE_PASSWORD="${STAFF_CONSOLE_PASSWORD:-$("$PY" -m ops.local secret 18)}"
read -r -a origins <<< "${CORS_ORIGINS:-http://localhost:$WIDGET_PORT http://127.0.0.1:$WIDGET_PORT}"

endpoints="$(mktemp)"
"$PY" -m ops.local endpoints "http://localhost:$ACTIONS_PORT" > "$endpoints"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -f "$endpoints"; }
trap cleanup EXIT INT TERM

SANIC_HOST="$HOST" "$VENV/bin/python" -m rasa_sdk --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
"$PY" widget/server.py --host "$HOST" --port "$WIDGET_PORT" --rasa-url "http://localhost:$RASA_PORT" &
pids+=($!)
"$RASA" run --model "$model" --endpoints "$endpoints" --credentials credentials.yml \
  --interface "$HOST" --port "$RASA_PORT" --enable-api --auth-token="$RASA_AUTH_TOKEN" --cors "${origins[@]}" &
pids+=($!)

echo "==> starting (model $model)"
for _ in $(seq 1 240); do
  if "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "http://localhost:$RASA_PORT/status?token=$RASA_AUTH_TOKEN" >/dev/null 2>&1; then
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
    wait -n "${pids[@]}"
    exit $?
  fi
  sleep 1
done
echo "The assistant did not become ready in 240 s." >&2
exit 1
