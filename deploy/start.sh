#!/usr/bin/env bash
# Start one role of the assistant in a container: rasa | actions | web | staff. Settings
# come from the environment (scripts/env.sh gives the defaults). The Rasa server's model:
# MODEL if set, else the live version the staff app published (models/published/), else
# the one built into the image (models/LATEST).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
cd "$ROOT"
role="${1:-rasa}"
case "$role" in
  rasa)
    model="${MODEL:-}"
    live="models/published/live.json"
    if [ -z "$model" ] && [ -f "$live" ]; then
      id="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$live")"
      [ -f "models/published/$id/model.tar.gz" ] && model="models/published/$id/model.tar.gz"
    fi
    model="${model:-$(cat models/LATEST)}"
    api=()
    [ -n "${RASA_API_TOKEN:-}" ] && api+=(--enable-api --auth-token "$RASA_API_TOKEN")
    exec rasa run --model "$model" --interface 0.0.0.0 --port "$RASA_PORT" \
      --credentials credentials.yml --endpoints endpoints.yml "${api[@]}"
    ;;
  actions)
    exec python -m actions.server
    ;;
  web)
    exec python -m web
    ;;
  staff)
    exec python -m staff
    ;;
  *)
    echo "start.sh: unknown role '$role' (rasa, actions, web or staff)" >&2
    exit 2
    ;;
esac
