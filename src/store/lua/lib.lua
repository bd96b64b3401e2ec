--[[
  The scripts' shared library: prepended to every script by redis-scripts.ts, after the CODE table
  it writes from SCRIPT_CODES (the failure codes and their meaning, in one place in TypeScript).
  Each script's one packed argument is decoded with cjson (fields: redis-script-args.ts).
]]
-- A double as text that reads back exactly (storage, not display: nothing here formats like JavaScript).
local function num(x) return string.format('%.17g', x) end
-- A double's IEEE-754 bits as 16 hex digits, big-endian: exact, and what TypeScript writes for the
-- same number (redis-keys.ts hexDouble), with no decimal formatting on either side.
local function hexDouble(x) return string.format('%02x%02x%02x%02x%02x%02x%02x%02x', string.byte(struct.pack('>d', x), 1, 8)) end
-- The event log's trim by age (retention in seconds; nil: not this time): entries older than Redis
-- TIME minus the retention go, whole nodes at a time (MINID ~).
local function trimLog(stream, retention)
  if not retention then return end
  local clock = redis.call('TIME')
  redis.call('XTRIM', stream, 'MINID', '~', string.format('%d', clock[1] * 1000 + math.floor(clock[2] / 1000) - retention * 1000))
end
-- The arm's index (for the log) and the experiment's version in one read; a failure code when the
-- arm is unknown or the version is not the caller's (version nil: not checked).
local function armAndVersion(meta, arm, version)
  local got = redis.call('HMGET', meta, 'a:' .. arm, 'v')
  if not got[1] then return nil, CODE.not_found end
  if version and got[2] ~= version then return nil, CODE.stale end
  return got[1]
end
-- The automatic disable of an arm by a guardrail (built-in or a metric's), with a version bump;
-- observed and limit are texts of JSON numbers. The reason text is derived when read
-- (breachReason in bandit/guardrails.ts).
local function disableArm(meta, arm, nowIso, guardrail, observed, limit)
  redis.call('HSET', meta, 'd:' .. arm, '{"source":"guardrail","at":' .. cjson.encode(nowIso)
    .. ',"guardrail":{"guardrail":"' .. guardrail .. '","observed":' .. observed .. ',"limit":' .. limit .. '}}')
  redis.call('HINCRBY', meta, 'v', 1)
end
