#!/usr/bin/env bash
# The deployment's secrets, made once before the first `docker compose up`: writes
# deploy/.env (or the file named), which Compose reads beside deploy/docker-compose.yml,
# with a new random value for each secret the compose file needs and the file lacks. A
# value already there is never changed (PostgreSQL keeps the password it was first started
# with; put your own values in first if you have them); an empty one is filled. The file is
# readable by its owner only, and kept out of git and of the image.
#
#   bash deploy/secrets.sh [FILE]
set -euo pipefail
umask 077

env_file="${1:-$(dirname "$0")/.env}"
# Each secret and its length in random bytes (written as hex: safe in a URL).
secrets=(
  POSTGRES_PASSWORD:24
  REDIS_PASSWORD:24
  ACTION_SERVER_SECRET:16
  RASA_API_TOKEN:24
  STAFF_SECRET_KEY:32
  SOCKETIO_SESSION_KEY:32
  SENDER_TAG_KEY:32
)

random_hex() {
  od -An -vtx1 -N"$1" /dev/urandom | tr -d ' \n'
}

touch "$env_file"
chmod 600 "$env_file"
# A last line without its newline would run into the first one added.
if [ -s "$env_file" ] && [ -n "$(tail -c1 "$env_file")" ]; then
  echo >> "$env_file"
fi

added=()
for secret in "${secrets[@]}"; do
  name="${secret%%:*}"
  if grep -q "^${name}=." "$env_file"; then
    continue
  fi
  if grep -qx "${name}=" "$env_file"; then  # empty: its line goes, the new one comes
    kept="$(mktemp "$env_file.XXXXXX")"
    grep -vx "${name}=" "$env_file" > "$kept" || true
    mv "$kept" "$env_file"
  fi
  echo "${name}=$(random_hex "${secret##*:}")" >> "$env_file"
  added+=("$name")
done

if [ "${#added[@]}" -gt 0 ]; then
  echo "secrets: ${added[*]} written to $env_file (readable by you only)"
else
  echo "secrets: $env_file has every secret already; nothing changed"
fi
