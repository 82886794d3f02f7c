#!/usr/bin/env bash
# Set up, train if needed, and start the action server, the Rasa server (REST, socket.io
# and the messaging channels that are configured), the demo clinic page with the chat
# widget and the staff app (STAFF_APP=0 leaves it out), on this machine. Ctrl-C stops them.
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
  [ -n "${made_token_file:-}" ] && rm -f "$token_file"
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

python -m actions.server &
pids+=($!)
# Rasa's HTTP API (models, trackers) stays off unless a token or a JWT secret is set: then
# it is on, and every call must carry it. The staff app loads published models through it:
# with the app on and no token set, a new random token is made for this start and given
# to the app alone (the API refuses any call without it).
# The token is also kept, readable by this user only, in var/rasa-api-token while the
# assistant runs, so that `make publish` in another terminal can load its model too.
token_file="${RASA_API_TOKEN_FILE:-$ROOT/var/rasa-api-token}"
if [ "$STAFF_APP" != 0 ] && [ -z "${RASA_API_TOKEN:-}" ]; then
  RASA_API_TOKEN="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  export -n RASA_API_TOKEN  # only the Rasa server and the staff app (below) get it
  mkdir -p "$(dirname "$token_file")"
  (umask 077 && printf '%s\n' "$RASA_API_TOKEN" > "$token_file")
  made_token_file=1
fi
api=()
[ -n "${RASA_API_TOKEN:-}" ] && api+=(--enable-api --auth-token "$RASA_API_TOKEN")
[ -n "${RASA_JWT_SECRET:-}" ] && api+=(--enable-api --jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256)
rasa run --model "$model" --interface "$RASA_HOST" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml "${api[@]}" &
pids+=($!)
python -m web &
pids+=($!)
staff_line=""
if [ "$STAFF_APP" != 0 ]; then
  RASA_API_TOKEN="$RASA_API_TOKEN" python -m staff &
  pids+=($!)
  staff_line="    Staff app:      http://localhost:$STAFF_PORT  (review, teach, edit answers, publish;
                    accounts: make staff-user NAME=...)"
fi

bash scripts/wait_ready.sh
if [ "$STAFF_APP" != 0 ]; then
  for ((i = 0; i < 60; i++)); do
    curl -sf "http://$STAFF_HOST:$STAFF_PORT/health" >/dev/null 2>&1 && break
    sleep 1
  done
fi
cat <<MSG

  The assistant is ready.
    REST channel:   curl -s -X POST http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook \\
                      -H 'Content-Type: application/json' \\
                      -d '{"sender": "visitor-1", "message": "How long do results last?"}'
    Clinic page:    http://localhost:$WEB_PORT  (the chat widget, bottom right)
    socket.io:      http://$RASA_HOST:$RASA_PORT/socket.io  (origins: $SOCKETIO_CORS_ORIGINS)
    action server:  http://$ACTION_SERVER_HOST:$ACTION_SERVER_PORT/health
$staff_line
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
