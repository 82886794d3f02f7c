#!/usr/bin/env bash
# Start one role of the assistant in a container: rasa | actions | web. Settings come from
# the environment (scripts/env.sh gives the defaults); the model is the one built into the
# image (models/LATEST) unless MODEL is set.
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
cd "$ROOT"
role="${1:-rasa}"
case "$role" in
  rasa)
    model="${MODEL:-$(cat models/LATEST)}"
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
  *)
    echo "start.sh: unknown role '$role' (rasa, actions or web)" >&2
    exit 2
    ;;
esac
