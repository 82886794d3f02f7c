#!/usr/bin/env bash
# Lint, format and types of every package: what `make test` and `make test-fast` both run
# first (the set-up already done).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

step "ruff"
ruff check .
ruff format --check .

step "mypy"
mypy actions bench channels clinic components evaluation launcher nlp scripts staff stores tests web
