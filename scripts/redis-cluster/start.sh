#!/usr/bin/env bash
# Starts a throw-away Redis Cluster on loopback for the cluster test tier: three masters (no
# replicas, no persistence), each in its own directory under OMNIBOT_REDIS_CLUSTER_DIR, joined with
# `redis-cli --cluster create`. Waits until every node reports cluster_state:ok with all 16384 slots
# assigned and every node known, then prints `REDIS_CLUSTER_NODES=host:port,...` on stdout (progress
# goes to stderr) and writes the same line to $OMNIBOT_REDIS_CLUSTER_DIR/redis-cluster.env.
#
# Idempotent: a healthy cluster already started here on the same ports is reused; anything else
# left by an earlier run is stopped and wiped first.
#
# Env: OMNIBOT_REDIS_CLUSTER_PORTS    space- or comma-separated ports (default "7101 7102 7103")
#      OMNIBOT_REDIS_CLUSTER_DIR      working directory (default ${TMPDIR:-/tmp}/omnibot-redis-cluster)
#      OMNIBOT_REDIS_CLUSTER_TIMEOUT  seconds allowed for each wait (default 30)
#      OMNIBOT_REDIS_CLUSTER_FRESH=1  never reuse: always stop, wipe and start again
#      OMNIBOT_REDIS_CLUSTER_PASSWORD every node requires this password (AUTH; the nodes use it too)
#      OMNIBOT_REDIS_CLUSTER_TLS=1    TLS only, cluster bus included: a throw-away CA and node certificate
#                                     (127.0.0.1) in $OMNIBOT_REDIS_CLUSTER_DIR/tls; the env file then also
#                                     holds REDIS_CLUSTER_TLS=1 and REDIS_CLUSTER_TLS_CA_FILE
set -euo pipefail
# Settings (cluster_dir and marker are the same in stop.sh).
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cluster_dir="${OMNIBOT_REDIS_CLUSTER_DIR:-${TMPDIR:-/tmp}/omnibot-redis-cluster}"
# Written at start: only a directory holding it is ever wiped by stop.sh.
marker="$cluster_dir/.omnibot-redis-cluster"
env_file="$cluster_dir/redis-cluster.env"
timeout_s="${OMNIBOT_REDIS_CLUSTER_TIMEOUT:-30}"
read -r -a ports <<<"${OMNIBOT_REDIS_CLUSTER_PORTS:-7101 7102 7103}"
[[ "${#ports[@]}" == 1 ]] && IFS=, read -r -a ports <<<"${ports[0]}"
nodes="$(printf '127.0.0.1:%s,' "${ports[@]}")"
nodes="${nodes%,}"
for port in "${ports[@]}"; do
  # The cluster bus listens on port + 10000.
  [[ "$port" =~ ^[0-9]+$ ]] && ((port >= 1024 && port <= 55535)) ||
    { echo "redis-cluster: bad port '$port' in OMNIBOT_REDIS_CLUSTER_PORTS (1024-55535)" >&2; exit 1; }
