#!/usr/bin/env bash
# The benchmark (bench/): set up, then train, serve, load and cross-validate the project's
# config.yml and Rasa's default configuration, and write bench/results/. About 80 minutes on
# 2 cores; run nothing else heavy meanwhile. Arguments go to `python -m bench` (--quick for a
# short try-out whose figures are not the real ones).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh
python -m bench "$@"
