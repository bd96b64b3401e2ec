--[[
  Records one reward event exactly once per decision key: dedupe, tally of the population, the
  arm's rolling guardrail window, and the automatic disable when a limit is breached (with a
  version bump). Mirrors MemoryStore.recordReward and bandit/guardrails.ts branch for branch.
  Prepended (redis-scripts.ts rewardScript): lib.lua, glr.lua and changes.lua (change detection,
  issue 24), metrics.lua (issue 22), linear.lua (issue 23), engine-sums.lua (issue 11: cost,
  discounted and hurdle sums), guardrail-window.lua (the window and its checks).

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
  KEYS[12] linear sums hash               <prefix>{exp:<id>}:L   (issue 23; see linear.lua; ~<armId>: as of the last restart, changes.lua)

  ARGV[1]  the packed argument, JSON: its fields are documented in redis-script-args.ts rewardArgs
           (A.arm, A.pop, A.key, A.reward, ...; A.metrics as metrics.lua reads it, A.change the
           spec changes.lua reads, A.linear the spec linear.lua reads)

  Returns
     1                    accepted
    {guardrail, observed} accepted, and the arm was disabled (observed as a decimal string)
    {guardrail, observed, limit} accepted, and a metric guardrail disabled the arm (issue 22)
    CODE.not_found  no such experiment or arm
    CODE.stale      the experiment's version is not A.version; reload the config and retry
    CODE.duplicate  this decision key was already recorded
    CODE.expired    this decision's default reward was applied already (issue 11)
]]
local A = cjson.decode(ARGV[1])
local meta, tallies, dedupe, events, counters = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local arm = A.arm
local armIndex, failed = armAndVersion(meta, arm, A.version)
if not armIndex then return failed end
local metricSpec = A.metrics and readMetricSpec(A.metrics) or nil
-- Default rewards (issue 11): a reward after the default is expired; any recorded one leaves the
-- due set (A.due: the member in today's form and in an earlier release's).
local defaults, applyDefault = A.defaults, A.defaults == 1
if (defaults == 0 or defaults == 2) and redis.call('ZSCORE', KEYS[9], A.key) then return CODE.expired end
if defaults == 2 then return redis.call('SISMEMBER', dedupe, A.key) == 1 and CODE.duplicate or CODE.expired end
local claimed
if metricSpec then claimed = claimMetrics(dedupe, A.key, metricSpec, true) else claimed = redis.call('SADD', dedupe, A.key) == 1 end
if not claimed then
  -- A default for a decision already rewarded: its due entry goes too, so the sweep never meets it
  -- again (the embedded store keys the entry by decision and drops it with the reward).
  if applyDefault then redis.call('ZREM', KEYS[8], unpack(A.due)) end
  return CODE.duplicate
