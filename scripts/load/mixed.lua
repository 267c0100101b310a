-- wrk script: the mixed public workload of scripts/bench-load. Each request is drawn by
-- weight from the list below; the finder gets a random real postcode from postcodes.txt
-- (or, one time in ten, an outcode or a postcode that does not exist). Browsers' headers.

local pages = {
  -- weight, path ("P" is replaced by a postcode)
  {18, "/"},
  {4,  "/news"},
  {4,  "/news/awareness-week-how-to-take-part"},
  {8,  "/map"},
  {3,  "/areas/W11000029"},
  {22, "/support?postcode=P"},
  {4,  "/api/v1/support?postcode=P"},
  {3,  "/api/oruk/services?page=1"},
  {2,  "/api/oruk/services?page=2"},
  {5,  "/events.ics"},
  {5,  "/members"},
  {5,  "/stories"},
  {4,  "/campaigns"},
  {5,  "/help"},
  {4,  "/about"},
  {4,  "/resources"},
}
local total = 0
for _, p in ipairs(pages) do total = total + p[1] end

local postcodes = {}
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

local odd = {"CF10", "SW1A", "BT1", "ZZ99 9ZZ", "EH1 9XX", "LL57"}

-- Answers by class: 4xx are expected (postcodes that do not exist), 503 is load shed
-- (with Retry-After), any other 5xx is an error.
client_errors = 0
server_errors = 0
shed = 0

function response(status, headers, body)
  if status == 503 then
    shed = shed + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  elseif status >= 400 then
    client_errors = client_errors + 1
  end
end

function done(summary, latency, requests)
  local c, s, d = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("client_errors")
    s = s + t:get("server_errors")
    d = d + t:get("shed")
  end
  io.write(string.format("answers_4xx %d\nanswers_503 %d\nanswers_5xx %d\n", c, d, s))
end

function init(args)
  local f = io.open(args[1] or "postcodes.txt", "r")
  if f then
    for line in f:lines() do postcodes[#postcodes + 1] = line end
    f:close()
  end
  if #postcodes == 0 then postcodes = {"CF10 3NQ"} end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

local function postcode()
  local pc
  if math.random(10) == 1 then
    pc = odd[math.random(#odd)]
  else
    pc = postcodes[math.random(#postcodes)]
  end
  return (pc:gsub(" ", "+"))
end

local headers = {
  ["Accept-Encoding"] = "br, gzip",
  ["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8",
  ["User-Agent"] = "Mozilla/5.0 (load test; mmha scripts/bench-load)",
}

function request()
  local r = math.random(total)
  for _, p in ipairs(pages) do
    r = r - p[1]
    if r <= 0 then
      local path = p[2]:gsub("P", postcode, 1)
      return wrk.format("GET", path, headers)
    end
  end
end
