# Shared settings of the Airflow scripts (sourced, not run).
# shellcheck shell=bash
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${OMNIBOT_AIRFLOW_VENV:-$HOME/.cache/omnibot/airflow-venv}"
airflow_home="${OMNIBOT_AIRFLOW_HOME:-${TMPDIR:-/tmp}/omnibot-airflow}"
env_file="$airflow_home/omnibot-airflow.env"
pid_dir="$airflow_home/pids"
