#!/usr/bin/env bash
# The quick loop while changing code: lint, types and the unit tests (no servers, no
# browser; PostgreSQL, Redis and RabbitMQ are used where a test needs them). `make test`
# runs everything, as CI does. One file: `.venv/bin/pytest tests/components/test_scope_guard.py`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

bash scripts/setup.sh

bash scripts/lint.sh

step "pytest (unit tests: not integration, not browser)"
pytest -q -m "not integration and not browser" "$@"
