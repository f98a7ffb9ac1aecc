// The two Lua scripts: check-and-reserve and settle, each one atomic step over every counter a
// request touches, idempotent by reservation id (the marker key). Same meaning as memory-store.ts.
//
// Keys: KEYS[1] the request's marker; KEYS[1+i] counter i. A sliding counter is a hash of
// second → amount (buckets older than 60 s are dropped as they are met). A budget counter is a hash
// {u: committed, h: held by reservations, r:<id>: one reservation} beside a sorted set <key>:p of
// reservation ids by deadline (expired ones are given back at the next check), and markers
// <key>:e80 / <key>:e100 (SET NX) so each threshold is announced once per window across instances.
// Every key gets a TTL on every write: nothing outlives its window.

/** ARGV: id, now, reservation_ttl_ms, then per counter: window (s|b), limit, amount, ttl_ms, reset_at (0: none). Returns JSON. */
export const RESERVE_LUA = `
local prev = redis.call('GET', KEYS[1])
if prev then
  if prev == 'settled' then return '{"a":1,"r":-1,"u":[],"t":[],"b":0,"e":[]}' end
  return prev
end
local id = ARGV[1]
local now = tonumber(ARGV[2])
local rttl = tonumber(ARGV[3])
local n = #KEYS - 1
local sec = math.floor(now / 1000)
local floor = sec - 59
local used, reset, live, committed = {}, {}, {}, {}
local refused = 0
for i = 1, n do
  local key = KEYS[i + 1]
  local a = 3 + (i - 1) * 5
  local win, limit, amount = ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local u = 0
  if win == 's' then
    local all = redis.call('HGETALL', key)
    local stale, buckets = {}, {}
    for j = 1, #all, 2 do
      local b = tonumber(all[j])
      if b < floor then stale[#stale + 1] = all[j]
      else
        local v = tonumber(all[j + 1])
        u = u + v
        buckets[#buckets + 1] = { b, v }
      end
    end
    if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
    table.sort(buckets, function(x, y) return x[1] < y[1] end)
    live[i] = buckets
  else
    local pz = key .. ':p'
    local gone = redis.call('ZRANGEBYSCORE', pz, '-inf', now)
    for _, rid in ipairs(gone) do
      local r = redis.call('HGET', key, 'r:' .. rid)
      if r then
        redis.call('HINCRBY', key, 'h', -tonumber(r))
        redis.call('HDEL', key, 'r:' .. rid)
      end
    end
    if #gone > 0 then redis.call('ZREMRANGEBYSCORE', pz, '-inf', now) end
    local vals = redis.call('HMGET', key, 'u', 'h')
    committed[i] = tonumber(vals[1]) or 0
    u = committed[i] + (tonumber(vals[2]) or 0)
  end
  used[i] = u
  reset[i] = 0
  if refused == 0 and (u + amount > limit or u >= limit) then refused = i end
end

-- ms until counter i's window frees: a calendar budget's end (-1: lifetime, never), or when the
-- oldest second of a sliding window leaves it (0 when it holds nothing)
local function resets(i)
  local a = 3 + (i - 1) * 5
  if ARGV[a + 1] == 'b' then
    local resetAt = tonumber(ARGV[a + 5])
    if resetAt > 0 then return resetAt - now end
    return -1
  end
  local buckets = live[i]
  if #buckets > 0 then return (buckets[1][1] + 60) * 1000 - now end
  return 0
end

-- ms until the refusing counter i has room for amount (u: its usage now); a request larger than the
-- limit never fits: the window's own reset then (0 for an empty window: the header stays, and the
-- refusal has no retry-after)
local function fits(i, u)
  local a = 3 + (i - 1) * 5
  local win, limit, amount = ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  if win == 'b' then
    if u > 0 and committed[i] + amount <= limit then return 1000 end
    return resets(i)
  end
  if amount > limit then return resets(i) end
  local need, freed = u + amount - limit, 0
  for _, bv in ipairs(live[i]) do
    freed = freed + bv[2]
    if freed >= need then return math.max(0, (bv[1] + 60) * 1000 - now) end
  end
  return 60000
end

local events = {}
local function announce(i, level, spent, ttl)
  local key = KEYS[i + 1]
  if redis.call('SET', key .. ':e' .. level, '1', 'NX', 'PX', ttl) then events[#events + 1] = { i - 1, level, spent } end
end

if refused > 0 then
  -- every limit's own reset in the headers, whichever refused
  for i = 1, n do
    if i == refused then reset[i] = fits(i, used[i]) else reset[i] = resets(i) end
  end
  local a = 3 + (refused - 1) * 5
  if ARGV[a + 1] == 'b' then
    local limit, amount, ttl = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
    local c = committed[refused]
    -- a request larger than the whole budget is refused on its own, at any spend: announcing it
    -- would set the once-per-window marker before the real exhaustion, which would go unannounced
    if amount <= limit and c + amount > limit then
      if c >= 0.8 * limit then announce(refused, 80, c, ttl) end
      announce(refused, 100, c, ttl)
    end
  end
  return cjson.encode({ a = 0, r = refused - 1, u = used, t = reset, b = sec, e = events })
end

for i = 1, n do
  local key = KEYS[i + 1]
  local a = 3 + (i - 1) * 5
  local win, amount, ttl = ARGV[a + 1], tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  if win == 's' then
    if amount > 0 then
      redis.call('HINCRBY', key, sec, amount)
      live[i][#live[i] + 1] = { sec, amount }
      table.sort(live[i], function(x, y) return x[1] < y[1] end)
    end
    redis.call('PEXPIRE', key, ttl)
  elseif amount > 0 then
    redis.call('HINCRBY', key, 'h', amount)
    redis.call('HSET', key, 'r:' .. id, amount)
    redis.call('ZADD', key .. ':p', now + rttl, id)
    redis.call('PEXPIRE', key, ttl)
    redis.call('PEXPIRE', key .. ':p', ttl)
  end
  used[i] = used[i] + amount
  reset[i] = resets(i)
end
local verdict = cjson.encode({ a = 1, r = -1, u = used, t = reset, b = sec, e = events })
redis.call('SET', KEYS[1], verdict, 'PX', rttl)
return verdict
`;

