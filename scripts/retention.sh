#!/usr/bin/env bash
# make forget SENDER=... / make purge DAYS=...: delete conversations from the tracker store
# that endpoints.yml configures (stores/retention.py says how), with the environment the
# Rasa server gets (python -m launcher env). forget first takes the visitor's words out of
# what the staff app keeps (staff/forget.py: taught examples, history, published data).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
if [[ "${1:-}" == forget ]]; then
    shift
    exec python -m launcher env python -W ignore -m staff.forget "$@"
fi
exec python -m launcher env python -W ignore -m stores.retention "$@"
