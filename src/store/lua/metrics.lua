--[[
  Metrics (issue 22): a library prepended to signal.lua and reward.lua (redis-store.ts joins the
  text), so both steps count a metric the same way. Mirrors memory-metrics.ts and
  bandit/metric-guardrail.ts branch for branch.

  spec (cjson, from the caller): {"k": metric sums hash <prefix>{exp:<id>}:M (same hash tag as
  the script's declared keys), "w": window size, "d": 1 when a breach may disable the arm (not
  the baseline), "m": [{"n": name, "v": value, "g": {"max"|"min": limit, "ms": minSamples}}]}

  The metric sums hash: n|<pop>|<name>|<arm>, s|..., q|... (count, sum, sum of squares), and for
  a guarded metric w|<name>|<arm> (the window's values, struct-packed doubles, oldest first) and
  ws|<name>|<arm> (their running sum). Each (decision, name) is counted once: its member
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
-- first breach among them (nil when none).
local function recordMetrics(spec, dedupe, arm, pop, decisionKey)
  local sums, counted, breach = spec.k, {}, nil
  for _, m in ipairs(spec.m) do
    if redis.call('SADD', dedupe, decisionKey .. '|' .. m.n) == 1 then
      counted[#counted + 1] = m
      local v, f = m.v, pop .. '|' .. m.n .. '|' .. arm
      local d = redis.call('HMGET', sums, 'n|' .. f, 's|' .. f, 'q|' .. f)
      redis.call('HSET', sums, 'n|' .. f, tonumber(d[1] or '0') + 1, 's|' .. f, mnum(tonumber(d[2] or '0') + v),
        'q|' .. f, mnum(tonumber(d[3] or '0') + v * v))
      if m.g then
        local wf = m.n .. '|' .. arm
        local w = redis.call('HMGET', sums, 'w|' .. wf, 'ws|' .. wf)
        local packed, wsum = (w[1] or '') .. struct.pack('<d', v), tonumber(w[2] or '0') + v
        while #packed > spec.w * 8 do
          wsum = wsum - struct.unpack('<d', packed)
          packed = string.sub(packed, 9)
        end
        redis.call('HSET', sums, 'w|' .. wf, packed, 'ws|' .. wf, mnum(wsum))
        if not breach then breach = metricBreach(m.n, #packed / 8, wsum, m.g) end
      end
    end
  end
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
