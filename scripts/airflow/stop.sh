#!/usr/bin/env bash
# Stops the Airflow started by start.sh: each component's process group, by the pids it recorded.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

shopt -s nullglob
pids=()
for file in "$pid_dir"/*.pid; do
  pid="$(cat "$file")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 -- "-$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    pids+=("$pid")
  fi
  rm -f "$file"
done
for _ in $(seq 1 40); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
  [[ $alive == 0 ]] && break
  sleep 0.5
done
for pid in "${pids[@]}"; do
  kill -0 -- "-$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
done
echo "Airflow stopped (${#pids[@]} components)"
