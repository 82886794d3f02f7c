#!/usr/bin/env bash
# The quick loop while changing code: lint, types and the unit tests, tests/unit/ (no
# servers, no browser; PostgreSQL, Redis and RabbitMQ are used where a test needs them).
# The markers decide: the tests marked `integration` or `browser` are left out, and
# tests/conftest.py refuses such a test under tests/unit/. `make test` runs everything, as
# CI does. Arguments go to pytest instead of tests/unit:
#   bash scripts/test_fast.sh tests/unit/staff/test_edits.py -k downtime
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

bash scripts/setup.sh

bash scripts/lint.sh

step "pytest (unit tests: tests/unit/, not integration, not browser)"
pytest -q -m "not integration and not browser" "${@:-tests/unit}"
