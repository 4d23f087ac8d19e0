-- wrk script: each connection is one visitor at a time, stepping through a
-- quiz by posting the form of the page it was last given.
--
-- wrk -t N -c N -s visitor.lua URL -- MODE VISITORS_FILE N
--
-- One connection per wrk thread, so a thread's Lua globals are that
-- connection's visitor. VISITORS_FILE has one prepared visitor a line:
-- index, Cookie header, X-CSRFToken header, path and body of the next post,
-- tab-separated; thread i takes the lines whose index mod N is i. MODE:
--   step     quizfunnel's answer step, as htmx posts it; a visitor is done
--            when the next form is the lead form
--   peer     the formtools wizard; done when a page has no form
--   ceiling  the minimal step; never done
-- At the end the totals are written as JSON to $BENCH_WRK_OUT.

local USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 " ..
  "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local queue, next_in_queue = {}, 1
local visitor, last_request

mode = ""
ok, bad, starved, retried, finished = 0, 0, 0, 0, 0
pending, bad_sample = "", ""
-- wrk calls request() of its first thread once before the run, to check
-- the script; the first real call then repeats that request: no retry.
local checked = false

function init(args)
  mode = args[1]
  local count = tonumber(args[3])
  local index = 0
  for line in io.lines(args[2]) do
    if index % count == id then
      local fields = {}
      for field in (line .. "\t"):gmatch("([^\t]*)\t") do
        table.insert(fields, field)
      end
      table.insert(queue, {
        index = fields[1], cookie = fields[2], csrf = fields[3],
        path = fields[4], body = fields[5],
      })
    end
    index = index + 1
  end
end

local function post(v)
  local headers = {
    ["Cookie"] = v.cookie,
    ["X-CSRFToken"] = v.csrf,
    ["User-Agent"] = USER_AGENT,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "text/html",
  }
  if mode == "step" then
    headers["HX-Request"] = "true"
    headers["HX-Target"] = "step"
  end
  return wrk.format("POST", v.path, headers, v.body)
end

function request()
  -- A request that got no response (a dropped connection, a timeout) is
  -- sent again as it was; the step is idempotent, as a browser retry needs.
  if last_request ~= nil then
    if id == 0 and not checked and ok + bad == 0 then
      checked = true
    else
      retried = retried + 1
    end
    return last_request
  end
  if visitor == nil then
    visitor = queue[next_in_queue]
    next_in_queue = next_in_queue + 1
  end
  if visitor == nil then
    -- Out of prepared visitors: an idle request, counted, never reported
    -- as a step.
    starved = starved + 1
    pending = "starved"
    return wrk.format("GET", "/bench/ceiling/", {["User-Agent"] = USER_AGENT})
  end
  last_request = post(visitor)
  pending = visitor.index .. " " .. visitor.path
  return last_request
end

local function attr(tag, name)
  return tag:match("%s" .. name .. '="([^"]*)"')
end

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

-- The next post a person would make on this page: the first form's hidden
-- fields, the first option of each choice, and a plain value for inputs.
local function next_post(body)
  local _, form_end, form_tag = body:find("(<form[^>]*>)")
  if form_end == nil then
    return nil
  end
  local rest = body:sub(form_end)
  local fields, seen = {}, {}
  for tag in rest:gmatch("<input[^>]*>") do
    local kind = attr(tag, "type") or "text"
    local name = attr(tag, "name")
    local value
    if name ~= nil and not seen[name] then
      if kind == "hidden" or kind == "radio" or kind == "checkbox" then
        value = attr(tag, "value") or ""
      elseif kind == "number" then
        value = attr(tag, "min") or "1"
      elseif kind == "text" or kind == "email" or kind == "tel" then
        value = "bench"
      end
    end
    if value ~= nil then
      seen[name] = kind ~= "hidden"
      table.insert(fields, encode(name) .. "=" .. encode(value))
    end
  end
  for tag in rest:gmatch("<textarea[^>]*>") do
    local name = attr(tag, "name")
    if name ~= nil then
      table.insert(fields, encode(name) .. "=bench")
    end
  end
  return attr(form_tag, "action"), table.concat(fields, "&")
end

local function visitor_done(path)
  if mode == "peer" then
    return path == nil
  end
  if mode == "step" then
    return path == nil or path:find("/lead/$") ~= nil
  end
  return false
end

function response(status, headers, body)
  local sent = pending
  pending, last_request = "", nil
  if sent == "starved" or sent == "" then
    return
  end
  if status ~= 200 or body:find('role="alert"', 1, true) then
    bad = bad + 1
    if bad_sample == "" then
      bad_sample = status .. " " .. sent .. " " .. body:sub(1, 300)
    end
    visitor = nil
    return
  end
  ok = ok + 1
  local path, form = next_post(body)
  if visitor_done(path) then
    finished = finished + 1
    visitor = nil
  else
    visitor.path, visitor.body = path, form
  end
end

local function quote(text)
  text = text:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. text .. '"'
end

function done(summary, latency, requests)
  local totals = { ok = 0, bad = 0, starved = 0, retried = 0, finished = 0 }
  local in_flight, sample = {}, ""
  local mode = threads[1]:get("mode")
  for _, thread in ipairs(threads) do
    for name, value in pairs(totals) do
      totals[name] = value + (thread:get(name) or 0)
    end
    local sent = thread:get("pending") or ""
    if sent ~= "" and sent ~= "starved" then
      table.insert(in_flight, quote(sent))
    end
    if sample == "" then
      sample = thread:get("bad_sample") or ""
    end
  end
  local errors = summary.errors
  local parts = {
    '"mode": ' .. quote(mode or ""),
    '"duration_us": ' .. summary.duration,
    '"requests": ' .. summary.requests,
    '"bytes": ' .. summary.bytes,
    string.format(
      '"socket_errors": {"connect": %d, "read": %d, "write": %d, ' ..
      '"status": %d, "timeout": %d}',
      errors.connect, errors.read, errors.write, errors.status, errors.timeout
    ),
    string.format(
      '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "mean": %d, "max": %d}',
      latency:percentile(50), latency:percentile(95), latency:percentile(99),
      latency.mean, latency.max
    ),
    '"in_flight": [' .. table.concat(in_flight, ", ") .. "]",
    '"bad_sample": ' .. quote(sample),
  }
  for name, value in pairs(totals) do
    table.insert(parts, quote(name) .. ": " .. value)
  end
  local out = assert(io.open(os.getenv("BENCH_WRK_OUT"), "w"))
  out:write("{" .. table.concat(parts, ", ") .. "}\n")
  out:close()
end
