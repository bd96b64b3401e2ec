--[[
  Metrics (issue 22): a library prepended to signal.lua and reward.lua (redis-store.ts joins the
  text), so both steps count a metric the same way. Mirrors memory-metrics.ts and
  bandit/metric-guardrail.ts branch for branch.

  spec (cjson, from the caller): {"k": metric sums hash <prefix>{exp:<id>}:M (same hash tag as
  the script's declared keys), "w": window size, "d": 1 when a breach may disable the arm (not
  the baseline), "m": [{"n": name, "v": value, "g": {"max"|"min": limit, "ms": minSamples}}]}

  The metric sums hash: <pop>|<name>|<arm> -> struct.pack('<ddd', count, sum, sum of squares)
  (binary doubles: exact, and no number formatting on the hot path), and for a guarded metric
  w|<name>|<arm> (the window's values, packed doubles, oldest first) and ws|<name>|<arm> (their
  running sum, as text). spec.l (optional) is the event log's JSON of every metric in spec.m,
  used when all of them are counted. Each (decision, name) is counted once: its member
  <decision key>|<name> in the decision's dedupe set.
]]
local function mnum(x) return string.format('%.17g', x) end

local function metricBreach(name, samples, sum, g)
  if samples < g.ms or samples == 0 then return nil end
  local observed = sum / samples
  if g.max and observed > g.max then return {'metric:' .. name, mnum(observed), mnum(g.max)} end
  if g.min and observed < g.min then return {'metric:' .. name, mnum(observed), mnum(g.min)} end
  return nil
end

-- Counts each metric of spec.m not yet recorded for the decision; returns the counted ones and the
-- first breach among them (nil when none). The dedupe check, the sums' read and their write are one
-- command each for all the metrics (SMISMEMBER, HMGET, HSET), so five metrics cost a few calls.
local function recordMetrics(spec, dedupe, arm, pop, decisionKey)
  local sums, counted, breach = spec.k, {}, nil
  local members = {}
  for i, m in ipairs(spec.m) do members[i] = decisionKey .. '|' .. m.n end
  local seen = redis.call('SMISMEMBER', dedupe, unpack(members))
  local fresh, fields = {}, {}
  for i, m in ipairs(spec.m) do
    if seen[i] == 0 then
      counted[#counted + 1] = m
      fresh[#fresh + 1] = members[i]
      fields[#fields + 1] = pop .. '|' .. m.n .. '|' .. arm
    end
  end
  if #counted == 0 then return counted, nil end
  redis.call('SADD', dedupe, unpack(fresh))
  local d = redis.call('HMGET', sums, unpack(fields))
  local writes = {}
  for i, m in ipairs(counted) do
    local v, n, s, q = m.v, 0, 0, 0
    if d[i] then n, s, q = struct.unpack('<ddd', d[i]) end
    writes[#writes + 1] = fields[i]; writes[#writes + 1] = struct.pack('<ddd', n + 1, s + v, q + v * v)
    if m.g then
      local wf = m.n .. '|' .. arm
      local w = redis.call('HMGET', sums, 'w|' .. wf, 'ws|' .. wf)
      local packed, wsum = (w[1] or '') .. struct.pack('<d', v), tonumber(w[2] or '0') + v
      while #packed > spec.w * 8 do
        wsum = wsum - struct.unpack('<d', packed)
        packed = string.sub(packed, 9)
      end
      writes[#writes + 1] = 'w|' .. wf; writes[#writes + 1] = packed
      writes[#writes + 1] = 'ws|' .. wf; writes[#writes + 1] = mnum(wsum)
      if not breach then breach = metricBreach(m.n, #packed / 8, wsum, m.g) end
    end
  end
  redis.call('HSET', sums, unpack(writes))
  return counted, breach
end

-- The automatic disable of a metric breach (as reward.lua writes a built-in one; the reason text is
-- derived when read). Never the baseline (spec.d), never an arm already disabled. True when written.
local function disableForMetric(meta, arm, spec, breach, nowIso)
  if not breach or spec.d ~= 1 or redis.call('HEXISTS', meta, 'd:' .. arm) == 1 then return false end
  redis.call('HSET', meta, 'd:' .. arm, '{"source":"guardrail","at":' .. cjson.encode(nowIso)
    .. ',"guardrail":{"guardrail":"' .. breach[1] .. '","observed":' .. breach[2] .. ',"limit":' .. breach[3] .. '}}')
  redis.call('HINCRBY', meta, 'v', 1)
  return true
end
