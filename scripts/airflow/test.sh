#!/usr/bin/env bash
# The Airflow tier: install the venv (if needed) -> start a real Airflow -> DAG import checks
# (python) -> npm run test:airflow (vitest) -> stop Airflow (always). Exits non-zero on any failure.
#
# Needs: python3.11 (or OMNIBOT_AIRFLOW_PYTHON), PyPI, node_modules (npm ci), Redis at
# 127.0.0.1:6379 for the gateway test. The tests set the DAGs' Airflow Variables themselves.
# Env (optional): OMNIBOT_AIRFLOW_VENV, OMNIBOT_AIRFLOW_HOME, OMNIBOT_AIRFLOW_PORT (see start.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
t0=$(date +%s)
phase() { echo "== airflow tier: $1 ($(($(date +%s) - t0))s)"; }

export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the repo
# Fast retries for the tests (the DAG defaults are 2 retries, 10 s apart).
export OMNIBOT_TASK_RETRIES="${OMNIBOT_TASK_RETRIES:-1}"
export OMNIBOT_RETRY_DELAY_SECONDS="${OMNIBOT_RETRY_DELAY_SECONDS:-1}"
export OMNIBOT_CALLBACK_BACKOFF_SECONDS="${OMNIBOT_CALLBACK_BACKOFF_SECONDS:-0.5}"
export OMNIBOT_AIRFLOW_HOME="${OMNIBOT_AIRFLOW_HOME:-${TMPDIR:-/tmp}/omnibot-airflow-test}"
# The scheduled DAG notificar_cambios_ot runs once when unpaused, then not again during the tier: its
# test triggers each run itself (test/airflow/notify.test.ts).
export NOTIFY_INTERVAL_MINUTES=1440
# The tests set Variables through the REST API; AIRFLOW_VAR_* in the env would take precedence.
unset AIRFLOW_VAR_CMMS_URL AIRFLOW_VAR_CMMS_TOKEN AIRFLOW_VAR_CMMS_USERNAME AIRFLOW_VAR_CMMS_PASSWORD \
  AIRFLOW_VAR_CMMS_API_PREFIX AIRFLOW_VAR_OMNIBOT_CALLBACK_SECRET AIRFLOW_VAR_OMNIBOT_CREDENTIALS_URL \
  AIRFLOW_VAR_OMNIBOT_NOTIFY_URL AIRFLOW_VAR_OMNIBOT_NOTIFY_INTERVAL_MINUTES OMNIBOT_NOTIFY_URL

phase "install"
bash "$here/install.sh"
venv="${OMNIBOT_AIRFLOW_VENV:-$HOME/.cache/omnibot/airflow-venv}"
if [[ -z "${OMNIBOT_AIRFLOW_PORT:-}" ]]; then
  OMNIBOT_AIRFLOW_PORT="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  export OMNIBOT_AIRFLOW_PORT
fi

results="$(mktemp -d)"
phase "DAG import checks"
py_status=0
# test/airflow/cmms-parity.test.ts runs the DAGs' CMMS client with this Python (it has `requests`).
export OMNIBOT_PYTHON="$venv/bin/python"
"$venv/bin/python" test/airflow/check_dags.py 2> >(grep -v -E '^\S+Z \[(info|debug|warning) ' >&2) | tee "$results/python.txt" || py_status=$?

status=0
on_exit() {
  local rc=$?
  if [[ $rc != 0 ]]; then
    echo "== airflow tier failed; last Airflow log lines:" >&2
    for log in scheduler dag-processor api-server; do
      echo "--- $log" >&2
      tail -n 20 "$OMNIBOT_AIRFLOW_HOME/logs/$log.log" 2>/dev/null >&2 || true
    done
  fi
  bash "$here/stop.sh" || true
  echo "== airflow tier: done in $(($(date +%s) - t0))s (exit $rc)"
  # One closing line for the whole tier: python checks + vitest.
  "$venv/bin/python" - "$results" <<'PY' || true
import json, os, re, sys
d = sys.argv[1]
passed = failed = 0
try:
    m = re.search(r"^(\d+) passed, (\d+) failed$", open(os.path.join(d, "python.txt")).read(), re.M)
    passed, failed = int(m.group(1)), int(m.group(2))
except Exception:
    failed += 1
try:
    v = json.load(open(os.path.join(d, "vitest.json")))
    passed += v["numPassedTests"]
    failed += v["numFailedTests"] + (0 if v["numTotalTests"] else 1)
except Exception:
    failed += 1
print(f"airflow: {passed} passed, {failed} failed")
PY
  rm -rf "$results"
}
trap on_exit EXIT

phase "start"
bash "$here/start.sh"
set -a
# shellcheck disable=SC1091
source "$OMNIBOT_AIRFLOW_HOME/omnibot-airflow.env"
set +a

phase "npm run test:airflow"
npm run test:airflow -- --reporter=default --reporter=json --outputFile.json="$results/vitest.json" || status=$?
[[ $py_status == 0 ]] || status=$py_status
exit "$status"
