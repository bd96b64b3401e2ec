--[[
  Linear sums (issue 23): a library prepended to reward.lua (redis-store.ts joins the text), so a
  reward adds to its arm's linear-model sums in the same script call that dedupes and counts it.
  Mirrors bandit/linear-model.ts addLinear (the same additions in the same order, so the three
  stores hold the same doubles) and store/linear-sums.ts.

  spec (the `linear` field of reward.lua's packed argument (redis-script-args.ts), absent when there is nothing to add: not a linear decision, not the
  bandit population, or no reward value): an array [d, i1, x_i1, i2, x_i2, ...] with d the
  encoded dimensions and x's nonzero entries (0-based index, value) in increasing index order,
  each value in JavaScript's shortest round-trip form, so cjson's strtod reads the same double.
  It is decoded with the rest of the packed argument by reward.lua's one cjson.decode (a C loop:
  about half the cost of matching "i:x" words with gmatch and tonumber, bench/RESULTS.md).
  recordLinear(w, key, field, r): w the decoded spec; key: reward.lua's KEYS[12], the linear sums hash
  <prefix>{exp:<id>}:L; field: the arm id (or ~<armId>, its sums as of the last restart: changes.lua).

  The sums hash: <armId> -> struct.pack('<d...', n, sum r^2, b (d), S upper triangle (d(d+1)/2)),
  little-endian doubles: b = sum r x, S = sum x x^T, row-major. One HGET and one HSET per reward;
  the string is unpacked and packed whole (one C call each: cheaper than splicing the changed
  doubles into it piece by piece, which was measured too).
]]
local function recordLinear(w, key, arm, r)
  local d = w[1]
  local len = 2 + d + d * (d + 1) / 2
  local format = '<' .. string.rep('d', len)
  local prev = redis.call('HGET', key, arm)
  local s
  if prev and #prev == 8 * len then
    s = {struct.unpack(format, prev)}
  else
    s = {}
    for i = 1, len do s[i] = 0 end
  end
  local m = (#w - 1) / 2
  s[1] = s[1] + 1
  s[2] = s[2] + r * r
  for a = 1, m do
    local i, xi = w[2 * a], w[2 * a + 1]
    s[3 + i] = s[3 + i] + r * xi
    -- S[i][j], j >= i: 0-based offset 2 + d + i d - i (i - 1) / 2 + (j - i), plus 1 for Lua.
    local row = 3 + d + i * d - i * (i - 1) / 2 - i
    for b = a, m do
      local at = row + w[2 * b]
      s[at] = s[at] + xi * w[2 * b + 1]
    end
  end
  redis.call('HSET', key, arm, struct.pack(format, unpack(s, 1, len)))
end
