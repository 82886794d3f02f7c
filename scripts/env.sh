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
# The secret the Rasa server sends the action server on every call (endpoints.yml); a new
# random one for each start unless set (set it to the same value on every server of a
# deployment).
export ACTION_SERVER_SECRET="${ACTION_SERVER_SECRET:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
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

# The demo clinic page with the chat widget (web/), and the address its widget connects to.
export WEB_HOST="${WEB_HOST:-127.0.0.1}"
export WEB_PORT="${WEB_PORT:-8080}"
export RASA_SOCKET_URL="${RASA_SOCKET_URL:-http://localhost:$RASA_PORT}"
# Origins allowed to open the socket.io channel: the demo page's, never "*".
export SOCKETIO_CORS_ORIGINS="${SOCKETIO_CORS_ORIGINS:-http://localhost:$WEB_PORT,http://127.0.0.1:$WEB_PORT}"

# Messaging channels (credentials.yml reads these). Empty means the channel is off: its
# webhook answers 404 and the server still starts. docs/channels/ says how to set each one.
for var in FACEBOOK_VERIFY_TOKEN FACEBOOK_APP_SECRET FACEBOOK_PAGE_ACCESS_TOKEN \
  SLACK_BOT_TOKEN SLACK_SIGNING_SECRET \
  TELEGRAM_BOT_TOKEN TELEGRAM_SECRET_TOKEN \
  TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_WEBHOOK_URL \
  WHATSAPP_VERIFY_TOKEN WHATSAPP_APP_SECRET WHATSAPP_ACCESS_TOKEN WHATSAPP_PHONE_NUMBER_ID; do
  export "$var=${!var:-}"
done

# Debian's Chromium, driven headless by the browser tests and `make screenshot`.
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

# Storage (stores/): empty means the embedded defaults, a SQLite file (TRACKER_DB) and locks
# in memory. DATABASE_URL=postgresql://... and REDIS_URL=redis://... switch to PostgreSQL
# and Redis, which several servers or SANIC_WORKERS above 1 need.
export DATABASE_URL="${DATABASE_URL:-}"
export DATABASE_SCHEMA="${DATABASE_SCHEMA:-}"
export REDIS_URL="${REDIS_URL:-}"
export LOCK_STORE_PREFIX="${LOCK_STORE_PREFIX:-clinic}"
export EVENT_BROKER_URL="${EVENT_BROKER_URL:-}"

# Input limits: a visitor's message of more than MAX_MESSAGE_CHARS characters gets a polite
# answer instead of being read (channels/limits.py); a request body above
# SANIC_REQUEST_MAX_SIZE bytes is refused with 413 by Sanic itself.
export MAX_MESSAGE_CHARS="${MAX_MESSAGE_CHARS:-1000}"
export SANIC_REQUEST_MAX_SIZE="${SANIC_REQUEST_MAX_SIZE:-1000000}"
# How long the Rasa server waits for an unreachable database before telling the visitor to
# try again (stores/tracker.py).
export DATABASE_WAIT_SECONDS="${DATABASE_WAIT_SECONDS:-10}"

# The staff app (staff/, `make staff`; `make run` starts it too unless STAFF_APP=0): where
# it listens (this machine only by default), its database of accounts, sessions and
# history, the folder of published models, the project whose data/ staff edit, and the
# confidence below which the Review page flags a message. STAFF_SECRET_KEY signs its
# cookies (empty: a random key kept in var/staff-secret); STAFF_HTTPS=1 when it is served
# over https (its cookie is then Secure). RASA_API_TOKEN: the Rasa server's HTTP API token,
# which the staff app loads published models with; empty: `make run` makes a new one at
# each start.
export STAFF_APP="${STAFF_APP:-1}"
export STAFF_HOST="${STAFF_HOST:-127.0.0.1}"
export STAFF_PORT="${STAFF_PORT:-8090}"
export STAFF_DB="${STAFF_DB:-$ROOT/var/staff.db}"
export STAFF_MODELS="${STAFF_MODELS:-$ROOT/models/published}"
export STAFF_DATA_ROOT="${STAFF_DATA_ROOT:-$ROOT}"
export STAFF_LOW_CONFIDENCE="${STAFF_LOW_CONFIDENCE:-0.6}"
export STAFF_SECRET_KEY="${STAFF_SECRET_KEY:-}"
export STAFF_HTTPS="${STAFF_HTTPS:-0}"
export RASA_API_TOKEN="${RASA_API_TOKEN:-}"
