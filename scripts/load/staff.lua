-- wrk script: a member of staff publishing a change every two seconds (the site settings
-- form, which every page shows, so every instance's page cache is dropped each time).
-- The session cookie comes from MMHA_COOKIE.

local n = 0
local cookie = os.getenv("MMHA_COOKIE") or ""

local function enc(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  n = n + 1
  local form = {
    {"name", "Maternal Mental Health Alliance"}, {"short_name", "MMHA"},
    {"vision", "Every mother, every family, the perinatal mental health care they need."},
    {"vision_cy", "Pob mam, pob teulu, y gofal iechyd meddwl amenedigol sydd ei angen."},
    {"nation", "england"}, {"nation", "wales"}, {"nation", "scotland"}, {"nation", "northern-ireland"},
    {"colour_primary", "#6b2c5f"}, {"colour_accent", "#00703c"},
    {"contact_media", "press@example.org"}, {"contact_membership", ""},
    {"contact_other", "hello@example.org"},
    {"featured_title", ""}, {"featured_text", ""}, {"featured_link", ""},
    {"footer_text", "Demo alliance under a load test, change " .. n},
    {"exit_url", "https://www.bbc.co.uk/weather"},
  }
  local parts = {}
  for _, kv in ipairs(form) do parts[#parts + 1] = enc(kv[1]) .. "=" .. enc(kv[2]) end
  return wrk.format("POST", "/admin/settings", {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Sec-Fetch-Site"] = "same-origin",
  }, table.concat(parts, "&"))
end

function delay()
  return 2000
end

-- One line per answer to MMHA_STAFF_LOG (wrk prints no summary when it is stopped).
local log = io.open(os.getenv("MMHA_STAFF_LOG") or "/dev/null", "a")
function response(status, headers, body)
  log:write(status, "\n")
  log:flush()
end
