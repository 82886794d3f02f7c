# The scripts' shell plumbing, sourced by each of them: where the project and its virtual
# environment are, PATH and PYTHONPATH, and quieter tools. The assistant's settings and
# their defaults are not here: each is read, with its default, by the settings module that
# owns it (actions/, web/, staff/, stores/, clinic/, channels/, launcher/settings.py), and
# the launcher (python -m launcher) gives the servers what joins them up.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export VENV="${VENV:-$ROOT/.venv}"
export PYTHON_VERSION="${PYTHON_VERSION:-3.10}"

# Rasa and TensorFlow: no telemetry (no network here), quieter logs, local cache.
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::PendingDeprecationWarning}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

export PATH="$VENV/bin:$PATH"
