--[[
  Metrics (issue 22): a library prepended to signal.lua and reward.lua (redis-store.ts joins the
  text), so both steps count a metric the same way. Mirrors memory-metrics.ts and
  bandit/metric-guardrail.ts branch for branch.

  spec (the packed argument's metrics field, redis-script-args.ts metricsField): {w = window size,
    d = true when a breach may disable the arm (not the baseline), m = {{name, value text, guardrail
    minSamples, max, min}, ...}} with the guardrail's three only when the metric has one (cjson.null
    for a missing bound). Names are [a-z0-9_] and a value's text is JavaScript's String(number), so
    it is also its JSON in the event log.

  The metric sums hash (binary doubles: exact, and no number formatting on the hot path): for the
  bandit and holdback populations C|<pop>|<name>|<arm> -> struct.pack('<ddddddddd', count, sum,
  sum of squares, then the six user-level sums below), one field per metric and arm (issue 26; a
  release before kept them in two fields, <pop>|<name>|<arm> and U|<pop>|<name>|<arm>, which are
  still read and are folded into the C| field by the first step that counts the metric again:
  withLegacySums); for the excluded population x|<name>|<arm> -> struct.pack('<ddd', count, sum,
  sum of squares); and for a guarded metric
  w|<name>|<arm> (the window's values, packed doubles, oldest first) and ws|<name>|<arm> (their
  running sum, as text). Each (decision, name) is counted once: its member <decision key>|<name>
  in the decision's dedupe set.

  User-level sums (bandit and holdback populations; bandit/metric-compare.ts addUnitValue): the
  C| field's last six doubles, units, sum S, count N, sum S_i^2, sum N_i^2, sum S_i N_i over units (a user on the arm; a decision without a user is one); a user's
  unit's state in the step's per-user hash (<prefix>{exp:<id>}:u, with the reward's per-user
  sums): <pop><userKey>|<name>|<arm> -> struct.pack('<dd', S, N). A unit is a (user, arm) pair.
]]
-- The decoded spec as the steps use it: m = {{n = name, v = value, t = its text, g = guardrail or nil}}.
local function readMetricSpec(packed)
  local spec = {w = packed.w, d = packed.d, m = {}}
  for i, x in ipairs(packed.m) do
    local g = nil
    if x[3] then
      g = {ms = x[3], max = x[4] ~= cjson.null and x[4] or nil, min = x[5] ~= cjson.null and x[5] or nil}
    end
    spec.m[i] = {n = x[1], v = tonumber(x[2]), t = x[2], g = g}
  end
  return spec
end

-- The dedupe claim of a step, one membership check and one SADD for the decision and every metric
-- (or one SADD alone when there is a single member). With withDecision, the decision key itself
-- is claimed too (the reward step): false when it was recorded already (nothing is written).
-- Marks each metric of spec.m fresh or not; returns true when the step goes on.
local function claimMetrics(dedupe, decisionKey, spec, withDecision)
  local members, off = {}, withDecision and 1 or 0
  if withDecision then members[1] = decisionKey end
  for i, m in ipairs(spec.m) do members[i + off] = decisionKey .. '|' .. m.n end
  if #members == 1 then
    local added = redis.call('SADD', dedupe, members[1])
    if withDecision then return added == 1 end
    spec.m[1].fresh = added == 1
    return true
  end
  local seen = redis.call('SMISMEMBER', dedupe, unpack(members))
  if withDecision and seen[1] == 1 then return false end
  local fresh = {}
  for i = 1, #members do if seen[i] == 0 then fresh[#fresh + 1] = members[i] end end
  for i, m in ipairs(spec.m) do m.fresh = seen[i + off] == 0 end
  if #fresh > 0 then redis.call('SADD', dedupe, unpack(fresh)) end
  return true
end

local function metricBreach(name, samples, sum, g)
  if samples < g.ms or samples == 0 then return nil end
  local observed = sum / samples
  if g.max and observed > g.max then return {'metric:' .. name, num(observed), num(g.max)} end
  if g.min and observed < g.min then return {'metric:' .. name, num(observed), num(g.min)} end
  return nil
end

