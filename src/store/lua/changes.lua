--[[
  Change detection in the reward step (issue 24): bandit/change-evidence.ts's recordForChanges with
  store/change-step.ts's leader, operation for operation, so that a replica on Redis restarts an arm
  at the same reward and to the same sums as one on the embedded stores. Not a script by itself:
  the reward script is glr.lua .. changes.lua .. metrics.lua .. reward.lua (redis-store.ts), and
  reward.lua calls record_change right after its tally.

  Spec (the `change` field of reward.lua's packed argument, redis-script-args.ts): {"m": model, "d": delta, "ps": prior sum, "pw": prior weight,
  "t": the decision's issuedAt, "n": now, unix seconds, "e": 1 when every detection restarts its arm alone (a linear policy: ChangeSpec.eachArm)}
  KEYS[11] the detectors hash <prefix>{exp:<id>}:g: g:<armId> the GLR segments (glr.lua's string),
           f:<armId> "testFrom,evidenceFrom" (decision times; absent: 0,0)
  In the tallies hash (bandit population): bBr/bBs/bBq:<armId> the tally's rewards from before the
  arm's last restart (absent before any); the evidence is the tally minus them. bCh:<armId> the
  changes detected "detectedAt,at;..." newest first, at most CHANGES_KEPT.

  record_change(spec, detectors, tallies, meta, arm, reward, linear): sets change_found = {detectedAt, at}
  when this reward revealed a change (the script's wrapper returns it with the reply). A fall of
  the leader restarts every other arm's evidence too (change-evidence.ts restartOther): its
  bBr/bBs/bBq become its whole tally and its evidenceFrom at least spec.n.
  A linear policy's sums (issue 23; `linear`: reward.lua's KEYS[12], the hash linear.lua writes):
  a restart copies the arm's field <armId> (its sums before this reward) to ~<armId> (its sums as of
  the restart; '~' is in no arm id), as store/linear-sums.ts linearBeforeAfterReward; a late reward
  sets change_late, and linear.lua adds it to ~<armId> too.
]]
local CHANGES_KEPT = 20
local change_found = nil
local change_late = false

-- The arm's linear sums as of now become its sums as of the restart (nothing when it has none).
local function ch_restart_linear(linear, a)
  local sums = redis.call('HGET', linear, a)
  if sums then redis.call('HSET', linear, '~' .. a, sums) end
end

local function ch_num(x) return string.format('%.17g', x) end

-- The arm's evidence (count and sum): its bandit tally minus the rewards from before its last restart (evidenceSums).
local function ch_evidence(tallies, a)
  local f = redis.call('HMGET', tallies, 'br:' .. a, 'bs:' .. a, 'bBr:' .. a, 'bBs:' .. a)
  local n, s = tonumber(f[1] or '0'), tonumber(f[2] or '0')
  if f[3] then return n - tonumber(f[3]), s - tonumber(f[4]) end
  return n, s
end

-- Whether `arm` (with evidence own_n, own_s) has the highest posterior mean, the first on a tie (leaderIndex).
local function ch_is_leader(spec, tallies, meta, arm, own_n, own_s)
  local best, best_mean = nil, -math.huge
  for _, a in ipairs(cjson.decode(redis.call('HGET', meta, 'arms'))) do
    local n, s
    if a == arm then n, s = own_n, own_s else n, s = ch_evidence(tallies, a) end
    local m = (spec.ps + s) / (spec.pw + n)
    if m > best_mean then best, best_mean = a, m end
  end
  return best == arm
end

local function ch_from(detectors, a)
  local from = redis.call('HGET', detectors, 'f:' .. a)
  if not from then return 0, 0 end
  local t, e = string.match(from, '^([^,]+),([^,]+)$')
  return tonumber(t), tonumber(e)
end

-- restartOther for every arm but `arm`.
local function ch_restart_others(spec, detectors, tallies, meta, arm, linear)
  for _, a in ipairs(cjson.decode(redis.call('HGET', meta, 'arms'))) do
    if a ~= arm then
      local t = redis.call('HMGET', tallies, 'br:' .. a, 'bs:' .. a, 'bq:' .. a)
      redis.call('HSET', tallies, 'bBr:' .. a, ch_num(tonumber(t[1] or '0')), 'bBs:' .. a, ch_num(tonumber(t[2] or '0')), 'bBq:' .. a, ch_num(tonumber(t[3] or '0')))
      local test_from, evidence_from = ch_from(detectors, a)
      redis.call('HSET', detectors, 'f:' .. a, ch_num(test_from) .. ',' .. ch_num(math.max(evidence_from, spec.n)))
      ch_restart_linear(linear, a)
    end
  end
end

local function record_change(spec, detectors, tallies, meta, arm, x, linear)
  local issued = spec.t
  local test_from, evidence_from = ch_from(detectors, arm)
  -- A reward decided before the last restart belongs to the rewards before it.
  if issued < evidence_from then
    local b = redis.call('HMGET', tallies, 'bBr:' .. arm, 'bBs:' .. arm, 'bBq:' .. arm)
    if b[1] then
      redis.call('HSET', tallies, 'bBr:' .. arm, ch_num(tonumber(b[1]) + 1), 'bBs:' .. arm, ch_num(tonumber(b[2]) + x), 'bBq:' .. arm, ch_num(tonumber(b[3]) + x * x))
      change_late = true
    end
  end
  if issued < test_from then return end
  local state, d = glr_observe(redis.call('HGET', detectors, 'g:' .. arm) or '', spec.m, spec.d, x, issued)
  redis.call('HSET', detectors, 'g:' .. arm, state)
  if not d then return end
  local leads, restarted = false, true
  if not spec.e then
    local own_n, own_s = ch_evidence(tallies, arm)
    leads = ch_is_leader(spec, tallies, meta, arm, own_n, own_s)
    restarted = glr_restarts(d, leads)
  end
  if restarted then
    evidence_from = d.at
    change_late = false
    ch_restart_linear(linear, arm)
    local t = redis.call('HMGET', tallies, 'br:' .. arm, 'bs:' .. arm, 'bq:' .. arm)
    redis.call('HSET', tallies, 'bBr:' .. arm, ch_num(tonumber(t[1]) - d.after[1]), 'bBs:' .. arm, ch_num(tonumber(t[2]) - d.after[2]),
      'bBq:' .. arm, ch_num(tonumber(t[3]) - d.after[3]))
  end
  redis.call('HSET', detectors, 'f:' .. arm, ch_num(d.at) .. ',' .. ch_num(evidence_from))
  if restarted and leads then ch_restart_others(spec, detectors, tallies, meta, arm, linear) end
  local list = { ch_num(spec.n) .. ',' .. ch_num(d.at) }
  local old = redis.call('HGET', tallies, 'bCh:' .. arm)
  if old then
    for c in string.gmatch(old, '[^;]+') do
      if #list < CHANGES_KEPT then list[#list + 1] = c end
    end
  end
  redis.call('HSET', tallies, 'bCh:' .. arm, table.concat(list, ';'))
  change_found = { ch_num(spec.n), ch_num(d.at) }
end
