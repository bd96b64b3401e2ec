--[[
  Records one reward event exactly once per decision key: dedupe, tally of the population, the
  arm's rolling guardrail window, and the automatic disable when a limit is breached (with a
  version bump). Mirrors MemoryStore.recordReward and guardrail-check.ts branch for branch.

  Sums are added as Lua doubles and stored with 17 significant digits, so they round-trip exactly
  and equal the embedded store's sums bit for bit.

  KEYS[1]  meta hash                      <prefix>{exp:<id>}:m
  KEYS[2]  tallies hash                   <prefix>{exp:<id>}:t
  KEYS[3]  dedupe set of the decision's issuedAt bucket   <prefix>{exp:<id>}:d:<bucket>
  KEYS[4]  the arm's window events list   <prefix>{exp:<id>}:e:<armId>
  KEYS[5]  the arm's window latency zset  <prefix>{exp:<id>}:l:<armId>
  KEYS[6]  window counters hash           <prefix>{exp:<id>}:w

  ARGV[1]  armId
  ARGV[2]  population: b | h | x
  ARGV[3]  decision key
  ARGV[4]  seconds KEYS[3] must live
  ARGV[5]  reward, '' when absent
  ARGV[6]  latencyMs, '' when absent
  ARGV[7]  cost, '' when absent
  ARGV[8]  error: '1' | '0'
  ARGV[9]  window size (events kept per arm)
  ARGV[10] '1' to check the guardrails (guardrails on and not the baseline arm)
  ARGV[11] minSamples
  ARGV[12] latencyP95Ms limit, '' when off
  ARGV[13] meanCost limit, '' when off
  ARGV[14] errorRate limit, '' when off
  ARGV[15] now, ISO time written into an automatic disable

  Returns
     1                    accepted
    {guardrail, observed} accepted, and the arm was disabled (observed as a decimal string)
    -1  no such experiment or arm
    -3  duplicate: this decision key was already recorded
]]
local meta, tallies, dedupe, events, latencies, counters = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local arm = ARGV[1]
local function num(x) return string.format('%.17g', x) end
local function hnum(key, field) return tonumber(redis.call('HGET', key, field) or '0') end

if redis.call('HEXISTS', meta, 'a:' .. arm) == 0 then return -1 end
if redis.call('SADD', dedupe, ARGV[3]) == 0 then return -3 end
redis.call('EXPIRE', dedupe, ARGV[4])

-- Tally (only an event that carried a reward).
if ARGV[5] ~= '' then
  local pop, r = ARGV[2], tonumber(ARGV[5])
  redis.call('HINCRBY', tallies, pop .. 'r:' .. arm, 1)
  redis.call('HSET', tallies, pop .. 's:' .. arm, num(hnum(tallies, pop .. 's:' .. arm) + r),
    pop .. 'q:' .. arm, num(hnum(tallies, pop .. 'q:' .. arm) + r * r))
end

-- Window: push the event, then evict the oldest beyond the window size.
local latency, cost, err = ARGV[6], ARGV[7], ARGV[8]
local seq = redis.call('HINCRBY', counters, 'q:' .. arm, 1)
local length = redis.call('RPUSH', events, seq .. '|' .. latency .. '|' .. cost .. '|' .. err)
if latency ~= '' then redis.call('ZADD', latencies, latency, seq) end
local costSamples, costSum = hnum(counters, 'c:' .. arm), hnum(counters, 's:' .. arm)
local errors = hnum(counters, 'e:' .. arm)
if cost ~= '' then costSamples = costSamples + 1; costSum = costSum + tonumber(cost) end
if err == '1' then errors = errors + 1 end
local size = tonumber(ARGV[9])
while length > size do
  local oldSeq, oldLatency, oldCost, oldErr = string.match(redis.call('LPOP', events), '^(%d+)|([^|]*)|([^|]*)|(%d)$')
  length = length - 1
  if oldLatency ~= '' then redis.call('ZREM', latencies, oldSeq) end
  if oldCost ~= '' then costSamples = costSamples - 1; costSum = costSum - tonumber(oldCost) end
  if oldErr == '1' then errors = errors - 1 end
end
redis.call('HSET', counters, 'c:' .. arm, costSamples, 's:' .. arm, num(costSum), 'e:' .. arm, errors)

-- Guardrails: never the baseline, never an arm already disabled.
if ARGV[10] ~= '1' or redis.call('HEXISTS', meta, 'd:' .. arm) == 1 then return 1 end
local minSamples = tonumber(ARGV[11])
local name, observed, limit
if ARGV[12] ~= '' then
  -- Nearest-rank p95 > limit exactly when fewer than ceil(0.95 n) values are at or below it.
  local n = redis.call('ZCARD', latencies)
  local rank = math.ceil(0.95 * n)
  if n >= minSamples and redis.call('ZCOUNT', latencies, '-inf', ARGV[12]) < rank then
    name, limit = 'latencyP95Ms', ARGV[12]
    observed = redis.call('ZRANGE', latencies, rank - 1, rank - 1, 'WITHSCORES')[2]
  end
end
if not name and ARGV[13] ~= '' and costSamples >= minSamples then
  local mean = costSum / costSamples
  if mean > tonumber(ARGV[13]) then name, observed, limit = 'meanCost', num(mean), ARGV[13] end
end
if not name and ARGV[14] ~= '' and length >= minSamples then
  local rate = errors / length
  if rate > tonumber(ARGV[14]) then name, observed, limit = 'errorRate', num(rate), ARGV[14] end
end
if not name then return 1 end

-- The reason text is derived from `guardrail` when read (breachReason in guardrail-check.ts).
redis.call('HSET', meta, 'd:' .. arm, '{"source":"guardrail","at":' .. cjson.encode(ARGV[15])
  .. ',"guardrail":{"guardrail":"' .. name .. '","observed":' .. observed .. ',"limit":' .. limit .. '}}')
redis.call('HINCRBY', meta, 'v', 1)
return {name, observed}
