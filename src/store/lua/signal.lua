--[[
  Records one signal (issue 22) exactly once per (decision key, metric name): dedupe, the
  metric's sums of the arm and population, the arm's window of a guarded metric, the automatic
  disable on a breach, and the event log entry, in one step. metrics.lua is prepended.

  KEYS[1]  meta hash                                     <prefix>{exp:<id>}:m
  KEYS[2]  metric sums hash                              <prefix>{exp:<id>}:M
  KEYS[3]  dedupe set of the decision's issuedAt bucket  <prefix>{exp:<id>}:d:<bucket>
  KEYS[4]  event log stream                              <prefix>{exp:<id>}:l
  KEYS[5]  per-user sums hash (the users' metric states)  <prefix>{exp:<id>}:u

  ARGV[1]  armId
  ARGV[2]  population: b | h | x
  ARGV[3]  decision key
  ARGV[4]  seconds KEYS[3] must live
  ARGV[5]  the experiment version the caller's config is from ('' to skip the check)
  ARGV[6]  spec text (see metrics.lua) with one metric
  ARGV[7]  now, ISO time written into an automatic disable
  ARGV[8]  event log: the decision's issuedAt, unix seconds
  ARGV[9]  event log: the decision's propensity
  ARGV[10] event log: eventRetentionSeconds to trim entries older than Redis TIME minus it; '' not this time
  ARGV[11] event log: the decision token's user key, '' without one (also the user of the user-level sums)
  ARGV[12] seconds KEYS[5] must live (as reward.lua's ARGV[18])

  Returns 1 accepted; {guardrail, observed, limit} accepted and the arm was disabled; -1 no such
  experiment or arm; -2 stale; -3 duplicate.
]]
local meta, arm = KEYS[1], ARGV[1]
local armIndexAndVersion = redis.call('HMGET', meta, 'a:' .. arm, 'v')
if not armIndexAndVersion[1] then return -1 end
if ARGV[5] ~= '' and armIndexAndVersion[2] ~= ARGV[5] then return -2 end
local spec = readMetricSpec(ARGV[6])
claimMetrics(KEYS[3], ARGV[3], spec, false)
if not spec.m[1].fresh then return -3 end
local users = ARGV[11] ~= '' and {hash = KEYS[5], key = ARGV[11], ttl = ARGV[12]} or nil
local counted, breach = recordMetrics(spec, KEYS[2], arm, ARGV[2], users)
redis.call('EXPIRE', KEYS[3], ARGV[4])

-- Event log: field g packs, space-separated: the nonce (decision key), the arm index (from 1),
-- population, the decision's issuedAt, its propensity, the metric's name and value.
local m = counted[1]
local entry = {KEYS[4], '*', 'g', table.concat({ARGV[3], armIndexAndVersion[1], ARGV[2], ARGV[8], ARGV[9], m.n, m.t}, ' ')}
if ARGV[11] ~= '' then entry[#entry + 1] = 'k'; entry[#entry + 1] = ARGV[11] end
redis.call('XADD', unpack(entry))
if ARGV[10] ~= '' then
  local clock = redis.call('TIME')
  redis.call('XTRIM', KEYS[4], 'MINID', '~', string.format('%d', clock[1] * 1000 + math.floor(clock[2] / 1000) - tonumber(ARGV[10]) * 1000))
end

if disableForMetric(meta, arm, spec, breach, ARGV[7]) then return breach end
return 1
