--[[
  The arm's guardrail window of the reward step (a library prepended to reward.lua by
  redis-scripts.ts). Mirrors MemoryStore.recordReward and bandit/guardrails.ts branch for branch.

  The events list (KEYS[4] of reward.lua) holds "seq|latency|cost|error", oldest first; the window
  counters hash (KEYS[5]) c:/s:/e:/n:/u:/ul:/q:<arm> (cost samples, cost sum, errors, latencies,
  latencies at or below ul, the p95 limit they were counted for, event sequence). The p95 check
  needs no sorted set: the counts of latencies at or below the limit are updated per event and
  recounted from the list when the limit changes; the list is sorted only on a breach, for the
  observed value.
]]
-- The latencies of the arm's window events, oldest first (events without one are skipped).
local function windowLatencies(events)
  local values = {}
  for _, ev in ipairs(redis.call('LRANGE', events, 0, -1)) do
    local l = string.match(ev, '^%d+|([^|]*)|')
    if l ~= '' then values[#values + 1] = tonumber(l) end
  end
  return values
end

-- Pushes the event (A: the reward's packed argument) and evicts the oldest beyond the window size;
-- returns the window's state {latencies, atOrBelow, costSamples, costSum, errors, length, limit}.
local function pushWindowEvent(A, events, counters, arm)
  local limitText = A.p95 or ''
  local limit = tonumber(A.p95)
  local c = redis.call('HMGET', counters, 'c:' .. arm, 's:' .. arm, 'e:' .. arm, 'n:' .. arm, 'u:' .. arm, 'ul:' .. arm, 'q:' .. arm)
  local costSamples, costSum, errors = tonumber(c[1] or '0'), tonumber(c[2] or '0'), tonumber(c[3] or '0')
  local latencies, atOrBelow = tonumber(c[4] or '0'), tonumber(c[5] or '0')
  if c[6] ~= limitText then
    local values = windowLatencies(events)
    latencies, atOrBelow = #values, 0
    if limit then
      for _, l in ipairs(values) do if l <= limit then atOrBelow = atOrBelow + 1 end end
    end
  end
  local latency, cost, err = A.latency or '', A.cost or '', A.error
  local seq = (tonumber(c[7]) or 0) + 1
  local length = redis.call('RPUSH', events, seq .. '|' .. latency .. '|' .. cost .. '|' .. err)
  if latency ~= '' then
    latencies = latencies + 1
    if limit and tonumber(latency) <= limit then atOrBelow = atOrBelow + 1 end
  end
  if cost ~= '' then costSamples = costSamples + 1; costSum = costSum + tonumber(cost) end
  if err == 1 then errors = errors + 1 end
  while length > A.windowSize do
    local oldLatency, oldCost, oldErr = string.match(redis.call('LPOP', events), '^%d+|([^|]*)|([^|]*)|(%d)$')
    length = length - 1
    if oldLatency ~= '' then
      latencies = latencies - 1
      if limit and tonumber(oldLatency) <= limit then atOrBelow = atOrBelow - 1 end
    end
    if oldCost ~= '' then costSamples = costSamples - 1; costSum = costSum - tonumber(oldCost) end
    if oldErr == '1' then errors = errors - 1 end
  end
  redis.call('HSET', counters, 'c:' .. arm, costSamples, 's:' .. arm, num(costSum), 'e:' .. arm, errors,
    'n:' .. arm, latencies, 'u:' .. arm, atOrBelow, 'ul:' .. arm, limitText, 'q:' .. arm, seq)
  return {latencies = latencies, atOrBelow = atOrBelow, costSamples = costSamples, costSum = costSum, errors = errors, length = length, limit = limit}
end

-- The first built-in guardrail the window breaches (p95 latency, mean cost, error rate), as
-- {name, observed text, limit text}, or nil. Never the baseline, never an arm already disabled.
local function windowBreach(A, w, events, meta, arm)
  if not A.guard or redis.call('HEXISTS', meta, 'd:' .. arm) == 1 then return nil end
  local minSamples = A.minSamples
  if w.limit then
    -- Nearest-rank p95 > limit exactly when fewer than ceil(0.95 n) values are at or below it.
    local rank = math.ceil(0.95 * w.latencies)
    if w.latencies >= minSamples and w.atOrBelow < rank then
      local values = windowLatencies(events)
      table.sort(values)
      return {'latencyP95Ms', num(values[rank]), A.p95}
    end
  end
  if A.meanCost and w.costSamples >= minSamples then
    local mean = w.costSum / w.costSamples
    if mean > tonumber(A.meanCost) then return {'meanCost', num(mean), A.meanCost} end
  end
  if A.errorRate and w.length >= minSamples then
    local rate = w.errors / w.length
    if rate > tonumber(A.errorRate) then return {'errorRate', num(rate), A.errorRate} end
  end
  return nil
end
