#!/usr/bin/env bash
# Stops the Redis Cluster started by start.sh (every node whose pid file is in the working
# directory: SHUTDOWN NOSAVE, then TERM, then KILL, each with a deadline) and removes the directory.
# Idempotent: nothing to stop is not an error.
#
# Env: OMNIBOT_REDIS_CLUSTER_DIR  working directory (default ${TMPDIR:-/tmp}/omnibot-redis-cluster)
set -euo pipefail
cluster_dir="${OMNIBOT_REDIS_CLUSTER_DIR:-${TMPDIR:-/tmp}/omnibot-redis-cluster}"
marker="$cluster_dir/.omnibot-redis-cluster"

log() { printf 'redis-cluster: %s\n' "$*" >&2; }

if [[ ! -e "$cluster_dir" ]]; then
  log "nothing to stop ($cluster_dir does not exist)"
  exit 0
fi
if [[ ! -f "$marker" ]]; then
  log "$cluster_dir was not made by start.sh (no marker): left alone"
  exit 1
fi

# A live redis-server with that pid (a recycled pid of another program is never signalled).
is_redis() { [[ "$1" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == redis-server ]]; }
wait_gone() { # pid, tenths of a second
  local i
  for ((i = 0; i < $2; i++)); do
    is_redis "$1" || return 0
    sleep 0.1
  done
  ! is_redis "$1"
}

# How start.sh made redis-cli reach the nodes (AUTH, TLS): one argument per line.
cli_args=()
[[ -f "$cluster_dir/cli.args" ]] && mapfile -t cli_args < <(grep -v '^$' "$cluster_dir/cli.args")

stopped=0
shopt -s nullglob
for pid_file in "$cluster_dir"/*/redis.pid; do
  port="$(basename "$(dirname "$pid_file")")"
  pid="$(cat "$pid_file")"
  is_redis "$pid" || continue
  timeout 5 redis-cli -h 127.0.0.1 -p "$port" "${cli_args[@]}" shutdown nosave >/dev/null 2>&1 || true
  if ! wait_gone "$pid" 50; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null || true
  fi
  stopped=$((stopped + 1))
done
rm -rf -- "$cluster_dir"
log "stopped $stopped node(s), removed $cluster_dir"
