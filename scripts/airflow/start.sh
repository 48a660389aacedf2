#!/usr/bin/env bash
# Starts a local Airflow 3 for development and tests: api-server, scheduler (LocalExecutor) and
# dag-processor, on loopback only, SQLite in a fresh AIRFLOW_HOME, DAGs from the repo's dags/,
# examples off, DAGs unpaused at creation, fast parsing. Waits until healthy and the omnibot DAGs
# are parsed, then writes $AIRFLOW_HOME/omnibot-airflow.env (AIRFLOW_URL, AIRFLOW_USERNAME,
# AIRFLOW_PASSWORD, AIRFLOW_HOME) for the gateway and the tests.
#
# Env: OMNIBOT_AIRFLOW_VENV   venv made by install.sh (default ~/.cache/omnibot/airflow-venv)
#      OMNIBOT_AIRFLOW_HOME   AIRFLOW_HOME (default ${TMPDIR:-/tmp}/omnibot-airflow; wiped at start)
#      OMNIBOT_AIRFLOW_PORT   api-server port on 127.0.0.1 (default 8080, or a free port if taken)
#      AIRFLOW_USERNAME       admin user of the simple auth manager (default omnibot)
#      AIRFLOW_PASSWORD       its password (default: random, written to the env file)
#      OMNIBOT_AIRFLOW_START_TIMEOUT  seconds to wait for readiness (default 180)
#      AIRFLOW_VAR_*          passed through: Airflow Variables for the DAGs (see dags/omnibot_common/settings.py)
#      OMNIBOT_TASK_RETRIES, OMNIBOT_RETRY_DELAY_SECONDS, ...: DAG task tuning, passed through
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
started_at=$(date +%s)

if [[ ! -x "$venv/bin/airflow" ]]; then
  echo "no Airflow venv at $venv: run scripts/airflow/install.sh first" >&2
  exit 1
fi
if [[ -d "$pid_dir" ]] && compgen -G "$pid_dir/*.pid" >/dev/null; then
  echo "stopping the previous Airflow in $airflow_home"
  "$repo/scripts/airflow/stop.sh" || true
fi

free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_taken() { "$venv/bin/python" -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$1"; }

port="${OMNIBOT_AIRFLOW_PORT:-8080}"
if [[ -z "${OMNIBOT_AIRFLOW_PORT:-}" ]] && port_taken "$port"; then port="$(free_port)"; fi
username="${AIRFLOW_USERNAME:-omnibot}"
password="${AIRFLOW_PASSWORD:-$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(18))')}"
base_url="http://127.0.0.1:$port"

rm -rf "$airflow_home"
mkdir -p "$airflow_home/logs" "$pid_dir"
# Known credentials: the simple auth manager keeps passwords already in its file.
"$venv/bin/python" -c 'import json,sys; json.dump({sys.argv[1]: sys.argv[2]}, open(sys.argv[3], "w"))' \
  "$username" "$password" "$airflow_home/passwords.json"
chmod 600 "$airflow_home/passwords.json"

export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the repo's dags/
export AIRFLOW_HOME="$airflow_home"
export AIRFLOW__CORE__DAGS_FOLDER="$repo/dags"
# The DAGs read the workflow catalog shared with the gateway (dags/omnibot_common/catalog.py).
export OMNIBOT_WORKFLOW_CATALOG="$repo/workflows/catalog.json"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM="${OMNIBOT_AIRFLOW_PARALLELISM:-4}"
export AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$username:admin"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$airflow_home/passwords.json"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="$base_url/execution/"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$airflow_home/airflow.db"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$port"
export AIRFLOW__API__BASE_URL="$base_url"
export AIRFLOW__API__WORKERS=1
export AIRFLOW__API__EXPOSE_CONFIG=False
export AIRFLOW__API__SECRET_KEY="$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
export AIRFLOW__API_AUTH__JWT_SECRET="$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))')"
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="$(free_port)"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5
export AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL=30
export AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES=1
export AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC=2
export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
export AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL=5

"$venv/bin/airflow" db migrate >"$airflow_home/logs/db-migrate.log" 2>&1 || {
  echo "airflow db migrate failed; see $airflow_home/logs/db-migrate.log" >&2
  tail -20 "$airflow_home/logs/db-migrate.log" >&2
  exit 1
}

launch() { # name, airflow args...
  local name="$1"
  shift
  setsid "$venv/bin/airflow" "$@" >"$airflow_home/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$pid_dir/$name.pid"
}
launch api-server api-server --host 127.0.0.1 --port "$port"
launch scheduler scheduler
launch dag-processor dag-processor

cat >"$env_file" <<ENV
AIRFLOW_URL=$base_url
AIRFLOW_USERNAME=$username
AIRFLOW_PASSWORD=$password
AIRFLOW_HOME=$airflow_home
ENV
chmod 600 "$env_file"

if ! "$venv/bin/python" "$repo/scripts/airflow/wait_ready.py" "$base_url" "$username" "$password" \
  --timeout "${OMNIBOT_AIRFLOW_START_TIMEOUT:-180}" --pid-dir "$pid_dir"; then
  echo "Airflow did not become ready; last log lines:" >&2
  for log in api-server scheduler dag-processor; do
    echo "--- $log" >&2
    tail -15 "$airflow_home/logs/$log.log" >&2 || true
  done
  "$repo/scripts/airflow/stop.sh" || true
  exit 1
fi
echo "Airflow ready at $base_url in $(($(date +%s) - started_at))s (env: $env_file)"
