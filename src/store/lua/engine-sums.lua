--[[
  Engine sums of the reward step (issue 11; a library prepended to reward.lua by redis-scripts.ts),
  as MemoryStore's addEngineSums (engine-sums.ts, discount.ts, bandit/hurdle.ts) branch for branch.
  Fields of the tallies hash, per population p and arm:
    p cn/cs/cq:<arm>   cost count, sum, sum of squares
    p Dr/Ds/Dq/Dcn/Dcs/Dcq/Dt:<arm>   the same decayed (half-life), valued at time Dt
    p hk/hl/hq:<arm>   hurdle sums: nonzero rewards, sum and sum of squares of their logs; hk is
                       created by the first reward, zero or not, so the sums' presence is known
  A is the reward's packed argument (redis-script-args.ts rewardArgs: halfLife, costs, nowS, hurdle,
  pop, reward, cost).
]]
local function hnum(key, field) return tonumber(redis.call('HGET', key, field) or '0') end

local function recordEngineSums(A, tallies, arm)
  local halfLife, keepCost, nowS = A.halfLife, A.costs, A.nowS
  local p, r = A.pop, tonumber(A.reward)
  if halfLife or keepCost then
    local c = keepCost and tonumber(A.cost) or nil
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
  if A.hurdle and r then
    local hk, hl, hq = p .. 'hk:' .. arm, p .. 'hl:' .. arm, p .. 'hq:' .. arm
    if r > 0 then
      local l = math.log(r)
      redis.call('HSET', tallies, hk, num(hnum(tallies, hk) + 1), hl, num(hnum(tallies, hl) + l), hq, num(hnum(tallies, hq) + l * l))
    elseif not redis.call('HGET', tallies, hk) then
      redis.call('HSET', tallies, hk, '0', hl, '0', hq, '0')
    end
  end
end