/** ARGV: id, now, reservation_ttl_ms, bucket, then per counter: window (s|b), limit, reserved, actual, ttl_ms. Returns JSON [[i, level, spent]…]. */
export const SETTLE_LUA = `
local st = redis.call('GET', KEYS[1])
if st == 'settled' then return '[]' end
local had = st ~= false
local id = ARGV[1]
local now = tonumber(ARGV[2])
local rttl = tonumber(ARGV[3])
local bucket = tonumber(ARGV[4])
local floor = math.floor(now / 1000) - 59
local events = {}
for i = 1, #KEYS - 1 do
  local key = KEYS[i + 1]
  local a = 4 + (i - 1) * 5
  local win, limit, reserved, actual, ttl = ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  if win == 's' then
    local delta = actual
    if had then delta = actual - reserved end
    if delta ~= 0 and bucket >= floor then
      local v = redis.call('HINCRBY', key, bucket, delta)
      if v <= 0 then redis.call('HDEL', key, bucket) end
      redis.call('PEXPIRE', key, ttl)
    end
  else
    local r = redis.call('HGET', key, 'r:' .. id)
    if r then
      redis.call('HINCRBY', key, 'h', -tonumber(r))
      redis.call('HDEL', key, 'r:' .. id)
      redis.call('ZREM', key .. ':p', id)
    end
    if actual > 0 then
      local u = redis.call('HINCRBY', key, 'u', actual)
      redis.call('PEXPIRE', key, ttl)
      if u >= 0.8 * limit and redis.call('SET', key .. ':e80', '1', 'NX', 'PX', ttl) then events[#events + 1] = { i - 1, 80, u } end
      if u >= limit and redis.call('SET', key .. ':e100', '1', 'NX', 'PX', ttl) then events[#events + 1] = { i - 1, 100, u } end
    end
  end
end
redis.call('SET', KEYS[1], 'settled', 'PX', rttl)
if #events == 0 then return '[]' end
return cjson.encode(events)
`;
