--[[
  Records one decision: checks the version and the chosen arm, keeps the user record (which is
  also the sticky arm), counts the decision (and a first exposure) on the served arm, and
  optionally returns every tally (after this decision); with a default reward, puts the decision
  on the due set (issue 11). Mirrors MemoryStore.assign branch for branch.

  User records are fields of per-epoch hashes (epoch = floor(now / stickyTtlSeconds)); an entry
  written in epoch k is found from epoch k or k+1. The newest epoch holding the user wins, and
  expiry is decided by the entry's expiresAt against ARGV now, never by Redis time.
  Entry value: struct.pack('<Hddc1', arm index, expiresAt, propensity, population), 19 bytes
  (exact doubles; an 18-byte entry without the population, written before it existed, is 'b').
  Every decision with a userId keeps a record, in every population: a live b/h record's
  population wins over ARGV[4] (answer -5/-6: choose again in that population); an x decision
  leaves the record alone; no live record, or an x record and a b/h decision, is a first exposure.

  KEYS[1]  meta hash                      <prefix>{exp:<id>}:m
  KEYS[2]  tallies hash                   <prefix>{exp:<id>}:t
  KEYS[3]  sticky hash, next epoch        <prefix>{exp:<id>}:s:<epoch+1>   (clock skew between replicas)
  KEYS[4]  sticky hash, current epoch     <prefix>{exp:<id>}:s:<epoch>     (new entries go here)
  KEYS[5]  sticky hash, previous epoch    <prefix>{exp:<id>}:s:<epoch-1>
  KEYS[6]  event log stream               <prefix>{exp:<id>}:l
  KEYS[7]  default rewards: due set       <prefix>{exp:<id>}:dd   (issue 11)

  ARGV[1]  version the caller chose with
  ARGV[2]  chosen armId
  ARGV[3]  propensity (decimal string)
  ARGV[4]  population: b | h | x
  ARGV[5]  record field (hashed userId), '' without a userId
  ARGV[6]  now, unix seconds
  ARGV[7]  stickyTtlSeconds
  ARGV[8]  seconds KEYS[4] must live
  ARGV[9]  '1' to return the tallies
  ARGV[10] '1' when stickiness is on (a bandit record's arm is served again)
  ARGV[11] event log: the decision token's nonce (base64url)
  ARGV[12] event log: userId, '' when absent
  ARGV[13] event log: context JSON, '' when absent
  ARGV[14] event log: indexes of the disabled arms at this version, comma-separated ('' none)
  ARGV[15] event log: traceparent, '' when absent
  ARGV[16] event log: eventRetentionSeconds to trim entries older than Redis TIME minus it; '' not this time
  -- default rewards (issue 11)
  ARGV[17] when the decision's default reward is due, unix seconds ('' the experiment has no defaultReward)
  ARGV[18] the decision token's user key, '' without a userId
  ARGV[19] event log: the logging policy's propensity of every arm, encoded (contract/event-log.ts
           encodePropensities), '' when absent (holdback, excluded); kept only when the arm chosen
           now is served (not a sticky repeat)
  ARGV[20] event log: why an excluded decision was excluded (excludedBy, issue 21), '' otherwise

  Returns
    {armId, propensity, sticky 0|1, firstExposure 0|1}                     served
    {armId, propensity, sticky 0|1, firstExposure 0|1, armsJson, tallies}  served, with the tallies hash (HGETALL)
    -1  no such experiment
    -2  stale: the version changed, or the chosen arm is disabled or unknown
    -5  moved: the user's record is in the bandit population
    -6  moved: the user's record is in the holdback
]]
local meta, tallies = KEYS[1], KEYS[2]
-- A positive double as ECMAScript's Number::toString writes it: the fewest significant digits that
-- read back as the same double, in fixed notation from 1e-7 up to 1e21, else d.ddde-n.
local function jsNumber(x)
  -- %.Pg with the smallest P of 15, 16, 17 that reads back is already those digits (15 correctly
  -- rounded digits that read back are the shortest with zeros stripped, as %g strips them), and
  -- in fixed notation (1e-4 <= x < 1e15 for %g) it is JavaScript's text too: most propensities.
  for p = 15, 17 do
    local s = string.format('%.' .. p .. 'g', x)
    if tonumber(s) == x then
      if not string.find(s, 'e', 1, true) then return s end
      break
    end
  end
  -- Exponent notation: the digits and the exponent of %.Pe, rewritten in JavaScript's notation.
  local function e(p) return string.format('%.' .. p .. 'e', x) end
  local lo, hi = 15, 16
  if tonumber(e(14)) == x then lo, hi = 0, 14 end
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if tonumber(e(mid)) == x then hi = mid else lo = mid + 1 end
  end
  local d1, rest, exp = string.match(e(lo), '^(%d)%.?(%d*)e([-+]%d+)$')
  local digits = string.gsub(d1 .. rest, '0+$', '')
  local k, n = #digits, tonumber(exp) + 1
  if k <= n and n <= 21 then return digits .. string.rep('0', n - k) end
  if 0 < n and n <= 21 then return string.sub(digits, 1, n) .. '.' .. string.sub(digits, n + 1) end
  if -6 < n and n <= 0 then return '0.' .. string.rep('0', -n) .. digits end
  local mantissa = string.sub(digits, 1, 1)
  if k > 1 then mantissa = mantissa .. '.' .. string.sub(digits, 2) end
  if n - 1 < 0 then return mantissa .. 'e-' .. string.format('%d', 1 - n) end
  return mantissa .. 'e+' .. string.format('%d', n - 1)
