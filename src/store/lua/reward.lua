--[[
  Records one reward event exactly once per decision key: dedupe, tally of the population, the
  arm's rolling guardrail window, and the automatic disable when a limit is breached (with a
  version bump). Mirrors MemoryStore.recordReward and bandit/guardrails.ts branch for branch.

  Sums are added as Lua doubles and stored with 17 significant digits, so they round-trip exactly
  and equal the embedded store's sums bit for bit.

  KEYS[1]  meta hash                      <prefix>{exp:<id>}:m
  KEYS[2]  tallies hash                   <prefix>{exp:<id>}:t
  KEYS[3]  dedupe set of the decision's issuedAt bucket   <prefix>{exp:<id>}:d:<bucket>
  KEYS[4]  the arm's window events list   <prefix>{exp:<id>}:e:<armId>
  KEYS[5]  window counters hash           <prefix>{exp:<id>}:w
  KEYS[6]  per-user reward sums hash      <prefix>{exp:<id>}:u   (issue 8: the user-level lift)
  KEYS[7]  event log stream               <prefix>{exp:<id>}:l
  KEYS[8]  default rewards: due set       <prefix>{exp:<id>}:dd   (issue 11)
  KEYS[9]  default rewards: defaulted set <prefix>{exp:<id>}:df
  KEYS[10] metric sums hash               <prefix>{exp:<id>}:M   (issue 22)
  KEYS[11] change detection: detectors hash <prefix>{exp:<id>}:g   (issue 24; see changes.lua)
  KEYS[12] linear sums hash               <prefix>{exp:<id>}:L   (issue 23; see linear.lua)

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
  ARGV[16] the experiment version the caller's config is from ('' to skip the check): a
           reward decided with old limits is refused (-2) before anything is written
  ARGV[17] user key (12 characters, from the decision id), '' without a userId
  ARGV[18] seconds KEYS[6] must live (stickyTtlSeconds + rewardWindowSeconds + margin)
  ARGV[19] event log: the decision's issuedAt, unix seconds
  ARGV[20] event log: the decision's propensity
  ARGV[21] event log: metadata JSON, '' when absent
  ARGV[22] event log: eventRetentionSeconds to trim entries older than Redis TIME minus it; '' not this time
  -- engine sums (issue 11); the block below reads them from ARGV[E] on
  ARGV[23] discount half-life in seconds, '' when off
  ARGV[24] '1' to keep the cost sums of the population (objective or discount), else '0'
  ARGV[25] now in unix seconds (fractional), the time the discounted sums are valued at
  -- default rewards (issue 11)
  ARGV[26] '' the experiment has no defaultReward; '0' it has one; '1' this call applies it;
           '2' the reward came after afterSeconds (expired unless a duplicate; nothing recorded)
  ARGV[27] the due-set member of this decision (key|population|issuedAt|armId|propensity|userKey)
  ARGV[28] unix seconds until which an applied default is remembered (issuedAt + rewardWindowSeconds)
  -- metrics (issue 22)
  ARGV[29] '' or the metrics sent with the reward: a spec text as metrics.lua describes (counted
           into KEYS[10]). metrics.lua is prepended to this script. Each (decision, name) counts
           once; the decision and its metrics are claimed in one SMISMEMBER and one SADD.
  -- hurdle sums (rewardShape hurdle-lognormal, bandit/hurdle.ts)
  ARGV[30] '1' to keep the population's hurdle sums, else '0' (absent: '0')
  -- change detection (issue 24)
  ARGV[31] '' or the arm's change test: the spec changes.lua describes (cjson), prepended with glr.lua;
           the script's wrapper (redis-store.ts) returns {'~change', detectedAt, at, reply} when it fires
  -- linear sums (issue 23)
  ARGV[32] '' or a linear policy's spec as linear.lua describes (counted into KEYS[12]). linear.lua
           is prepended to this script.

  The p95 check needs no sorted set: the window counters keep how many of the window's latencies
  are at or below the limit (u:<armId>, counted for the limit in ul:<armId>), updated per event
  and recounted from the list when the limit changes. The list is sorted only on a breach, for the
  observed value.

  Returns
     1                    accepted
    {guardrail, observed} accepted, and the arm was disabled (observed as a decimal string)
    {guardrail, observed, limit} accepted, and a metric guardrail disabled the arm (issue 22)
    -1  no such experiment or arm
    -2  stale: the experiment's version is not ARGV[16]; reload the config and retry
    -3  duplicate: this decision key was already recorded
    -5  expired: this decision's default reward was applied already (issue 11)
]]
local meta, tallies, dedupe, events, counters = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local arm = ARGV[1]
local function num(x) return string.format('%.17g', x) end
local function hnum(key, field) return tonumber(redis.call('HGET', key, field) or '0') end
-- The latencies of the arm's window events, oldest first (events without one are skipped).
local function windowLatencies()
  local values = {}
  for _, ev in ipairs(redis.call('LRANGE', events, 0, -1)) do
    local l = string.match(ev, '^%d+|([^|]*)|')
    if l ~= '' then values[#values + 1] = tonumber(l) end
  end
  return values
end

-- The arm's index (for the log) and the version, in one read.
local armIndexAndVersion = redis.call('HMGET', meta, 'a:' .. arm, 'v')
if not armIndexAndVersion[1] then return -1 end
-- Version check (issue 10): the guardrails were decided with the caller's config.
if ARGV[16] ~= nil and ARGV[16] ~= '' and armIndexAndVersion[2] ~= ARGV[16] then return -2 end
local metricSpec = (ARGV[29] or '') ~= '' and readMetricSpec(ARGV[29]) or nil
-- Default rewards (issue 11): a reward after the default is expired; any recorded one leaves the due set.
local D = 26
local defaults, applyDefault = ARGV[D], ARGV[D] == '1'
if (defaults == '0' or defaults == '2') and redis.call('ZSCORE', KEYS[9], ARGV[3]) then return -5 end
if defaults == '2' then return redis.call('SISMEMBER', dedupe, ARGV[3]) == 1 and -3 or -5 end
local claimed
if metricSpec then claimed = claimMetrics(dedupe, ARGV[3], metricSpec, true) else claimed = redis.call('SADD', dedupe, ARGV[3]) == 1 end
if not claimed then
  -- A default for a decision already rewarded: its due entry goes too, so the sweep never meets it
  -- again (the embedded store keys the entry by decision and drops it with the reward).
  if applyDefault then redis.call('ZREM', KEYS[8], ARGV[D + 1]) end
  return -3
end
redis.call('EXPIRE', dedupe, ARGV[4])
if defaults ~= '' then
  redis.call('ZREM', KEYS[8], ARGV[D + 1])
  if applyDefault then
    -- Forget the defaults whose reward window is over (ARGV[25] is now, in seconds).
    redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', '(' .. string.format('%d', math.floor(tonumber(ARGV[25]))))
    redis.call('ZADD', KEYS[9], ARGV[D + 2], ARGV[3])
  end
end

-- Tally (only an event that carried a reward): the population's count r, sum s and sum of squares
-- q of the arm, and per-user sums (issue 8): the user's reward sum S and count N in this population
-- (bandit or holdback), and over users the sums of S^2, N^2 and S*N this reward changes, for the
-- delta-method variance of the user-level mean. User entry: struct.pack('<dd', S, N), 16 bytes.
-- Without a userId (ARGV[17] '') each decision is its own user: S^2 += r^2, N^2 += 1, S*N += r.
-- The tallies are read with one HMGET and written with one HSET; the per-user hash KEYS[6] too, with
-- the metrics' units' states (issue 22; metrics.lua): userHash.writes is written after the metrics.
local userHash = (ARGV[17] ~= '' and ARGV[2] ~= 'x') and {hash = KEYS[6], key = ARGV[17], ttl = ARGV[18], writes = {}} or nil
if ARGV[5] ~= '' then
  local pop, r = ARGV[2], tonumber(ARGV[5])
  local fr, fs, fq = pop .. 'r:' .. arm, pop .. 's:' .. arm, pop .. 'q:' .. arm
  if pop == 'x' then
    local t = redis.call('HMGET', tallies, fr, fs, fq)
    redis.call('HSET', tallies, fr, (tonumber(t[1]) or 0) + 1, fs, num((tonumber(t[2]) or 0) + r), fq, num((tonumber(t[3]) or 0) + r * r))
  else
    local s, n = 0, 0
    if userHash then
      local field = pop .. ARGV[17]
      local stateFields = metricSpec and metricStateFields(metricSpec, pop, ARGV[17], arm) or {}
      local got = redis.call('HMGET', KEYS[6], field, unpack(stateFields))
      if got[1] then s, n = struct.unpack('<dd', got[1]) end
      if #stateFields > 0 then userHash.states = {unpack(got, 2, #stateFields + 1)} end
      userHash.writes[1] = field; userHash.writes[2] = struct.pack('<dd', s + r, n + 1)
    end
    local fss, fnn, fsn = pop .. '~ss', pop .. '~nn', pop .. '~sn'
    local t = redis.call('HMGET', tallies, fr, fs, fq, fss, fnn, fsn)
    redis.call('HSET', tallies, fr, (tonumber(t[1]) or 0) + 1, fs, num((tonumber(t[2]) or 0) + r), fq, num((tonumber(t[3]) or 0) + r * r),
      fss, num((tonumber(t[4]) or 0) + (2 * s * r + r * r)), fnn, num((tonumber(t[5]) or 0) + (2 * n + 1)),
      fsn, num((tonumber(t[6]) or 0) + (s + r * n + r)))
  end
end
-- Change detection (issue 24): the arm's GLR test, after the tally (changes.lua).
if ARGV[31] ~= nil and ARGV[31] ~= '' and ARGV[5] ~= '' then record_change(cjson.decode(ARGV[31]), KEYS[11], tallies, meta, arm, tonumber(ARGV[5])) end

-- Engine sums (issue 11): costs and discounted sums of the population, as MemoryStore's
-- addEngineSums (engine-sums.ts, discount.ts): fields <pop>cn/cs/cq:<arm> (cost count, sum, sum
-- of squares) and <pop>Dr/Ds/Dq/Dcn/Dcs/Dcq/Dt:<arm> (the same decayed, valued at time Dt).
local E = 23
local halfLife, keepCost, nowS = tonumber(ARGV[E]), ARGV[E + 1] == '1', tonumber(ARGV[E + 2])
if halfLife or keepCost then
  local p, r = ARGV[2], tonumber(ARGV[5])
  local c = keepCost and tonumber(ARGV[7]) or nil
  if c then
    redis.call('HINCRBY', tallies, p .. 'cn:' .. arm, 1)
    redis.call('HSET', tallies, p .. 'cs:' .. arm, num(hnum(tallies, p .. 'cs:' .. arm) + c),
      p .. 'cq:' .. arm, num(hnum(tallies, p .. 'cq:' .. arm) + c * c))
  end
  if halfLife then
    local names = {'Dr:', 'Ds:', 'Dq:', 'Dcn:', 'Dcs:', 'Dcq:', 'Dt:'}
    local fields = {}
    for i, n in ipairs(names) do fields[i] = p .. n .. arm end
    local d = redis.call('HMGET', tallies, unpack(fields))
    local v = {}
    for i = 1, 6 do v[i] = tonumber(d[i] or '0') end
    local at = tonumber(d[7]) or nowS
    -- decayTo: bring the sums to max(at, now); an observation older than `at` gets its own decay.
    local f, w = 1, 1
    if nowS > at then f = math.pow(2, -(nowS - at) / halfLife); at = nowS end
    if at > nowS then w = math.pow(2, -(at - nowS) / halfLife) end
    for i = 1, 6 do v[i] = v[i] * f end
    if r then v[1] = v[1] + w; v[2] = v[2] + w * r; v[3] = v[3] + w * r * r end
    if c then v[4] = v[4] + w; v[5] = v[5] + w * c; v[6] = v[6] + w * c * c end
    redis.call('HSET', tallies, fields[1], num(v[1]), fields[2], num(v[2]), fields[3], num(v[3]),
      fields[4], num(v[4]), fields[5], num(v[5]), fields[6], num(v[6]), fields[7], num(at))
  end
end

-- Hurdle sums (rewardShape hurdle-lognormal), as MemoryStore's addEngineSums (engine-sums.ts,
-- bandit/hurdle.ts addHurdle): fields <pop>hk/hl/hq:<arm> (nonzero rewards, sum and sum of squares
-- of their logs); hk is created by the first reward, zero or not, so the sums' presence is known.
if ARGV[30] == '1' and ARGV[5] ~= '' then
  local p, r = ARGV[2], tonumber(ARGV[5])
  local hk, hl, hq = p .. 'hk:' .. arm, p .. 'hl:' .. arm, p .. 'hq:' .. arm
  if r > 0 then
    local l = math.log(r)
    redis.call('HSET', tallies, hk, num(hnum(tallies, hk) + 1), hl, num(hnum(tallies, hl) + l), hq, num(hnum(tallies, hq) + l * l))
  elseif not redis.call('HGET', tallies, hk) then
    redis.call('HSET', tallies, hk, '0', hl, '0', hq, '0')
  end
end
-- (end of the hurdle sums)

-- Linear sums (issue 23): the arm's linear-model sums (linear.lua), once with the reward.
if ARGV[32] ~= nil and ARGV[32] ~= '' then recordLinear(ARGV[32], KEYS[12], arm, tonumber(ARGV[5])) end

-- Metrics (issue 22): counted in this step, each once per decision and name (a duplicate reward
-- returned above, so a retry counts none of them).
local metricsCounted, metricBreachFound = {}, nil
if metricSpec then metricsCounted, metricBreachFound = recordMetrics(metricSpec, KEYS[10], arm, ARGV[2], userHash) end
if userHash and #userHash.writes > 0 then
  redis.call('HSET', KEYS[6], unpack(userHash.writes))
  redis.call('EXPIRE', KEYS[6], ARGV[18])
end

-- Event log: the accepted reward, in the same step that counts it (before the guardrails, which may
-- return early). Field r packs, space-separated: the nonce (the decision key), the arm index (from
-- 1), population, the decision's issuedAt, its propensity, reward, latencyMs, cost ('' when
-- absent), error 1|0; then m metadata and k the token's user key (issue 8) when present. Entry ids and the trim by age are Redis's
-- clock, as in assign.lua.
-- A function, so that a default reward (issue 11) is logged too before it returns early.
local function logReward()
  local entry = {KEYS[7], '*', 'r', table.concat({ARGV[3], armIndexAndVersion[1], ARGV[2], ARGV[19], ARGV[20],
    ARGV[5], ARGV[6], ARGV[7], ARGV[8]}, ' ')}
  if ARGV[21] ~= '' then entry[#entry + 1] = 'm'; entry[#entry + 1] = ARGV[21] end
  if ARGV[17] ~= '' then entry[#entry + 1] = 'k'; entry[#entry + 1] = ARGV[17] end
  -- M: the metrics counted with the reward (issue 22), as a JSON object name -> value
  if #metricsCounted > 0 then entry[#entry + 1] = 'M'; entry[#entry + 1] = metricsJson(metricsCounted) end
  redis.call('XADD', unpack(entry))
  if ARGV[22] ~= '' then
    local clock = redis.call('TIME')
    redis.call('XTRIM', KEYS[7], 'MINID', '~', string.format('%d', clock[1] * 1000 + math.floor(clock[2] / 1000) - tonumber(ARGV[22]) * 1000))
  end
end

-- A default reward (issue 11) is counted and logged, but it is no event of the arm's guardrail window.
if applyDefault then logReward(); return 1 end

-- Window counters; the latency counts are recounted from the list when the limit changed.
local limitText = ARGV[12]
local limit = tonumber(limitText)
local c = redis.call('HMGET', counters, 'c:' .. arm, 's:' .. arm, 'e:' .. arm, 'n:' .. arm, 'u:' .. arm, 'ul:' .. arm, 'q:' .. arm)
local costSamples, costSum, errors = tonumber(c[1] or '0'), tonumber(c[2] or '0'), tonumber(c[3] or '0')
local latencies, atOrBelow = tonumber(c[4] or '0'), tonumber(c[5] or '0')
if c[6] ~= limitText then
  local values = windowLatencies()
  latencies, atOrBelow = #values, 0
  if limit then
    for _, l in ipairs(values) do if l <= limit then atOrBelow = atOrBelow + 1 end end
  end
end

-- Window: push the event, then evict the oldest beyond the window size.
local latency, cost, err = ARGV[6], ARGV[7], ARGV[8]
local seq = (tonumber(c[7]) or 0) + 1
local length = redis.call('RPUSH', events, seq .. '|' .. latency .. '|' .. cost .. '|' .. err)
if latency ~= '' then
  latencies = latencies + 1
  if limit and tonumber(latency) <= limit then atOrBelow = atOrBelow + 1 end
end
if cost ~= '' then costSamples = costSamples + 1; costSum = costSum + tonumber(cost) end
if err == '1' then errors = errors + 1 end
local size = tonumber(ARGV[9])
while length > size do
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

logReward()

-- A metric guardrail's breach (issue 22) disables the arm first, as in MemoryStore.recordReward.
if metricSpec and disableForMetric(meta, arm, metricSpec, metricBreachFound, ARGV[15]) then return metricBreachFound end

-- Guardrails: never the baseline, never an arm already disabled.
if ARGV[10] ~= '1' or redis.call('HEXISTS', meta, 'd:' .. arm) == 1 then return 1 end
local minSamples = tonumber(ARGV[11])
local name, observed, bound
if limit then
  -- Nearest-rank p95 > limit exactly when fewer than ceil(0.95 n) values are at or below it.
  local rank = math.ceil(0.95 * latencies)
  if latencies >= minSamples and atOrBelow < rank then
    local values = windowLatencies()
    table.sort(values)
    name, observed, bound = 'latencyP95Ms', num(values[rank]), ARGV[12]
  end
end
if not name and ARGV[13] ~= '' and costSamples >= minSamples then
  local mean = costSum / costSamples
  if mean > tonumber(ARGV[13]) then name, observed, bound = 'meanCost', num(mean), ARGV[13] end
end
if not name and ARGV[14] ~= '' and length >= minSamples then
  local rate = errors / length
  if rate > tonumber(ARGV[14]) then name, observed, bound = 'errorRate', num(rate), ARGV[14] end
end
if not name then return 1 end

-- The reason text is derived from `guardrail` when read (breachReason in bandit/guardrails.ts).
redis.call('HSET', meta, 'd:' .. arm, '{"source":"guardrail","at":' .. cjson.encode(ARGV[15])
  .. ',"guardrail":{"guardrail":"' .. name .. '","observed":' .. observed .. ',"limit":' .. bound .. '}}')
redis.call('HINCRBY', meta, 'v', 1)
return {name, observed}
