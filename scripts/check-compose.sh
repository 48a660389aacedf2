#!/usr/bin/env bash
# Checks docker-compose.yml against the official compose-spec JSON schema (the copy vendored by
# check-jsonschema, PyPI), as written and after interpolation, and that the variables it requires
# are really required (scripts/check-compose.py). No Docker engine needed.
#
# Env (optional): OMNIBOT_COMPOSE_CHECK_VENV (default ~/.cache/omnibot/compose-check-venv).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${OMNIBOT_COMPOSE_CHECK_VENV:-$HOME/.cache/omnibot/compose-check-venv}"
wanted="check-jsonschema==0.39.0"
marker="$venv/.omnibot-install"

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9 # one install at a time per machine
if [[ ! -f "$marker" || "$(cat "$marker")" != "$wanted" || ! -x "$venv/bin/check-jsonschema" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wanted"
  echo "$wanted" >"$marker"
fi
exec 9>&-

export PYTHONDONTWRITEBYTECODE=1
cd "$repo"
"$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
"$venv/bin/python" scripts/check-compose.py docker-compose.yml