done
((${#ports[@]} >= 3)) || { echo "redis-cluster: a cluster needs at least 3 masters (ports)" >&2; exit 1; }

log() { printf 'redis-cluster: %s\n' "$*" >&2; }
fail() {
  log "$*"
  for port in "${ports[@]}"; do
    [[ -f "$cluster_dir/$port/redis.log" ]] && { log "--- last lines of $port/redis.log"; tail -5 "$cluster_dir/$port/redis.log" >&2; }
  done
  "$script_dir/stop.sh" >&2 || true
  exit 1
}

# Polls `check` (a function name, then its arguments) every 0.1 s until it succeeds or the deadline.
wait_until() {
  local what="$1"
  shift
  local deadline=$((SECONDS + timeout_s))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
  log "$what"
}

# How redis-cli reaches the nodes (AUTH, TLS); stop.sh reads the same from $cluster_dir/cli.args.
cli_args=()
[[ -n "${OMNIBOT_REDIS_CLUSTER_PASSWORD:-}" ]] && cli_args+=(-a "$OMNIBOT_REDIS_CLUSTER_PASSWORD" --no-auth-warning)
tls_dir="$cluster_dir/tls"
[[ "${OMNIBOT_REDIS_CLUSTER_TLS:-0}" == 1 ]] && cli_args+=(--tls --cacert "$tls_dir/ca.crt")
node_cli() { timeout 5 redis-cli -h 127.0.0.1 -p "$1" "${cli_args[@]}" "${@:2}"; }
answers_ping() { [[ "$(node_cli "$1" ping 2>/dev/null)" == PONG ]]; }
# A node that gave up (e.g. its cluster bus port taken) says so in its log: no point waiting.
node_aborted() { grep -qE 'aborting|Fatal|FATAL' "$cluster_dir/$1/redis.log" 2>/dev/null; }
all_answer_ping() {
  for port in "${ports[@]}"; do
    node_aborted "$port" && fail "the node on port $port gave up"
    answers_ping "$port" || return 1
  done
}
cluster_ready_on() {
  local info
  info="$(node_cli "$1" cluster info 2>/dev/null | tr -d '\r')" || return 1
  grep -qx 'cluster_state:ok' <<<"$info" &&
    grep -qx 'cluster_slots_assigned:16384' <<<"$info" &&
    grep -qx "cluster_known_nodes:${#ports[@]}" <<<"$info"
}
cluster_ready() { for port in "${ports[@]}"; do cluster_ready_on "$port" || return 1; done; }
# A node of ours: its pid file names a live redis-server.
ours_alive() {
  local pid_file="$cluster_dir/$1/redis.pid"
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == redis-server ]]
}
all_ours_alive() { for port in "${ports[@]}"; do ours_alive "$port" || return 1; done; }

print_nodes() {
  local line="REDIS_CLUSTER_NODES=$nodes"
  printf '%s\n' "$line" >"$env_file"
  if [[ "${OMNIBOT_REDIS_CLUSTER_TLS:-0}" == 1 ]]; then
    printf 'REDIS_CLUSTER_TLS=1\nREDIS_CLUSTER_TLS_CA_FILE=%s\n' "$tls_dir/ca.crt" >>"$env_file"
  fi
  printf '%s\n' "$line"
}

# A CA and one certificate for every node (127.0.0.1), valid two days: for this cluster only.
make_certificates() {
  command -v openssl >/dev/null || fail "OMNIBOT_REDIS_CLUSTER_TLS=1 needs openssl"
  mkdir -p "$tls_dir"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$tls_dir/ca.key" -out "$tls_dir/ca.crt" -days 2 \
    -subj "/CN=omnibot throw-away cluster CA" 2>/dev/null &&
    openssl req "${ec[@]}" -keyout "$tls_dir/node.key" -out "$tls_dir/node.csr" -subj "/CN=127.0.0.1" 2>/dev/null &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls_dir/san.ext" &&
    openssl x509 -req -in "$tls_dir/node.csr" -CA "$tls_dir/ca.crt" -CAkey "$tls_dir/ca.key" -CAcreateserial \
      -out "$tls_dir/node.crt" -days 2 -extfile "$tls_dir/san.ext" 2>/dev/null ||
    fail "openssl could not make the certificates"
}

command -v redis-server >/dev/null || { log "redis-server is not installed"; exit 1; }
command -v redis-cli >/dev/null || { log "redis-cli is not installed"; exit 1; }

if [[ "${OMNIBOT_REDIS_CLUSTER_FRESH:-0}" != 1 && -f "$marker" ]] &&
  [[ "$(cat "$cluster_dir/ports" 2>/dev/null)" == "${ports[*]}" ]] && all_ours_alive && cluster_ready; then
  log "reusing the healthy cluster in $cluster_dir"
  print_nodes
  exit 0
fi
if [[ -e "$cluster_dir" ]]; then
  log "stopping and wiping what an earlier run left in $cluster_dir"
  "$script_dir/stop.sh" >&2
fi
# Each node needs its port and its cluster bus port (port + 10000) free on loopback.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "${ports[@]}"; do
  for taken in "$port" "$((port + 10000))"; do
    if port_in_use "$taken"; then
      log "port $taken is already in use: pick other ports with OMNIBOT_REDIS_CLUSTER_PORTS"
      exit 1
    fi
  done
done

mkdir -p "$cluster_dir"
chmod 700 "$cluster_dir" # it may hold the password (cli.args) and the CA's key
: >"$marker"
printf '%s\n' "${ports[*]}" >"$cluster_dir/ports"
printf '%s\n' "${cli_args[@]}" >"$cluster_dir/cli.args"
server_args=()
if [[ -n "${OMNIBOT_REDIS_CLUSTER_PASSWORD:-}" ]]; then
  server_args+=(--requirepass "$OMNIBOT_REDIS_CLUSTER_PASSWORD" --masterauth "$OMNIBOT_REDIS_CLUSTER_PASSWORD")
fi
if [[ "${OMNIBOT_REDIS_CLUSTER_TLS:-0}" == 1 ]]; then
  make_certificates
  server_args+=(--tls-cluster yes --tls-replication yes --tls-auth-clients no
    --tls-cert-file "$tls_dir/node.crt" --tls-key-file "$tls_dir/node.key" --tls-ca-cert-file "$tls_dir/ca.crt")
fi
for port in "${ports[@]}"; do
  node_dir="$cluster_dir/$port"
  mkdir -p "$node_dir"
  # TLS: the port speaks TLS only (no plain port).
  port_args=(--port "$port")
  [[ "${OMNIBOT_REDIS_CLUSTER_TLS:-0}" == 1 ]] && port_args=(--port 0 --tls-port "$port")
  # --dir first: the pid, log and cluster config files are written inside it.
  redis-server --dir "$node_dir" "${port_args[@]}" "${server_args[@]}" --bind 127.0.0.1 \
    --daemonize yes --pidfile "$node_dir/redis.pid" --logfile "$node_dir/redis.log" \
    --cluster-enabled yes --cluster-config-file "$node_dir/nodes.conf" --cluster-node-timeout 5000 \
    --save "" --appendonly no ||
    fail "redis-server on port $port did not start"
done
wait_until "${#ports[@]} nodes answer PING" all_answer_ping || fail "the nodes did not answer PING within ${timeout_s}s"

addresses=()
for port in "${ports[@]}"; do addresses+=("127.0.0.1:$port"); done
timeout "$timeout_s" redis-cli "${cli_args[@]}" --cluster create "${addresses[@]}" --cluster-replicas 0 --cluster-yes \
  >"$cluster_dir/create.log" 2>&1 || {
  cat "$cluster_dir/create.log" >&2
  fail "redis-cli --cluster create failed"
}
wait_until "cluster_state:ok on every node" cluster_ready || fail "the cluster was not ok on every node within ${timeout_s}s"
print_nodes
