--[[
  Records one decision: checks the version and the chosen arm, keeps the user record (which is
  also the sticky arm), counts the decision (and a first exposure) on the served arm, and
  optionally returns every tally (after this decision); with a default reward, puts the decision
  on the due set (issue 11). Mirrors MemoryStore.assign branch for branch.

  User records are fields of per-epoch hashes (epoch = floor(now / stickyTtlSeconds)); an entry
  written in epoch k is found from epoch k or k+1. The newest epoch holding the user wins, and
  expiry is decided by the entry's expiresAt against A.now, never by Redis time.
  Entry value: struct.pack('<Hddc1', arm index, expiresAt, propensity, population), 19 bytes
  (exact doubles; an 18-byte entry without the population, written before it existed, is 'b').
  Every decision with a userId keeps a record, in every population: a live b/h record's
  population wins over A.pop (answer CODE.moved_to_*: choose again in that population); an x decision
  leaves the record alone; no live record, or an x record and a b/h decision, is a first exposure.

  KEYS[1]  meta hash                      <prefix>{exp:<id>}:m
  KEYS[2]  tallies hash                   <prefix>{exp:<id>}:t
  KEYS[3]  sticky hash, next epoch        <prefix>{exp:<id>}:s:<epoch+1>   (clock skew between replicas)
  KEYS[4]  sticky hash, current epoch     <prefix>{exp:<id>}:s:<epoch>     (new entries go here)
  KEYS[5]  sticky hash, previous epoch    <prefix>{exp:<id>}:s:<epoch-1>
  KEYS[6]  event log stream               <prefix>{exp:<id>}:l
  KEYS[7]  default rewards: due set       <prefix>{exp:<id>}:dd   (issue 11)

  ARGV[1]  the packed argument, JSON: its fields are documented in redis-script-args.ts assignArgs
           (A.version, A.arm, A.propensity, A.pop, A.field, A.now, ...)

  Returns
    {armId, propensity, sticky 0|1, firstExposure 0|1}                     served
    {armId, propensity, sticky 0|1, firstExposure 0|1, armsJson, tallies}  served, with the tallies hash (HGETALL)
    CODE.not_found          no such experiment
    CODE.stale              the version changed, or the chosen arm is disabled or unknown
    CODE.moved_to_bandit    the user's record is in the bandit population
    CODE.moved_to_holdback  the user's record is in the holdback
]]
local meta, tallies = KEYS[1], KEYS[2]
local A = cjson.decode(ARGV[1])
local version = redis.call('HGET', meta, 'v')
if not version then return CODE.not_found end
if version ~= A.version then return CODE.stale end
local arm = A.arm
local index = redis.call('HGET', meta, 'a:' .. arm)
if not index or redis.call('HEXISTS', meta, 'd:' .. arm) == 1 then return CODE.stale end

local served, propensity, sticky, first = arm, A.propensity, 0, 1
local pop = A.pop
local field = A.field
-- The user record (mirrors MemoryStore.assign's block of the same name).
if field then
  local now = tonumber(A.now)
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
      if prevPop == 'b' then return CODE.moved_to_bandit end
      return CODE.moved_to_holdback
    end
    first, write = 0, false
    if pop == 'b' and A.sticky then
      local prevArm = redis.call('HGET', meta, 'i:' .. prevIndex)
      if prevArm and redis.call('HEXISTS', meta, 'd:' .. prevArm) == 0 then
        served, propensity, sticky = prevArm, num(prevPropensity), 1
      else
        write = true -- the sticky arm was disabled: the replacement becomes the user's arm
      end
    end
  end
  if write then
    local entry = struct.pack('<Hddc1', tonumber(index), now + A.stickyTtl, tonumber(A.propensity), pop)
    redis.call('HSET', KEYS[4], field, entry)
    redis.call('EXPIRE', KEYS[4], A.keyTtl)
  end
end

redis.call('HINCRBY', tallies, pop .. 'd:' .. served, 1)
if first == 1 then redis.call('HINCRBY', tallies, pop .. 'u:' .. served, 1) end

-- Event log: the decision, in the same step that counts it. Field d packs, space-separated: the
-- nonce, the served arm index (the meta hash's, from 1), population, issuedAt (= now), propensity,
-- version, firstExposure 1|0, disabled arm indexes, and (when the arm chosen now was served)
-- A.propensities; then u userId, c context, w traceparent, x excludedBy, each
-- only when present (few fields: XADD's cost grows with them). Entry ids are Redis's clock (*), and
-- so is the trim by age, when A.trim asks for it (lib.lua trimLog).
local servedIndex = index
if sticky == 1 then servedIndex = redis.call('HGET', meta, 'a:' .. served) end
local packed = table.concat({A.nonce, servedIndex, pop, A.now, propensity, A.version, first, A.disabled}, ' ')
if sticky == 0 and A.propensities then packed = packed .. ' ' .. A.propensities end
local entry = {KEYS[6], '*', 'd', packed}
if A.userId then entry[#entry + 1] = 'u'; entry[#entry + 1] = A.userId end
if A.context then entry[#entry + 1] = 'c'; entry[#entry + 1] = A.context end
if A.traceparent then entry[#entry + 1] = 'w'; entry[#entry + 1] = A.traceparent end
if A.excludedBy then entry[#entry + 1] = 'x'; entry[#entry + 1] = A.excludedBy end
redis.call('XADD', unpack(entry))
trimLog(KEYS[6], A.trim)

-- Default reward (issue 11): the decision goes on the due set in the same step that counts it, as
-- the member reward.lua removes and the sweep reads: nonce|population|issuedAt|armId|propensity|userKey
-- (redis-keys.ts dueMember), the propensity as the hex digits of its double (lib.lua hexDouble): the
-- member built from the decision token is this one, and no number is formatted as JavaScript would.
if A.dueAt then
  redis.call('ZADD', KEYS[7], A.dueAt, table.concat({A.nonce, pop, A.now, served, hexDouble(tonumber(propensity)), A.userKey or ''}, '|'))
end
if A.stats then
  return {served, propensity, sticky, first, redis.call('HGET', meta, 'arms'), redis.call('HGETALL', tallies)}
end
return {served, propensity, sticky, first}
