-- wrk script of the web-path benchmark: POST /api/bot/message, "hola" from one of BENCH_USERS users,
-- every request with a new message_id (so the gateway processes each one: no deduplicated answer).
-- Environment: BENCH_USERS (default 1000); BENCH_FIRST_MESSAGE (number of the first message, default
-- 0; message n comes from user n % BENCH_USERS); BENCH_RUN_ID (message-id prefix, unique per run);
-- BENCH_API_KEY; BENCH_DELAY_MS (mean pause before each request on a connection: pacing); BENCH_STOP_AFTER
-- (stop after this many responses; 0: at wrk's duration).
-- done() prints one line "BENCH_RESULT {json}" that bench/wrk.ts parses.

local users = tonumber(os.getenv("BENCH_USERS") or "1000")
local first = tonumber(os.getenv("BENCH_FIRST_MESSAGE") or "0")
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "0")

wrk.method = "POST"
wrk.path = "/api/bot/message"
wrk.headers["content-type"] = "application/json"
wrk.headers["x-api-key"] = os.getenv("BENCH_API_KEY") or ""

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

-- Per-thread state (each wrk thread has its own Lua state); the counters are globals so that done()
-- can read them with thread:get.
local sent = 0
responses = 0
non2xx = 0
statuses = {}

function init(args)
  math.randomseed(os.time() + thread_number)
  sent = first + (thread_number - 1) * 1000000000
end

function request()
  local n = sent
  sent = sent + 1
  local body = string.format(
    '{"user_id":"bench-%05d","message":"hola","message_id":"%s-%d"}', n % users, run_id, n)
  return wrk.format(nil, nil, nil, body)
end

-- Pacing: each pause is drawn from an exponential distribution of mean BENCH_DELAY_MS, so the
-- connections send independently (a Poisson-like arrival, as many separate users do). A fixed pause
-- keeps the connections in step: they would send in bursts of one request each, all at once.
if delay_ms > 0 then
  function delay()
    return math.floor(-delay_ms * math.log(1 - math.random()) + 0.5)
  end
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
  if stop_after > 0 and responses == stop_after then
    -- wrk itself only stops at its duration: bench/wrk.ts sends SIGINT on this line.
    wrk.thread:stop()
    io.write("BENCH_STOPPED\n")
    io.flush()
  end
end

function done(summary, latency, requests)
  local per_thread = {}
  for _, thread in ipairs(threads) do
    local parts = {}
    for status, count in pairs(thread:get("statuses")) do
      table.insert(parts, string.format('"%d":%d', status, count))
    end
    table.insert(per_thread, string.format('{"responses":%d,"non2xx":%d,"statuses":{%s}}',
      thread:get("responses"), thread:get("non2xx"), table.concat(parts, ",")))
  end
  io.write(string.format(
    'BENCH_RESULT {"durationUs":%d,"requests":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,' ..
      '"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,' ..
      '"meanUs":%.1f,"threads":[%s]}\n',
    summary.duration, summary.requests, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean, table.concat(per_thread, ",")))
end
