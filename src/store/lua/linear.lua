--[[
  Linear sums (issue 23): a library prepended to reward.lua (redis-store.ts joins the text), so a
  reward adds to its arm's linear-model sums in the same script call that dedupes and counts it.
  Mirrors bandit/linear-model.ts addLinear (the same additions in the same order, so the three
  stores hold the same doubles) and store/linear-sums.ts.

  spec (reward.lua's ARGV[32], '' when there is nothing to add: not a linear decision, not the
  bandit population, or no reward value): "<d> <i>:<x_i> ..." with d the encoded dimensions and x's
  nonzero entries (0-based index, value), in increasing index order.
  key: reward.lua's KEYS[12], the linear sums hash <prefix>{exp:<id>}:L.

  The sums hash: <armId> -> struct.pack('<d...', n, sum r^2, b (d), S upper triangle (d(d+1)/2)),
  little-endian doubles: b = sum r x, S = sum x x^T, row-major.
]]
local function recordLinear(spec, key, arm, r)
  local words = {}
  for w in string.gmatch(spec, '%S+') do words[#words + 1] = w end
  local d = tonumber(words[1])
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
  local idx, val = {}, {}
  for k = 2, #words do
    local i, v = string.match(words[k], '^(%d+):(.+)$')
    idx[#idx + 1] = tonumber(i); val[#val + 1] = tonumber(v)
  end
  s[1] = s[1] + 1
  s[2] = s[2] + r * r
  for a = 1, #idx do
    local i = idx[a]
    s[3 + i] = s[3 + i] + r * val[a]
    -- S[i][j], j >= i: 0-based offset 2 + d + i d - i (i - 1) / 2 + (j - i), plus 1 for Lua.
    local row = 3 + d + i * d - i * (i - 1) / 2 - i
    for b = a, #idx do
      local at = row + idx[b]
      s[at] = s[at] + val[a] * val[b]
    end
  end
  redis.call('HSET', key, arm, struct.pack(format, unpack(s, 1, len)))
end
