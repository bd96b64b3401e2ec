--[[
  GLR change detection of one arm, for the Redis scripts (issue 24): src/bandit/glr.ts line for
  line, with the same order of every floating-point addition, so that a replica on Redis and one
  on the embedded stores detect the same change at the same reward from the same sequence
  (test/glr-lua.test.ts). Not a script by itself: a script that uses it is this file followed by
  its own text (readLua('glr') .. readLua(name)).

  State, one binary string per arm: segments of four little-endian doubles n, s, q, t
  (struct.pack '<dddd', 32 bytes), oldest first (the last may be an open block); '' when empty.
  Exact, and cheap per reward: a reward into an open block rewrites only its last 32 bytes; the
  whole state is decoded only when a block fills (every GLR_BLOCK rewards of the arm), for the test.

  glr_observe(state, model, delta, reward, t) -> new state, detection or nil
    detection = {at, before = {n, s, q, t}, after = {n, s, q, t}, statistic, threshold}
  glr_restarts(detection, is_leader) -> true when the arm's evidence restarts (the ranking rule)

  The split test at delta / 2, then (when it finds nothing) the linear-trend test at delta / 2
  (glr.ts testForTrend): the same sums in the same order.
]]
local GLR_BLOCK = 10
local GLR_MAX_BLOCKS = 200

local GLR_SEG = 32
local pack, unpack_seg = struct.pack, struct.unpack

-- The segments as four flat arrays (n, s, q, t): no table per segment on the hot path.
local function glr_decode(str)
  local N, S, Q, T = {}, {}, {}, {}
  local k = 0
  for pos = 1, #str, GLR_SEG do
    k = k + 1
    N[k], S[k], Q[k], T[k] = unpack_seg('<dddd', str, pos)
  end
  return N, S, Q, T
end

local function glr_encode(N, S, Q, T, from)
  local parts = {}
  for j = from, #N do parts[#parts + 1] = pack('<dddd', N[j], S[j], Q[j], T[j]) end
  return table.concat(parts)
end

-- Merges the adjacent pair j, j + 1 (the newest block excluded) with the smallest
-- (n_j + n_j+1) / (rewards after j + 1), the older on a tie (glr.ts mergeOnePair).
local function glr_merge_one_pair(N, S, Q, T)
  local k = #N
  local after = N[k]
  local best, best_cost = -1, math.huge
  for j = k - 2, 1, -1 do
    local cost = (N[j] + N[j + 1]) / after
    if cost <= best_cost then best, best_cost = j, cost end
    after = after + N[j + 1]
  end
  -- glr.ts add(a, b): the merged segment's time is the older one's (a.n > 0).
  if not (N[best] > 0) then T[best] = T[best + 1] end
  N[best], S[best], Q[best] = N[best] + N[best + 1], S[best] + S[best + 1], Q[best] + Q[best + 1]
  table.remove(N, best + 1); table.remove(S, best + 1); table.remove(Q, best + 1); table.remove(T, best + 1)
end

local log, max, min = math.log, math.max, math.min

local function glr_kl(p, q)
  local e = 1e-15
  local qq = min(max(q, e), 1 - e)
  local k = 0
  if p > 0 then k = k + p * log(p / qq) end
  if p < 1 then k = k + (1 - p) * log((1 - p) / (1 - qq)) end
  return k
end

local function glr_centred(n, s, q)
  return max(0, q - (s * s) / n)
end

-- GLR(s) of the split into a (before) and b (after), on their sums (glr.ts glrStatistic).
local function glr_statistic(model, an, as, aq, bn, bs, bq)
  local n, s, q = an + bn, as + bs, aq + bq
  if model == 'bernoulli' then
    local m = s / n
    return an * glr_kl(as / an, m) + bn * glr_kl(bs / bn, m)
  end
  local s0 = glr_centred(n, s, q)
  if s0 <= 0 then return 0 end
  local s1 = max(glr_centred(an, as, aq) + glr_centred(bn, bs, bq), s0 * 1e-12)
  return (n / 2) * log(s0 / s1)
end

-- The linear-trend test on the k segments with totals tn, ts, tq (glr.ts trendStatistic, testForTrend).
local function glr_trend(N, S, Q, T, k, tn, ts, tq, delta)
  if tn < 2 * GLR_BLOCK then return nil end
  local threshold = log((2 * log(tn)) / (delta / 2))
  local before, sxx, sxy = 0, 0, 0
  for j = 1, k do
    local d = before + N[j] / 2 - tn / 2
    sxx = sxx + N[j] * d * d
    sxy = sxy + d * S[j]
    before = before + N[j]
  end
  local s0 = glr_centred(tn, ts, tq)
  if s0 <= 0 or sxx <= 0 then return nil end
  local s1 = max(s0 - (sxy * sxy) / sxx, s0 * 1e-12)
  local g = (tn / 2) * log(s0 / s1)
  if not (g > threshold) then return nil end
  local bn, bs, bq, j = 0, 0, 0, 1
  while 2 * bn < tn do
    bn, bs, bq = bn + N[j], bs + S[j], bq + Q[j]
    j = j + 1
  end
  return { at = T[j], before = { bn, bs, bq }, after = { tn - bn, ts - bs, tq - bq, T[j] }, statistic = g, threshold = threshold }, j
end

local function glr_observe(str, model, delta, x, t)
  local len = #str
  local kept, n, s, q, t0 = str, 1, x, x * x, t
  if len > 0 then
    local ln, ls, lq, lt = unpack_seg('<dddd', str, len - GLR_SEG + 1)
    if ln < GLR_BLOCK then
      kept = string.sub(str, 1, len - GLR_SEG)
      n, s, q, t0 = ln + 1, ls + x, lq + x * x, min(lt, t)
    end
  end
  -- Until the block fills, only its bytes change.
  if n < GLR_BLOCK then return kept .. pack('<dddd', n, s, q, t0), nil end
  local N, S, Q, T = glr_decode(kept)
  local k = #N + 1
  N[k], S[k], Q[k], T[k] = n, s, q, t0
  local merged = k > GLR_MAX_BLOCKS
  if merged then glr_merge_one_pair(N, S, Q, T); k = k - 1 end
  -- Totals in the order of glr.ts sumOf (from an empty segment, oldest first).
  local tn, ts, tq = 0, 0, 0
  for j = 1, k do tn, ts, tq = tn + N[j], ts + S[j], tq + Q[j] end
  local threshold = log((3 * tn * math.sqrt(tn)) / (delta / 2))
  local best, from = nil, nil
  local bn, bs, bq = 0, 0, 0
  for j = 1, k do
    if bn >= GLR_BLOCK then
      local g = glr_statistic(model, bn, bs, bq, tn - bn, ts - bs, tq - bq)
      if g > threshold and (best == nil or g > best.statistic) then
        best = { at = T[j], before = { bn, bs, bq }, after = { tn - bn, ts - bs, tq - bq, T[j] }, statistic = g, threshold = threshold }
        from = j
      end
    end
    bn, bs, bq = bn + N[j], bs + S[j], bq + Q[j]
  end
  if best == nil then best, from = glr_trend(N, S, Q, T, k, tn, ts, tq, delta) end
  if best == nil then return merged and glr_encode(N, S, Q, T, 1) or kept .. pack('<dddd', n, s, q, t0), nil end
  return glr_encode(N, S, Q, T, from), best
end

local function glr_restarts(d, is_leader)
  local rose = d.after[2] / d.after[1] > d.before[2] / d.before[1]
  if is_leader then return not rose end
  return rose
end
