-- The staff sessions' mixed workload for wrk (run by scripts/load).
-- Arguments after wrk's `--`: the sessions file of `fours bench load`, wrk's thread count and
-- the mean think time in milliseconds.
--
-- wrk keeps one Lua state per thread and does not say which connection asks for the next
-- request, so each thread takes every n-th session and serves its sessions in turn: each
-- session repeats its role's cycle of requests in order, and every connection waits a think
-- time (half to one and a half of the mean) after each answer, as staff do between clicks.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- Per role, the requests a session repeats. Consultants look up, follow up and edit their
-- prospects; advisors find a car by plate or its owner by mobile, open the repair order,
-- take the customer's signature on it and edit the customer; technicians read their order
-- and the board; store managers read the sales funnel, the workshop KPIs and the lists.
local cycles = {
  sales_consultant = { "search", "customer", "lead", "due", "follow_up", "search_tail", "customer", "edit" },
  service_advisor = { "plate", "customer", "order", "board", "sign", "search", "order", "edit" },
  technician = { "order", "board", "order", "plate" },
  store_manager = { "sales_report", "board", "due", "service_report", "search" },
}

local today = os.date("!%Y-%m-%d")
local month_ago = os.date("!%Y-%m-%d", os.time() - 29 * 86400)
local period = "from=" .. month_ago .. "&to=" .. today

local function get(s, path)
  return wrk.format("GET", path, s.auth)
end

local function send(s, method, path, body)
  return wrk.format(method, path, s.json, body)
end

local build = {
  search = function(s) return get(s, "/api/v1/customers?q=" .. s.mobile) end,
  search_tail = function(s) return get(s, "/api/v1/customers?q=" .. s.mobile:sub(-4)) end,
  plate = function(s) return get(s, "/api/v1/vehicles?q=" .. s.plate) end,
  customer = function(s) return get(s, "/api/v1/customers/" .. s.customer) end,
  lead = function(s) return get(s, "/api/v1/leads/" .. s.lead) end,
  due = function(s) return get(s, "/api/v1/leads/due") end,
  order = function(s) return get(s, "/api/v1/repair-orders/" .. s.order) end,
  board = function(s) return get(s, "/api/v1/workshop-board") end,
  sales_report = function(s) return get(s, "/api/v1/reports/sales?" .. period .. "&by=consultant") end,
  service_report = function(s) return get(s, "/api/v1/reports/service?" .. period) end,
  edit = function(s)
    return send(s, "PATCH", "/api/v1/customers/" .. s.customer,
      '{"contact_time":"工作日晚上","notes":"电话回访，客户方便周末到店"}')
  end,
  follow_up = function(s)
    return send(s, "POST", "/api/v1/leads/" .. s.lead .. "/follow-ups",
      '{"method":"call","outcome":"电话沟通，客户周末来店再看车型配置"}')
  end,
  sign = function(s)
    return send(s, "POST", "/api/v1/repair-orders/" .. s.order .. "/signature",
      '{"signed_by":"车主","signature":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}')
  end,
}

local sessions = {}
local turn = 0
local think_ms = 5000
issued = {}
statuses = {}
non_2xx = 0
failure = nil

function init(args)
  local file, thread_count = args[1], tonumber(args[2])
  think_ms = tonumber(args[3]) or think_ms
  local n = 0
  for line in io.lines(file) do
    if n % thread_count == id then
      local f = {}
      for word in line:gmatch("%S+") do
        f[#f + 1] = word
      end
      local bearer = "Bearer " .. f[2]
      sessions[#sessions + 1] = {
        role = f[1],
        auth = { Authorization = bearer },
        json = { Authorization = bearer, ["Content-Type"] = "application/json" },
        customer = f[3], lead = f[4], order = f[5], mobile = f[6], plate = f[7],
        -- Sessions start at different places in their cycle, so that a short run has the mix.
        step = #sessions % #cycles[f[1]],
      }
    end
    n = n + 1
  end
  math.randomseed(os.time() + id)
end

function request()
  turn = turn % #sessions + 1
  local s = sessions[turn]
  local cycle = cycles[s.role]
  s.step = s.step % #cycle + 1
  local kind = cycle[s.step]
  issued[kind] = (issued[kind] or 0) + 1
  return build[kind](s)
end

function delay()
  return math.random(math.floor(think_ms / 2), math.floor(think_ms * 3 / 2))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
    failure = failure or (status .. " " .. body:sub(1, 300))
  end
end

-- Adds thread `t`'s counts of `name` into `into`.
local function add_counts(into, t, name)
  for key, count in pairs(t:get(name)) do
    into[tostring(key)] = (into[tostring(key)] or 0) + count
  end
end

local function json_counts(counts)
  local parts = {}
  for key, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%s":%d', key, count)
  end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local non_2xx, kinds, codes = 0, {}, {}
  for _, t in ipairs(threads) do
    non_2xx = non_2xx + t:get("non_2xx")
    add_counts(kinds, t, "issued")
    add_counts(codes, t, "statuses")
    local failed = t:get("failure")
    if failed then
      io.stderr:write("a failed request: " .. failed .. "\n")
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local ms = function(p) return latency:percentile(p) / 1000 end
  io.write(string.format(
    '{"requests":%d,"seconds":%.1f,"rps":%.1f,"p50_ms":%.1f,"p95_ms":%.1f,"p99_ms":%.1f,"max_ms":%.1f,'
      .. '"non_2xx":%d,"socket_errors":%d,"statuses":%s,"mix":%s}\n',
    summary.requests, seconds, summary.requests / seconds, ms(50), ms(95), ms(99), latency.max / 1000,
    non_2xx, e.connect + e.read + e.write + e.timeout, json_counts(codes), json_counts(kinds)))
end