end
local version = redis.call('HGET', meta, 'v')
if not version then return -1 end
if tonumber(version) ~= tonumber(ARGV[1]) then return -2 end
local arm = ARGV[2]
local index = redis.call('HGET', meta, 'a:' .. arm)
if not index or redis.call('HEXISTS', meta, 'd:' .. arm) == 1 then return -2 end

local served, propensity, sticky, first = arm, ARGV[3], 0, 1
local pop = ARGV[4]
local field = ARGV[5]
-- The user record (mirrors MemoryStore.assign's block of the same name).
if field ~= '' then
  local now = tonumber(ARGV[6])
  local prev = redis.call('HGET', KEYS[3], field) or redis.call('HGET', KEYS[4], field)
    or redis.call('HGET', KEYS[5], field)
  local prevIndex, expiresAt, prevPropensity, prevPop
  if prev then
    if #prev == 18 then
      prevIndex, expiresAt, prevPropensity = struct.unpack('<Hdd', prev)
      prevPop = 'b'
    else
      prevIndex, expiresAt, prevPropensity, prevPop = struct.unpack('<Hddc1', prev)
    end
    if expiresAt <= now then prev = nil end
  end
  local write = true
  if prev and pop == 'x' then
    first, write = 0, false
  elseif prev and prevPop ~= 'x' then
    if prevPop ~= pop then
      if prevPop == 'b' then return -5 end
      return -6
    end
    first, write = 0, false
    if pop == 'b' and ARGV[10] == '1' then
      local prevArm = redis.call('HGET', meta, 'i:' .. prevIndex)
      if prevArm and redis.call('HEXISTS', meta, 'd:' .. prevArm) == 0 then
        served, propensity, sticky = prevArm, string.format('%.17g', prevPropensity), 1
      else
        write = true -- the sticky arm was disabled: the replacement becomes the user's arm
      end
    end
  end
  if write then
    local entry = struct.pack('<Hddc1', tonumber(index), now + tonumber(ARGV[7]), tonumber(ARGV[3]), pop)
    redis.call('HSET', KEYS[4], field, entry)
    redis.call('EXPIRE', KEYS[4], ARGV[8])
  end
end

redis.call('HINCRBY', tallies, pop .. 'd:' .. served, 1)
if first == 1 then redis.call('HINCRBY', tallies, pop .. 'u:' .. served, 1) end

-- Event log: the decision, in the same step that counts it. Field d packs, space-separated: the
-- nonce, the served arm index (the meta hash's, from 1), population, issuedAt (= now), propensity,
-- version, firstExposure 1|0, disabled arm indexes, and (ARGV[19], when the arm chosen now was
-- served) the propensity vector; then u userId, c context, w traceparent, x excludedBy, each
-- only when present (few fields: XADD's cost grows with them). Entry ids are Redis's clock (*), and
-- so is the trim by age, when ARGV[16] asks for it (MINID ~: whole nodes older than the retention).
local servedIndex = index
if sticky == 1 then servedIndex = redis.call('HGET', meta, 'a:' .. served) end
local packed = table.concat({ARGV[11], servedIndex, pop, ARGV[6], propensity, ARGV[1], first, ARGV[14]}, ' ')
if sticky == 0 and ARGV[19] ~= '' then packed = packed .. ' ' .. ARGV[19] end
local entry = {KEYS[6], '*', 'd', packed}
if ARGV[12] ~= '' then entry[#entry + 1] = 'u'; entry[#entry + 1] = ARGV[12] end
if ARGV[13] ~= '' then entry[#entry + 1] = 'c'; entry[#entry + 1] = ARGV[13] end
if ARGV[15] ~= '' then entry[#entry + 1] = 'w'; entry[#entry + 1] = ARGV[15] end
if ARGV[20] ~= nil and ARGV[20] ~= '' then entry[#entry + 1] = 'x'; entry[#entry + 1] = ARGV[20] end
redis.call('XADD', unpack(entry))
if ARGV[16] ~= '' then
  local clock = redis.call('TIME')
  redis.call('XTRIM', KEYS[6], 'MINID', '~', string.format('%d', clock[1] * 1000 + math.floor(clock[2] / 1000) - tonumber(ARGV[16]) * 1000))
end

-- Default reward (issue 11): the decision goes on the due set in the same step that counts it, as
-- the member reward.lua removes and the sweep reads: nonce|population|issuedAt|armId|propensity|userKey
-- (RedisStore's dueMember). The propensity is written as JavaScript's String() writes the number the
-- caller gets, so that the member built from the decision token is this one.
if ARGV[17] ~= '' then
  local p = propensity
  if sticky == 1 then p = jsNumber(tonumber(propensity)) end
  redis.call('ZADD', KEYS[7], ARGV[17], table.concat({ARGV[11], pop, ARGV[6], served, p, ARGV[18]}, '|'))
end
if ARGV[9] == '1' then
  return {served, propensity, sticky, first, redis.call('HGET', meta, 'arms'), redis.call('HGETALL', tallies)}
end
return {served, propensity, sticky, first}
