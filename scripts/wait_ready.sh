#!/usr/bin/env bash
# Wait until the action server, the Rasa server (with its model loaded) and the clinic page
# answer.
set -euo pipefail
source "$(dirname "$0")/env.sh"
timeout="${READY_TIMEOUT:-180}"
for ((i = 0; i < timeout; i++)); do
  if curl -sf "http://$ACTION_SERVER_HOST:$ACTION_SERVER_PORT/health" >/dev/null 2>&1 \
    && curl -sf "http://$RASA_HOST:$RASA_PORT/" >/dev/null 2>&1 \
    && curl -sf "http://$WEB_HOST:$WEB_PORT/health" >/dev/null 2>&1; then
    exit 0
  fi
  sleep 1
done
echo "wait_ready: the servers did not answer within ${timeout}s" >&2
exit 1
