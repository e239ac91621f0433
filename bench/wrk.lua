-- Replays pre-built requests for wrk, one per line of a requests file:
--   METHOD <TAB> PATH <TAB> HEADERS ("Name: value|Name: value") <TAB> BODY
-- Arguments (after --): requests file, mode ("random" or "sequential"), success marker (a plain
-- substring every successful body contains; "" accepts any body), wrk thread count, this wrk
-- process's index and the number of wrk processes (one per server process), and the expected
-- HTTP status (default 200; the hostile scenarios expect a refusal). In sequential mode each
-- thread of each process walks its own interleaved share of the file, so no two requests touch
-- the same row.
-- A response counts as an error unless its status is the expected one and its body holds the marker.
-- done() prints one "BENCH {json}" line that licensd-bench parses, and the first failing answer
-- of each thread that had one as "FAILED <status> <body>" lines, so that an error count comes with
-- its cause.

local threads = {}
local requests = {}
local mode, marker, expected, stride, first, next_index

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = args[1]
  mode, marker = args[2], args[3] or ""
  local threads_per_process = tonumber(args[4] or "1")
  local process, processes = tonumber(args[5] or "0"), tonumber(args[6] or "1")
  expected = tonumber(args[7] or "200")
  stride = threads_per_process * processes
  first = process * threads_per_process + id + 1
  for line in io.lines(file) do
    local method, path, headers, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local h = {}
    for kv in headers:gmatch("[^|]+") do
      local k, v = kv:match("^(.-): (.*)$")
      h[k] = v
    end
    requests[#requests + 1] = wrk.format(method, path, h, body)
  end
  errors = 0
  next_index = first
  math.randomseed(os.time() + id * 7919)
end

function request()
  if mode == "sequential" then
    local r = requests[next_index]
    next_index = next_index + stride
    if next_index > #requests then next_index = first end
    return r
  end
  return requests[math.random(#requests)]
end

function response(status, headers, body)
  if status ~= expected or (marker ~= "" and not body:find(marker, 1, true)) then
    errors = errors + 1
    if errors == 1 then first_failure = status .. " " .. body:gsub("[\r\n]", " ") end
  end
end

function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do
    errs = errs + t:get("errors")
  end
  for _, t in ipairs(threads) do
    local failure = t:get("first_failure")
    if failure then io.write("FAILED ", failure, "\n") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"p999_us":%d,"errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    errs, e.connect + e.read + e.write + e.timeout))
end
