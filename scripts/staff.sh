#!/usr/bin/env bash
# The staff app's commands, each after the set-up (scripts/setup.sh):
#   serve        the staff app alone on STAFF_HOST:STAFF_PORT (make staff)
#   user NAME    create a staff account or give it a new password (make staff-user NAME=...):
#                asks for the password twice, or takes STAFF_PASSWORD from the environment
#   check        the plain-words checks of the data, and Rasa's own (make check)
#   publish      retrain, test and load the new model into the running Rasa server (make publish)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

command="${1:-}"
shift || true

bash scripts/setup.sh >&2

case "$command" in
  serve)
    exec python -m launcher role staff
    ;;
  user)
    if [ -z "${1:-}" ]; then
      echo "staff-user: name the account, for example: make staff-user NAME=ana" >&2
      exit 2
    fi
    exec python -m staff.accounts "$1"
    ;;
  check)
    exec python -m staff.checks "$@"
    ;;
  publish)
    exec python -m staff.publish "$@"
    ;;
  *)
    echo "usage: scripts/staff.sh serve | user NAME | check | publish" >&2
    exit 2
    ;;
esac
