#!/usr/bin/env bash
# Set up everything the assistant needs; safe to re-run (each step runs only when its
# inputs changed): the Python 3.10 virtual environment with the pinned packages, the
# project's spaCy pipeline, WordLlama's model files, the chat widget from npm (web/node_modules), Debian's
# Chromium for the browser tests and Debian's nginx for the sticky-session test.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

find_python() {
  # pyenv users: .python-version selects 3.10.13; otherwise any python3.10 on the PATH.
  for candidate in "python$PYTHON_VERSION" "$HOME/.pyenv/versions/$(cat .python-version 2>/dev/null)/bin/python3"; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != (3, 10))" 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "setup: Python $PYTHON_VERSION not found. Rasa 3.6 needs Python 3.10: install it" \
    "(for example 'pyenv install 3.10.13') and run this again." >&2
  return 1
}

apt_install() {
  # Debian packages, as root or through sudo; waits for another install to finish
  # (another clone's set-up, unattended upgrades) instead of failing on its lock.
  local sudo="" wait=(-o DPkg::Lock::Timeout=900)
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing Debian package(s): $*"
  $sudo apt-get "${wait[@]}" install -y -q "$@" >/dev/null || {
    $sudo apt-get "${wait[@]}" update -q >/dev/null &&
      $sudo apt-get "${wait[@]}" install -y -q "$@" >/dev/null
  }
}

# 1. Virtual environment with the pinned packages.
if [ ! -x "$VENV/bin/python" ]; then
  python_bin="$(find_python)"
  echo "setup: creating $VENV with $python_bin"
  "$python_bin" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
wanted="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: installing the pinned packages (requirements.txt); the first time takes a few minutes"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==23.3.2"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$wanted" > "$stamp"
fi

# 2. The project's spaCy pipeline (nlp/build), rebuilt when its script or patterns change.
pipeline="$ROOT/nlp/build/en_clinic"
pstamp="$ROOT/nlp/build/.inputs.sha256"
pwanted="$(cat nlp/build_pipeline.py nlp/entities.yml requirements.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$pipeline/meta.json" ] || [ "$(cat "$pstamp" 2>/dev/null)" != "$pwanted" ]; then
  "$VENV/bin/python" nlp/build_pipeline.py "$pipeline"
  echo "$pwanted" > "$pstamp"
fi

# 2b. WordLlama's embedding table and tokenizer (nlp/build/wordllama), taken out of its wheel
#     and checked (nlp/wordllama_files.py); the featuriser of config.yml reads them.
"$VENV/bin/python" nlp/wordllama_files.py "$ROOT/nlp/build/wordllama"

# 3. The chat widget: npm's rasa-webchat, pinned by web/package-lock.json, served by the
#    demo page from web/node_modules (never from a CDN).
wstamp="$ROOT/web/node_modules/.lock.sha256"
wwanted="$(sha256sum web/package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$wstamp" 2>/dev/null)" != "$wwanted" ]; then
  command -v npm >/dev/null 2>&1 || apt_install npm
  echo "setup: installing the chat widget (npm ci in web/)"
  (cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$wwanted" > "$wstamp"
fi

# 4. Debian's Chromium, which the browser tests drive (Playwright never downloads one).
if [ "${SETUP_BROWSER:-1}" = 1 ] && [ ! -x "$("$VENV/bin/python" -m launcher setting chromium)" ]; then
  apt_install chromium
fi

# 5. Debian's nginx, which the sticky-session test (tests/integration/deploy/test_sticky_sessions.py) runs
#    with deploy/nginx.conf as an unprivileged process of its own; nothing else uses it.
#    nginx-light where the release still has it, else nginx. (Where systemd runs, Debian's
#    package also starts a system nginx on port 80; SETUP_NGINX=0 skips the install.)
if [ "${SETUP_NGINX:-1}" = 1 ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if apt-cache show nginx-light >/dev/null 2>&1; then
    apt_install nginx-light
  else
    apt_install nginx
  fi
fi

# Where the SQLite tracker store, the staff app's database and the logs are kept by default,
# and the models (published ones hold the data they were trained on): this user's only.
mkdir -p "$ROOT/var" "$ROOT/models"
chmod 700 "$ROOT/var" "$ROOT/models"
