#!/usr/bin/env bash
# Creates (or reuses) the Airflow venv outside the repo clone so that every clone on this machine,
# CI included, shares it. The venv is rebuilt when requirements-airflow.txt or the Python changes.
#
# Env: OMNIBOT_AIRFLOW_VENV (default ~/.cache/omnibot/airflow-venv),
#      OMNIBOT_AIRFLOW_PYTHON (default python3.11, else python3).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${OMNIBOT_AIRFLOW_VENV:-$HOME/.cache/omnibot/airflow-venv}"
requirements="$repo/requirements-airflow.txt"
python="${OMNIBOT_AIRFLOW_PYTHON:-}"
if [[ -z "$python" ]]; then
  if command -v python3.11 >/dev/null 2>&1; then python=python3.11; else python=python3; fi
fi

pyversion="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
wanted="python=$pyversion requirements=$(sha256sum "$requirements" | cut -d' ' -f1)"
marker="$venv/.omnibot-install"

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9 # one install at a time per machine

if [[ -f "$marker" && "$(cat "$marker")" == "$wanted" && -x "$venv/bin/airflow" ]]; then
  echo "airflow venv up to date: $venv ($wanted)"
  exit 0
fi

start=$(date +%s)
echo "building airflow venv at $venv with $python ($pyversion)"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r "$requirements"
"$venv/bin/airflow" version >/dev/null
echo "$wanted" >"$marker"
echo "airflow venv ready in $(($(date +%s) - start))s: apache-airflow $("$venv/bin/python" -c 'from importlib.metadata import version; print(version("apache-airflow"))')"
