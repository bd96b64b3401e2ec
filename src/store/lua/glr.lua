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
]]
local GLR_BLOCK = 10
local GLR_MAX_BLOCKS = 200

local function glr_seg_add(a, b)
  return { a[1] + b[1], a[2] + b[2], a[3] + b[3], (a[1] > 0) and a[4] or b[4] }
end

local GLR_SEG = 32
local function glr_pack(b) return struct.pack('<dddd', b[1], b[2], b[3], b[4]) end

local function glr_decode(str)
  local segs = {}
  for pos = 1, #str, GLR_SEG do
    local n, s, q, t = struct.unpack('<dddd', str, pos)
    segs[#segs + 1] = { n, s, q, t }
  end
  return segs
end

local function glr_encode(blocks)
  local parts = {}
  for i = 1, #blocks do parts[i] = glr_pack(blocks[i]) end
  return table.concat(parts)
end

-- Merges the adjacent pair j, j + 1 (the newest block excluded) with the smallest
-- (n_j + n_j+1) / (rewards after j + 1), the older on a tie (glr.ts mergeOnePair).
local function glr_merge_one_pair(blocks)
  local after = blocks[#blocks][1]
  local best, best_cost = -1, math.huge
  for j = #blocks - 2, 1, -1 do
    local cost = (blocks[j][1] + blocks[j + 1][1]) / after
    if cost <= best_cost then best, best_cost = j, cost end
    after = after + blocks[j + 1][1]
  end
  blocks[best] = glr_seg_add(blocks[best], blocks[best + 1])
  table.remove(blocks, best + 1)
end

local function glr_kl(p, q)
  local e = 1e-15
  local qq = math.min(math.max(q, e), 1 - e)
  local k = 0
  if p > 0 then k = k + p * math.log(p / qq) end
  if p < 1 then k = k + (1 - p) * math.log((1 - p) / (1 - qq)) end
  return k
end

local function glr_centred(x)
  return math.max(0, x[3] - (x[2] * x[2]) / x[1])
end

local function glr_statistic(model, a, b)
  local all = glr_seg_add(a, b)
  if model == 'bernoulli' then
    local m = all[2] / all[1]
    return a[1] * glr_kl(a[2] / a[1], m) + b[1] * glr_kl(b[2] / b[1], m)
  end
  local s0 = glr_centred(all)
  if s0 <= 0 then return 0 end
  local s1 = math.max(glr_centred(a) + glr_centred(b), s0 * 1e-12)
  return (all[1] / 2) * math.log(s0 / s1)
end

local function glr_observe(str, model, delta, x, t)
  local len = #str
  local last = len > 0 and { struct.unpack('<dddd', str, len - GLR_SEG + 1) } or nil
  local kept, newest = str, nil
  if last == nil or last[1] >= GLR_BLOCK then
    newest = { 1, x, x * x, t }
  else
    kept = string.sub(str, 1, len - GLR_SEG)
    newest = { last[1] + 1, last[2] + x, last[3] + x * x, math.min(last[4], t) }
  end
  -- Until the block fills, only its bytes change.
  if newest[1] < GLR_BLOCK then return kept .. glr_pack(newest), nil end
  local blocks = glr_decode(kept)
  blocks[#blocks + 1] = newest
  local merged = #blocks > GLR_MAX_BLOCKS
  if merged then glr_merge_one_pair(blocks) end
  local total = { 0, 0, 0, 0 }
  for i = 1, #blocks do total = glr_seg_add(total, blocks[i]) end
  local threshold = math.log((3 * total[1] * math.sqrt(total[1])) / delta)
  local best, from = nil, nil
  local before = { 0, 0, 0, 0 }
  for j = 1, #blocks do
    if before[1] >= GLR_BLOCK then
      local after = { total[1] - before[1], total[2] - before[2], total[3] - before[3], blocks[j][4] }
      local g = glr_statistic(model, before, after)
      if g > threshold and (best == nil or g > best.statistic) then
        best = { at = after[4], before = before, after = after, statistic = g, threshold = threshold }
        from = j
      end
    end
    before = glr_seg_add(before, blocks[j])
  end
  if best == nil then return merged and glr_encode(blocks) or kept .. glr_pack(newest), nil end
  local rest = {}
  for j = from, #blocks do rest[#rest + 1] = blocks[j] end
  return glr_encode(rest), best
end

local function glr_restarts(d, is_leader)
  local rose = d.after[2] / d.after[1] > d.before[2] / d.before[1]
  if is_leader then return not rose end
  return rose
end
