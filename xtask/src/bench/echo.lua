-- echo.lua: the wrk script of `cargo xtask bench`'s echo-http and
-- echo-http-2026 scenarios (xtask/src/bench/wrk.rs starts wrk with it).
--
-- The harness builds the requests and hands them over as arguments, so the
-- Rust side is the one place their bytes are spelled:
--   args[1]  "time" (answers are only counted) or "check" (every answer is
--            also read: status 200, the expected text, no JSON-RPC error)
--   args[2]  the text every answer must hold, for "check"
--   args[3]  the body before the JSON-RPC id
--   args[4]  the body after the id
--   args[5…] request heads, each up to the value of Content-Length; requests
--            take them in turn (one head per handshake-era session, or the
--            one head of a stateless request)
-- Ids count up from 1 in each wrk thread (the harness runs one), so no two
-- requests in flight in one session share an id. Per request the script only
-- concatenates five strings: the generator's cost is wrk's own.
--
-- done() prints one line, `wrk-result {json}`, with the figures the harness
-- reads: calls, duration, latency percentiles, every kind of error, and, for
-- "check", answers that were not the expected echo.

local heads, prefix, suffix, expected = {}, "", "", ""
local count, calls = 0, 0
-- Read by done() through thread:get, so global to the thread's Lua state.
failed, example = 0, ""

local function check_response(status, _, body)
   if status ~= 200 or not body:find(expected, 1, true) or body:find('"error":', 1, true) then
      failed = failed + 1
      if example == "" then
         example = "HTTP " .. status .. ": " .. body:sub(1, 300)
      end
   end
end

function init(args)
   expected, prefix, suffix = args[2], args[3], args[4]
   for i = 5, #args do
      heads[#heads + 1] = args[i]
   end
   count = #heads
   if args[1] == "check" then
      -- wrk reads bodies only when `response` exists once init has run.
      response = check_response
   end
end

function request()
   calls = calls + 1
   local body = prefix .. calls .. suffix
   return heads[calls % count + 1] .. #body .. "\r\n\r\n" .. body
end

local threads = {}

-- A string as JSON: control characters, quotes and backslashes escaped.
local function json_string(text)
   return '"' .. text:gsub('[%c"\\]', function(c)
      return string.format("\\u%04x", c:byte())
   end) .. '"'
end

function setup(thread)
   threads[#threads + 1] = thread
end

function done(summary, latency, _)
   local failures, first = 0, ""
   for _, thread in ipairs(threads) do
      failures = failures + thread:get("failed")
      if first == "" then
         first = thread:get("example")
      end
   end
   local e = summary.errors
   io.write(string.format(
      'wrk-result {"calls":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"connect_errors":%d,"read_errors":%d,' ..
      '"write_errors":%d,"status_errors":%d,"timeouts":%d,"failed_checks":%d,"first_failure":%s}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect, e.read,
      e.write, e.status, e.timeout, failures, json_string(first)))
end
