--[[
  Records one signal (issue 22) exactly once per (decision key, metric name): dedupe, the
  metric's sums of the arm and population, the arm's window of a guarded metric, the automatic
  disable on a breach, and the event log entry, in one step. metrics.lua is prepended.

  KEYS[1]  meta hash                                     <prefix>{exp:<id>}:m
  KEYS[2]  metric sums hash                              <prefix>{exp:<id>}:M
  KEYS[3]  dedupe set of the decision's issuedAt bucket  <prefix>{exp:<id>}:d:<bucket>
  KEYS[4]  event log stream                              <prefix>{exp:<id>}:l
  KEYS[5]  per-user sums hash (the users' metric states)  <prefix>{exp:<id>}:u

  ARGV[1]  the packed argument, JSON: its fields are documented in redis-script-args.ts signalArgs
           (A.metrics holds the one metric, as metrics.lua's spec)

  Returns 1 accepted; {guardrail, observed, limit} accepted and the arm was disabled; CODE.not_found
  no such experiment or arm; CODE.stale; CODE.duplicate.
]]
local A = cjson.decode(ARGV[1])
local meta, arm = KEYS[1], A.arm
local armIndex, failed = armAndVersion(meta, arm, A.version)
if not armIndex then return failed end
local spec = readMetricSpec(A.metrics)
claimMetrics(KEYS[3], A.key, spec, false)
if not spec.m[1].fresh then return CODE.duplicate end
local users = A.user and {hash = KEYS[5], key = A.user, ttl = A.userTtl} or nil
local counted, breach = recordMetrics(spec, KEYS[2], arm, A.pop, users)
redis.call('EXPIRE', KEYS[3], A.dedupeTtl)

-- Event log: field g packs, space-separated: the nonce (decision key), the arm index (from 1),
-- population, the decision's issuedAt, its propensity, the metric's name and value.
local m = counted[1]
local entry = {KEYS[4], '*', 'g', table.concat({A.key, armIndex, A.pop, A.issuedAt, A.propensity, m.n, m.t}, ' ')}
if A.user then entry[#entry + 1] = 'k'; entry[#entry + 1] = A.user end
redis.call('XADD', unpack(entry))
trimLog(KEYS[4], A.trim)

if disableForMetric(meta, arm, spec, breach, A.now) then return breach end
return 1
