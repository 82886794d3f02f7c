#!/usr/bin/env bash
# Train the model when the training data, domain, config or spaCy pipeline changed, and
# print the model's path. The model's name is the hash of its inputs, so an unchanged
# project reuses the model it has.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# data/safety/ is read by the safety guard when the server starts: no retraining for it.
inputs="$(find config.yml domain.yml data nlp/entities.yml nlp/build_pipeline.py requirements.txt \
  components nlp/wordllama_files.py \
  -path data/safety -prune -o \
  -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.txt' \) -print | LC_ALL=C sort)"
# shellcheck disable=SC2086
hash="$(sha256sum $inputs | sha256sum | cut -c1-12)"
name="clinic-$hash"
model="$ROOT/models/$name.tar.gz"
if [ -f "$model" ]; then
  echo "train: data and config unchanged, using $model" >&2
else
  echo "train: training $name (data or config changed); this takes a few minutes" >&2
  rasa train --config config.yml --domain domain.yml --data data --out models \
    --fixed-model-name "$name" >&2
  # Keep the three newest models, so a rollback to a recent one stays possible.
  ls -1t models/clinic-*.tar.gz 2>/dev/null | tail -n +4 | xargs -r rm -f
fi
echo "$model"
