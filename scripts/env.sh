# Settings of the scripts, with defaults that work on one machine. Sourced by the other
# scripts; every value can be overridden from the environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export VENV="${VENV:-$ROOT/.venv}"
export PYTHON_VERSION="${PYTHON_VERSION:-3.10}"

export RASA_HOST="${RASA_HOST:-127.0.0.1}"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTION_SERVER_HOST="${ACTION_SERVER_HOST:-127.0.0.1}"
export ACTION_SERVER_PORT="${ACTION_SERVER_PORT:-5055}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://$ACTION_SERVER_HOST:$ACTION_SERVER_PORT/webhook}"
export TRACKER_DB="${TRACKER_DB:-$ROOT/var/tracker.db}"
export CLINIC_CONFIG="${CLINIC_CONFIG:-$ROOT/clinic.yml}"

# Rasa and TensorFlow: no telemetry (no network here), quieter logs, local cache.
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::PendingDeprecationWarning}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

export PATH="$VENV/bin:$PATH"
