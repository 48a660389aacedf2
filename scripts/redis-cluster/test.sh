#!/usr/bin/env bash
# The Redis Cluster tier: start a throw-away cluster (start.sh) -> npm run test:cluster (vitest, with
# REDIS_CLUSTER_NODES set and REDIS_URL unset) -> stop the cluster (always, in the EXIT trap). Exits
# non-zero on any failure; the last line is `cluster: N passed, M failed`.
#
# The cluster is secured as a managed one is: TLS only and a password (a random one per run), so every
# connection of the tier (gateways, bus, tests) goes through REDIS_CLUSTER_TLS/_TLS_CA_FILE/_PASSWORD.
# It is always a fresh one of its own (a cluster start.sh left in the same directory is stopped first):
# a test freezes one of its masters.
# Needs redis-server/redis-cli, openssl and node_modules (npm ci).
# Env (optional): OMNIBOT_REDIS_CLUSTER_PORTS, OMNIBOT_REDIS_CLUSTER_DIR (see start.sh);
#                 CLUSTER_VITEST_JSON (default artifacts/vitest-cluster.json).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
t0=$(date +%s)
phase() { echo "== cluster tier: $1 ($(($(date +%s) - t0))s)"; }

json="${CLUSTER_VITEST_JSON:-artifacts/vitest-cluster.json}"
mkdir -p "$(dirname "$json")"
rm -f "$json" # a report from an earlier run is never counted
on_exit() {
  local rc=$?
  bash "$here/stop.sh" || true
  echo "== cluster tier: done in $(($(date +%s) - t0))s (exit $rc)"
  # One closing line from vitest's JSON report. A file that failed outside its tests (a hook, an
  # import) counts as one failure; so do no report and a report without tests.
  "$repo/node_modules/.bin/node" -e '
    let passed = 0, failed = 1;
    try {
      const report = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
      const fileErrors = report.testResults.filter(
        (file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed"),
      ).length;
      passed = report.numPassedTests;
      failed = report.numFailedTests + fileErrors + (report.numTotalTests ? 0 : 1);
    } catch {}
    console.log(`cluster: ${passed} passed, ${failed} failed`);
  ' "$json" || echo "cluster: 0 passed, 1 failed"
}
trap on_exit EXIT

phase "start the cluster (TLS only, a password)"
export OMNIBOT_REDIS_CLUSTER_TLS=1 OMNIBOT_REDIS_CLUSTER_FRESH=1
OMNIBOT_REDIS_CLUSTER_PASSWORD="$(openssl rand -hex 16)"
export OMNIBOT_REDIS_CLUSTER_PASSWORD
nodes_line="$(bash "$here/start.sh")"
cluster_env="${OMNIBOT_REDIS_CLUSTER_DIR:-${TMPDIR:-/tmp}/omnibot-redis-cluster}/redis-cluster.env"
export REDIS_CLUSTER_PASSWORD="$OMNIBOT_REDIS_CLUSTER_PASSWORD"
while IFS= read -r line; do
  [[ "$line" == REDIS_CLUSTER_TLS* ]] && export "${line?}"
done <"$cluster_env"
echo "REDIS_CLUSTER_TLS=${REDIS_CLUSTER_TLS:-} REDIS_CLUSTER_TLS_CA_FILE=${REDIS_CLUSTER_TLS_CA_FILE:-} (password set)"
[[ "$nodes_line" == REDIS_CLUSTER_NODES=* ]] || { echo "start.sh printed '$nodes_line'" >&2; exit 1; }
export "${nodes_line?}"
unset REDIS_URL
echo "$nodes_line"

phase "npm run test:cluster"
npm run test:cluster -- --reporter=default --reporter=json --outputFile.json="$json"
