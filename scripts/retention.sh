#!/usr/bin/env bash
# make forget SENDER=... / make purge DAYS=...: delete conversations from the tracker store
# that endpoints.yml configures (stores/retention.py says how), with the environment the
# Rasa server gets (python -m launcher env).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
exec python -m launcher env python -W ignore -m stores.retention "$@"
