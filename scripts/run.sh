#!/usr/bin/env bash
# Set up, train if needed, and start the action server, the Rasa server (REST, socket.io
# and the messaging channels that are configured) and the demo clinic page with the chat
# widget, on this machine. Ctrl-C stops all three.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh
model="$(bash scripts/train.sh)"

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "run: stopping the servers"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

python -m actions.server &
pids+=($!)
# Rasa's HTTP API (models, trackers) stays off unless a token or a JWT secret is set: then
# it is on, and every call must carry it.
api=()
[ -n "${RASA_API_TOKEN:-}" ] && api+=(--enable-api --auth-token "$RASA_API_TOKEN")
[ -n "${RASA_JWT_SECRET:-}" ] && api+=(--enable-api --jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256)
rasa run --model "$model" --interface "$RASA_HOST" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml "${api[@]}" &
pids+=($!)
python -m web &
pids+=($!)

bash scripts/wait_ready.sh
cat <<MSG

  The assistant is ready.
    REST channel:   curl -s -X POST http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook \\
                      -H 'Content-Type: application/json' \\
                      -d '{"sender": "visitor-1", "message": "How long do results last?"}'
    Clinic page:    http://localhost:$WEB_PORT  (the chat widget, bottom right)
    socket.io:      http://$RASA_HOST:$RASA_PORT/socket.io  (origins: $SOCKETIO_CORS_ORIGINS)
    action server:  http://$ACTION_SERVER_HOST:$ACTION_SERVER_PORT/health
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