end
redis.call('EXPIRE', dedupe, A.dedupeTtl)
if defaults then
  redis.call('ZREM', KEYS[8], unpack(A.due))
  if applyDefault then
    -- Forget the defaults whose reward window is over.
    redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', '(' .. string.format('%d', math.floor(A.nowS)))
    redis.call('ZADD', KEYS[9], A.forgetAt, A.key)
  end
end

-- Tally (only an event that carried a reward): the population's count r, sum s and sum of squares
-- q of the arm, and per-user sums (issue 8): the user's reward sum S and count N in this population
-- (bandit or holdback), and over users the sums of S^2, N^2 and S*N this reward changes, for the
-- delta-method variance of the user-level mean. User entry: struct.pack('<dd', S, N), 16 bytes.
-- Without a userId (A.user absent) each decision is its own user: S^2 += r^2, N^2 += 1, S*N += r.
-- The tallies are read with one HMGET and written with one HSET; the per-user hash KEYS[6] too, with
-- the metrics' units' states (issue 22; metrics.lua): userHash.writes is written after the metrics.
local userHash = (A.user and A.pop ~= 'x') and {hash = KEYS[6], key = A.user, ttl = A.userTtl, writes = {}} or nil
if A.reward then
  local pop, r = A.pop, tonumber(A.reward)
  local fr, fs, fq = pop .. 'r:' .. arm, pop .. 's:' .. arm, pop .. 'q:' .. arm
  if pop == 'x' then
    local t = redis.call('HMGET', tallies, fr, fs, fq)
    redis.call('HSET', tallies, fr, (tonumber(t[1]) or 0) + 1, fs, num((tonumber(t[2]) or 0) + r), fq, num((tonumber(t[3]) or 0) + r * r))
  else
    local s, n = 0, 0
    if userHash then
      local field = pop .. A.user
      local stateFields = metricSpec and metricStateFields(metricSpec, pop, A.user, arm) or {}
      local got = redis.call('HMGET', KEYS[6], field, unpack(stateFields))
      if got[1] then s, n = struct.unpack('<dd', got[1]) end
      if #stateFields > 0 then userHash.states, userHash.fields = {unpack(got, 2, #stateFields + 1)}, stateFields end
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
if A.change and A.reward then record_change(A.change, KEYS[11], tallies, meta, arm, tonumber(A.reward), KEYS[12]) end
-- Engine sums (issue 11): engine-sums.lua.
recordEngineSums(A, tallies, arm)
-- Linear sums (issue 23): the arm's linear-model sums (linear.lua), once with the reward.
-- With changeDetection (issue 24), a late reward is added to the sums as of the arm's last restart too.
if A.linear then
  recordLinear(A.linear, KEYS[12], arm, tonumber(A.reward))
  if change_late then recordLinear(A.linear, KEYS[12], '~' .. arm, tonumber(A.reward)) end
end

-- Metrics (issue 22): counted in this step, each once per decision and name (a duplicate reward
-- returned above, so a retry counts none of them).
local metricsCounted, metricBreachFound = {}, nil
if metricSpec then metricsCounted, metricBreachFound = recordMetrics(metricSpec, KEYS[10], arm, A.pop, userHash) end
if userHash and #userHash.writes > 0 then
  redis.call('HSET', KEYS[6], unpack(userHash.writes))
  redis.call('EXPIRE', KEYS[6], A.userTtl)
end

-- Event log: the accepted reward, in the same step that counts it (before the guardrails, which may
-- return early). Field r packs, space-separated: the nonce (the decision key), the arm index (from
-- 1), population, the decision's issuedAt, its propensity, reward, latencyMs, cost ('' when
-- absent), error 1|0; then m metadata and k the token's user key (issue 8) when present. Entry ids
-- and the trim by age are Redis's clock, as in assign.lua.
-- A function, so that a default reward (issue 11) is logged too before it returns early.
local function logReward()
  local entry = {KEYS[7], '*', 'r', table.concat({A.key, armIndex, A.pop, A.issuedAt, A.propensity,
    A.reward or '', A.latency or '', A.cost or '', A.error}, ' ')}
  if A.metadata then entry[#entry + 1] = 'm'; entry[#entry + 1] = A.metadata end
  if A.user then entry[#entry + 1] = 'k'; entry[#entry + 1] = A.user end
  -- M: the metrics counted with the reward (issue 22), as a JSON object name -> value
  if #metricsCounted > 0 then entry[#entry + 1] = 'M'; entry[#entry + 1] = metricsJson(metricsCounted) end
  redis.call('XADD', unpack(entry))
  trimLog(KEYS[7], A.trim)
end

-- A default reward (issue 11) is counted and logged, but it is no event of the arm's guardrail window.
if applyDefault then logReward(); return 1 end

-- The guardrail window (guardrail-window.lua), then the log.
local window = pushWindowEvent(A, events, counters, arm)
logReward()

-- A metric guardrail's breach (issue 22) disables the arm first, as in MemoryStore.recordReward.
if metricSpec and disableForMetric(meta, arm, metricSpec, metricBreachFound, A.now) then return metricBreachFound end

local breach = windowBreach(A, window, events, meta, arm)
if not breach then return 1 end
disableArm(meta, arm, A.now, breach[1], breach[2], breach[3])
return {breach[1], breach[2]}
