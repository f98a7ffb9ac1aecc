// The two Lua scripts: check-and-reserve and settle, each one atomic step over every counter a
// request touches, idempotent by reservation id (the marker key). Same meaning as memory-store.ts.
//
// Keys: KEYS[1] the request's marker; KEYS[1+i] counter i. A sliding counter is a hash of
// second → amount (buckets older than 60 s are dropped as they are met). A budget counter is a hash
// {u: committed, h: held by reservations, r:<id>: one reservation} beside a sorted set <key>:p of
// reservation ids by deadline (expired ones are given back at the next check), and markers
// <key>:e80 / <key>:e100 (SET NX) so each threshold is announced once per window across instances.
// A token window (its key ends in :tpm, as counters.ts names it) also keeps <key>:h, second → the
// part of that bucket still reserved by requests in flight: a settle may shrink a token reservation
// (never an rpm one), so a refusal can tell "retry in a second" from "wait for the window".
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
local used, reset, live, committed, held = {}, {}, {}, {}, {}
local function tokens(key) return string.sub(key, -4) == ':tpm' end
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
    held[i] = 0
    if tokens(key) then
      local hk = key .. ':h'
      local hall = redis.call('HGETALL', hk)
      local hstale = {}
      for j = 1, #hall, 2 do
        local b = tonumber(hall[j])
        if b < floor then hstale[#hstale + 1] = hall[j]
        -- a reservation whose instance died stops counting as in flight after reservation_ttl_ms
        elseif (b + 1) * 1000 + rttl > now then held[i] = held[i] + tonumber(hall[j + 1]) end
      end
      if #hstale > 0 then redis.call('HDEL', hk, unpack(hstale)) end
    end
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
  local need, freed, wait = u + amount - limit, 0, 60000
  for _, bv in ipairs(live[i]) do
    freed = freed + bv[2]
    if freed >= need then wait = math.max(0, (bv[1] + 60) * 1000 - now) break end
  end
  -- as for a budget: when only reservations in flight stand in the way, they settle soon (and
  -- usually for less than their output cap), long before their seconds leave the window
  if held[i] > 0 and u - held[i] + amount <= limit then return math.min(wait, 1000) end
  return wait
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
      if tokens(key) then
        redis.call('HINCRBY', key .. ':h', sec, amount)
        redis.call('PEXPIRE', key .. ':h', ttl)
      end
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
    -- no longer in flight, whatever it used
    if had and reserved > 0 and bucket >= floor and string.sub(key, -4) == ':tpm' then
      local hk = key .. ':h'
      if redis.call('HINCRBY', hk, bucket, -reserved) <= 0 then redis.call('HDEL', hk, bucket) end
      redis.call('PEXPIRE', hk, ttl)
    end
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
