#!/usr/bin/env bash
# Set up, then every check of the project: lint, types, unit and conversation tests, data
# validation, test stories, the held-out NLU evaluation and the held-out sets of
# evaluation/ (with the calibration of the classifier), each with its thresholds.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

bash scripts/setup.sh

bash scripts/lint.sh

step "train (only if data or config changed)"
model="$(bash scripts/train.sh)"
export CLINIC_MODEL="$model"

step "rasa data validate"
rasa data validate --fail-on-warning --config config.yml --domain domain.yml --data data

step "test stories (tests/test_stories.yml)"
rm -rf results/stories
rasa test core --e2e --model "$model" --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out results/stories --no-plot

step "held-out NLU evaluation (evaluation/nlu_test.yml)"
rm -rf results/nlu
rasa test nlu --model "$model" --nlu evaluation/nlu_test.yml --out results/nlu --no-plot \
  >results/nlu.log 2>&1 || { tail -50 results/nlu.log; exit 1; }
python -m evaluation.nlu_check results/nlu

step "held-out sets (evaluation/sets/): off topic, not covered, other languages, new wording"
python -m evaluation --model "$model" --out results/understanding.json

step "pytest (tests/unit/, and tests/integration/: through the running servers)"
pytest
