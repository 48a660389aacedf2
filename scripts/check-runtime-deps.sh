#!/usr/bin/env bash
# What the production image does, without a Docker engine: the files the Dockerfile copies, into a
# temporary folder, with `npm ci --omit=dev` only; then `node main.ts` (Node 24, NODE_ENV=production,
# Redis) must answer /readyz 200 and /metrics with its token, and stop cleanly on SIGTERM. Catches a
# runtime import of a devDependency or a file missing from the image.
#
# Needs: node_modules (for Node 24: the node@24 devDependency), npm, Redis at REDIS_URL
# (default redis://127.0.0.1:6379; keys under a unique prefix, deleted afterwards).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node="$repo/node_modules/.bin/node"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
work="$(mktemp -d)"
prefix="omnibot-ci-runtime:$(basename "$work"):"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  redis-cli -u "$redis_url" --scan --pattern "${prefix}*" | xargs -r redis-cli -u "$redis_url" del >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cd "$repo"
# The sources of the Dockerfile's COPY lines (not the one from the deps stage), same layout.
grep -E '^COPY ' Dockerfile | grep -v -- '--from' | while read -r _ args; do
  read -ra parts <<<"$args"
  for source in "${parts[@]:0:${#parts[@]}-1}"; do cp -r --parents "$source" "$work/"; done
done
cp package-lock.json "$work/"
(cd "$work" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)

port="$("$node" -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
token="metrics-$RANDOM$RANDOM"
(
  cd "$work"
  exec env -i PATH="$PATH" NODE_ENV=production HOST=127.0.0.1 PORT="$port" LOG_LEVEL=warn \
    REDIS_URL="$redis_url" REDIS_KEY_PREFIX="$prefix" SESSION_SECRET="session-$RANDOM$RANDOM" \
    IDENTITY_KEY="identity-key-$RANDOM$RANDOM$RANDOM" \
    WEB_API_KEY="web-$RANDOM" METRICS_TOKEN="$token" "$node" main.ts
) &
pid=$!

"$node" - "$port" "$token" <<'JS'
const [port, token] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 30_000;
for (;;) {
  const ready = await fetch(`${base}/readyz`).then((r) => r.status, () => 0);
  if (ready === 200) break;
  if (Date.now() > deadline) throw new Error(`/readyz never answered 200 (last: ${ready})`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
const text = await metrics.text();
if (metrics.status !== 200 || !text.includes('omnibot_turn_duration_seconds')) {
  throw new Error(`/metrics answered ${metrics.status}`);
}
console.log(`production dependencies: node main.ts ready on ${base}, /metrics ok`);
JS

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
if [[ $status != 0 ]]; then
  echo "node main.ts exited with $status after SIGTERM" >&2
  exit 1
fi
echo "production dependencies: stopped cleanly on SIGTERM"