-- The per-user hash fields of the units' states of the fresh metrics, in spec.m's order.
local function metricStateFields(spec, pop, userKey, arm)
  local fields = {}
  for _, m in ipairs(spec.m) do if m.fresh then fields[#fields + 1] = pop .. userKey .. '|' .. m.n .. '|' .. arm end end
  return fields
end

-- The sums of a bandit or holdback metric as a release before issue 26 kept them (two fields:
-- <pop>|<name>|<arm> '<ddd' and U|<pop>|<name>|<arm> '<dddddd'), for the metrics whose C| field is
-- missing (d[i] false): folded into d as the C| layout, and the old fields deleted (their values
-- are in the C| field this step writes). Once per metric, arm and population at most.
local function withLegacySums(sums, pop, arm, counted, d)
  local old, at = {}, {}
  for i, m in ipairs(counted) do
    if not d[i] then
      old[#old + 1] = pop .. '|' .. m.n .. '|' .. arm; old[#old + 1] = 'U|' .. pop .. '|' .. m.n .. '|' .. arm
      at[#at + 1] = i
    end
  end
  if #old == 0 then return d end
  local got, found = redis.call('HMGET', sums, unpack(old)), false
  for j, i in ipairs(at) do
    local a, b = got[2 * j - 1], got[2 * j]
    if a or b then
      found = true
      local n, s, q = 0, 0, 0
      if a then n, s, q = struct.unpack('<ddd', a) end
      local units, us, un, uss, unn, usn = 0, 0, 0, 0, 0, 0
      if b then units, us, un, uss, unn, usn = struct.unpack('<dddddd', b) end
      d[i] = struct.pack('<ddddddddd', n, s, q, units, us, un, uss, unn, usn)
    end
  end
  if found then redis.call('HDEL', sums, unpack(old)) end
  return d
end

-- Counts each metric of spec.m that claimMetrics marked fresh into the sums hash: one HMGET and one
-- HSET for all of them (plus the window of a guarded one), and with users (a table {hash, key, ttl}
-- or nil) their units' states: read with one HMGET unless users.states holds them (read by the
-- caller with its own fields, users.fields), written with one HSET and EXPIRE unless users.writes is a table the
-- caller writes (the reward step, which writes its per-user sums there too). Returns the counted
-- ones and the first breach among them (nil when none).
local function recordMetrics(spec, sums, arm, pop, users)
  local counted, fields, breach = {}, {}, nil
  local userLevel = pop ~= 'x'
  local prefix = userLevel and 'C|' .. pop .. '|' or pop .. '|'
  for _, m in ipairs(spec.m) do
    if m.fresh then
      counted[#counted + 1] = m
      fields[#fields + 1] = prefix .. m.n .. '|' .. arm
    end
  end
  local c = #counted
  if c == 0 then return counted, nil end
  local d = redis.call('HMGET', sums, unpack(fields))
  if userLevel then d = withLegacySums(sums, pop, arm, counted, d) end
  local states, stateFields = {}, {}
  if userLevel and users then
    stateFields = users.fields or metricStateFields(spec, pop, users.key, arm)
    states = users.states or redis.call('HMGET', users.hash, unpack(stateFields))
  end
  local writes, userWrites = {}, {}
  for i, m in ipairs(counted) do
    local v = m.v
    writes[#writes + 1] = fields[i]
    if userLevel then
      local n, s, q, units, us, un, uss, unn, usn = 0, 0, 0, 0, 0, 0, 0, 0, 0
      if d[i] then n, s, q, units, us, un, uss, unn, usn = struct.unpack('<ddddddddd', d[i]) end
      local ps, pn = 0, 0
      if states[i] then ps, pn = struct.unpack('<dd', states[i]) end
      if pn == 0 then units = units + 1 end
      writes[#writes + 1] = struct.pack('<ddddddddd', n + 1, s + v, q + v * v,
        units, us + v, un + 1, uss + (2 * ps * v + v * v), unn + (2 * pn + 1), usn + (ps + v * pn + v))
      if users then userWrites[#userWrites + 1] = stateFields[i]; userWrites[#userWrites + 1] = struct.pack('<dd', ps + v, pn + 1) end
    else
      local n, s, q = 0, 0, 0
      if d[i] then n, s, q = struct.unpack('<ddd', d[i]) end
      writes[#writes + 1] = struct.pack('<ddd', n + 1, s + v, q + v * v)
    end
    if m.g then
      local wf = m.n .. '|' .. arm
      local w = redis.call('HMGET', sums, 'w|' .. wf, 'ws|' .. wf)
      local packed, wsum = (w[1] or '') .. struct.pack('<d', v), tonumber(w[2] or '0') + v
      while #packed > spec.w * 8 do
        wsum = wsum - struct.unpack('<d', packed)
        packed = string.sub(packed, 9)
      end
      writes[#writes + 1] = 'w|' .. wf; writes[#writes + 1] = packed
      writes[#writes + 1] = 'ws|' .. wf; writes[#writes + 1] = num(wsum)
      if not breach then breach = metricBreach(m.n, #packed / 8, wsum, m.g) end
    end
  end
  redis.call('HSET', sums, unpack(writes))
  if users and users.writes then
    for _, x in ipairs(userWrites) do users.writes[#users.writes + 1] = x end
  elseif #userWrites > 0 then
    redis.call('HSET', users.hash, unpack(userWrites))
    redis.call('EXPIRE', users.hash, users.ttl)
  end
  return counted, breach
end

-- The event log's JSON of the counted metrics, name -> value (the caller's text of each value).
local function metricsJson(counted)
  local parts = {}
  for i, m in ipairs(counted) do parts[i] = '"' .. m.n .. '":' .. m.t end
  return '{' .. table.concat(parts, ',') .. '}'
end

-- The automatic disable of a metric breach (lib.lua disableArm, as reward.lua writes a built-in one). Never the baseline (spec.d), never an arm already disabled. True when written.
local function disableForMetric(meta, arm, spec, breach, nowIso)
  if not breach or not spec.d or redis.call('HEXISTS', meta, 'd:' .. arm) == 1 then return false end
  disableArm(meta, arm, nowIso, breach[1], breach[2], breach[3])
  return true
end
