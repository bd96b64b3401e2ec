--[[
  Records one decision: checks the version and the chosen arm, keeps the user record (which is
  also the sticky arm), counts the decision (and a first exposure) on the served arm, and
  optionally returns every tally (after this decision). Mirrors MemoryStore.assign branch for branch.

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
  ARGV[17] event log: the logging policy's propensity of every arm, encoded (event-log.ts
           encodePropensities), '' when absent (holdback, excluded); kept only when the arm chosen
           now is served (not a sticky repeat)

  Returns
    {armId, propensity, sticky 0|1, firstExposure 0|1}                     served
    {armId, propensity, sticky 0|1, firstExposure 0|1, armsJson, tallies}  served, with the tallies hash (HGETALL)
    -1  no such experiment
    -2  stale: the version changed, or the chosen arm is disabled or unknown
    -5  moved: the user's record is in the bandit population
    -6  moved: the user's record is in the holdback
]]
local meta, tallies = KEYS[1], KEYS[2]
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
-- version, firstExposure 1|0, disabled arm indexes, and (ARGV[17], when the arm chosen now was
-- served) the propensity vector; then u userId, c context, w traceparent, each
-- only when present (few fields: XADD's cost grows with them). Entry ids are Redis's clock (*), and
-- so is the trim by age, when ARGV[16] asks for it (MINID ~: whole nodes older than the retention).
local servedIndex = index
if sticky == 1 then servedIndex = redis.call('HGET', meta, 'a:' .. served) end
local packed = table.concat({ARGV[11], servedIndex, pop, ARGV[6], propensity, ARGV[1], first, ARGV[14]}, ' ')
if sticky == 0 and ARGV[17] ~= '' then packed = packed .. ' ' .. ARGV[17] end
local entry = {KEYS[6], '*', 'd', packed}
if ARGV[12] ~= '' then entry[#entry + 1] = 'u'; entry[#entry + 1] = ARGV[12] end
if ARGV[13] ~= '' then entry[#entry + 1] = 'c'; entry[#entry + 1] = ARGV[13] end
if ARGV[15] ~= '' then entry[#entry + 1] = 'w'; entry[#entry + 1] = ARGV[15] end
redis.call('XADD', unpack(entry))
if ARGV[16] ~= '' then
  local clock = redis.call('TIME')
  redis.call('XTRIM', KEYS[6], 'MINID', '~', string.format('%d', clock[1] * 1000 + math.floor(clock[2] / 1000) - tonumber(ARGV[16]) * 1000))
end
if ARGV[9] == '1' then
  return {served, propensity, sticky, first, redis.call('HGET', meta, 'arms'), redis.call('HGETALL', tallies)}
end
return {served, propensity, sticky, first}
