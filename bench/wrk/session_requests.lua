-- wrk script of the API benchmark: every request as another signed-in learner.
--
--   wrk -t T -c C -d 10s -s bench/wrk/session_requests.lua http://127.0.0.1:PORT \
--       -- METHOD PATH CREDENTIALS_FILE THREADS FIRST BODY
--
-- CREDENTIALS_FILE has one "session_key csrf_token" pair a line (bench/api_child.py seed).
-- Thread i (of THREADS) sends the learners FIRST + i, FIRST + i + THREADS, ... (counted from 0)
-- so that no learner is used twice while the file lasts; past its end the learners are used
-- again and the run reports "wrapped" (a POST run then no longer measures new learners).
-- BODY is sent with every request unless empty.
-- When done, prints one line: "BENCH_RESULT <json>" (latencies in microseconds).

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  method = args[1]
  path = args[2]
  stride = tonumber(args[4])
  first = tonumber(args[5])
  body = args[6]
  if body == "" then
    body = nil
  end
  learners = {}
  for line in io.lines(args[3]) do
    local session, csrf = line:match("^(%S+) (%S+)$")
    if session then
      table.insert(learners, {session = session, csrf = csrf})
    end
  end
  next_index = first + id
  wrapped = 0
end

function request()
  if next_index >= #learners then
    next_index = next_index % #learners
    wrapped = 1
  end
  local learner = learners[next_index + 1]
  next_index = next_index + stride
  local headers = {
    ["Cookie"] = "sessionid=" .. learner.session .. "; csrftoken=" .. learner.csrf,
    ["Accept"] = "application/json",
  }
  if method ~= "GET" then
    headers["X-CSRFToken"] = learner.csrf
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  local any_wrapped = 0
  for _, thread in ipairs(threads) do
    if thread:get("wrapped") == 1 then
      any_wrapped = 1
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "non_2xx_3xx": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, errors.status, errors.connect,
    errors.read, errors.write, errors.timeout, any_wrapped))
end
