--[[
  Records one decision: checks the version and the chosen arm, resolves the sticky arm, stores a
  new sticky assignment when needed, counts the decision on the served arm, and optionally returns
  every tally (after this decision). Mirrors MemoryStore.assign branch for branch.

  Sticky entries are fields of per-epoch hashes (epoch = floor(now / stickyTtlSeconds)); an entry
  written in epoch k is found from epoch k or k+1. The newest epoch holding the user wins, and
  expiry is decided by the entry's expiresAt against ARGV now, never by Redis time.
  Entry value: struct.pack('<Hdd', arm index, expiresAt, propensity), 18 bytes (exact doubles;
  with the 12-character field it keeps an entry under 100 bytes of Redis memory).

  KEYS[1]  meta hash                      <prefix>{exp:<id>}:m
  KEYS[2]  tallies hash                   <prefix>{exp:<id>}:t
  KEYS[3]  sticky hash, next epoch        <prefix>{exp:<id>}:s:<epoch+1>   (clock skew between replicas)
  KEYS[4]  sticky hash, current epoch     <prefix>{exp:<id>}:s:<epoch>     (new entries go here)
  KEYS[5]  sticky hash, previous epoch    <prefix>{exp:<id>}:s:<epoch-1>
  KEYS[6]  event log stream               <prefix>{exp:<id>}:l

  ARGV[1]  version the caller chose with
  ARGV[2]  chosen armId
  ARGV[3]  propensity (decimal string)
  ARGV[4]  population: b | h | x
  ARGV[5]  sticky field (hashed userId), '' when stickiness does not apply
  ARGV[6]  now, unix seconds
  ARGV[7]  stickyTtlSeconds
  ARGV[8]  seconds KEYS[4] must live
  ARGV[9]  '1' to return the tallies
  ARGV[10] event log: the decision token's nonce (base64url)
  ARGV[11] event log: userId, '' when absent
  ARGV[12] event log: context JSON, '' when absent
  ARGV[13] event log: indexes of the disabled arms at this version, comma-separated ('' none)
  ARGV[14] event log: traceparent, '' when absent
  ARGV[15] event log: eventRetentionSeconds (entries older than Redis TIME minus this are trimmed)

  Returns
    {armId, propensity, sticky 0|1}                        served
    {armId, propensity, sticky 0|1, armsJson, tallies}     served, with the tallies hash (HGETALL)
    -1  no such experiment
    -2  stale: the version changed, or the chosen arm is disabled or unknown
]]
local meta, tallies = KEYS[1], KEYS[2]
local version = redis.call('HGET', meta, 'v')
if not version then return -1 end
if tonumber(version) ~= tonumber(ARGV[1]) then return -2 end
local arm = ARGV[2]
local index = redis.call('HGET', meta, 'a:' .. arm)
if not index or redis.call('HEXISTS', meta, 'd:' .. arm) == 1 then return -2 end

local served, propensity, sticky = arm, ARGV[3], 0
local field = ARGV[5]
if field ~= '' then
  local now = tonumber(ARGV[6])
  local prev = redis.call('HGET', KEYS[3], field) or redis.call('HGET', KEYS[4], field)
    or redis.call('HGET', KEYS[5], field)
  if prev then
    local prevIndex, expiresAt, prevPropensity = struct.unpack('<Hdd', prev)
    if expiresAt > now then
      local prevArm = redis.call('HGET', meta, 'i:' .. prevIndex)
      if prevArm and redis.call('HEXISTS', meta, 'd:' .. prevArm) == 0 then
        served, propensity, sticky = prevArm, string.format('%.17g', prevPropensity), 1
      end
    end
  end
  if sticky == 0 then
    local entry = struct.pack('<Hdd', tonumber(index), now + tonumber(ARGV[7]), tonumber(ARGV[3]))
    redis.call('HSET', KEYS[4], field, entry)
    redis.call('EXPIRE', KEYS[4], ARGV[8])
  end
end

redis.call('HINCRBY', tallies, ARGV[4] .. 'd:' .. served, 1)

-- Event log: the decision, in the same step that counts it. Fields: d nonce, a served arm index (the
-- meta hash's, from 1),-- p population, t issuedAt (= now), q propensity, v version, f firstExposure ('' unknown),
-- u userId, c context, e disabled arm indexes, w traceparent. Entry ids are Redis's clock (*), and so
-- is the trim by age (MINID ~: whole nodes of entries older than the retention).
local clock = redis.call('TIME')
local minId = math.max(0, clock[1] * 1000 + math.floor(clock[2] / 1000) - tonumber(ARGV[15]) * 1000)
local servedIndex = index
if sticky == 1 then servedIndex = redis.call('HGET', meta, 'a:' .. served) end
redis.call('XADD', KEYS[6], 'MINID', '~', string.format('%d', minId), '*', 'd', ARGV[10], 'a', servedIndex, 'p', ARGV[4], 't', ARGV[6],
  'q', propensity, 'v', ARGV[1], 'f', '', 'u', ARGV[11], 'c', ARGV[12], 'e', ARGV[13], 'w', ARGV[14])
if ARGV[9] == '1' then
  return {served, propensity, sticky, redis.call('HGET', meta, 'arms'), redis.call('HGETALL', tallies)}
end
return {served, propensity, sticky}
