#!/usr/bin/env bash
# The production profile on this machine, without Docker (docs/production.md):
# PostgreSQL tracker store, Redis lock store, two Rasa servers, the action
# server and nginx in front, all on loopback ports, from Debian's packages;
# the lines of deploy/Procfile.prod, each run by honcho (ops/profile.py).
#   bash scripts/prod.sh start    install what is missing, train if needed,
#                                 start everything, apply retention, print URLs
#   bash scripts/prod.sh stop     stop everything (data stays in .prod/)
#   bash scripts/prod.sh status   which services answer
# Settings (environment variables, all optional): PROD_HTTP_PORT (8088),
# PROD_RASA_PORTS ("5105 5106"), PROD_ACTIONS_PORT (5155), PROD_POSTGRES_PORT
# (5433), PROD_REDIS_PORT (6380), PROD_RATE_PER_SECOND (10), PROD_BURST (40),
# RASA_AUTH_TOKEN (random, kept in .prod/profile.json), CORS_ORIGINS,
# RETENTION_DAYS (30), PROD_STATE_DIR (.prod).
set -euo pipefail
source "$(dirname "$0")/common.sh"

case "${1:-}" in
  start)
    bash scripts/setup.sh
    bash scripts/setup_services.sh
    model="$(bash scripts/train.sh | tail -n1)"
    "$PY" -m ops.profile start --model "$model"
    # Retention: the same command a daily cron job or CronJob runs.
    eval "$("$PY" -m ops.profile env)"
    "$PY" -m ops.retention --days "${RETENTION_DAYS:-30}" --endpoints deploy/endpoints.yml
    ;;
  stop|status)
    "$PY" -m ops.profile "$1"
    ;;
  *)
    echo "usage: bash scripts/prod.sh start|stop|status" >&2
    exit 2
    ;;
esac
