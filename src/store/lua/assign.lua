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

  ARGV[1]  version the caller chose with
  ARGV[2]  chosen armId
  ARGV[3]  propensity (decimal string)
  ARGV[4]  population: b | h | x
  ARGV[5]  sticky field (hashed userId), '' when stickiness does not apply
  ARGV[6]  now, unix seconds
  ARGV[7]  stickyTtlSeconds
  ARGV[8]  seconds KEYS[4] must live
  ARGV[9]  '1' to return the tallies

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
if ARGV[9] == '1' then
  return {served, propensity, sticky, redis.call('HGET', meta, 'arms'), redis.call('HGETALL', tallies)}
end
return {served, propensity, sticky}
