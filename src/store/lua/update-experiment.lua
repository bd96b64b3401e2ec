--[[
  Applies a patch to an experiment's config and bumps its version.

  The config JSON is kept as created; each patched field is stored beside it as p:<field> and
  laid over the config when read (Lua never re-encodes the config, so payloads stay byte-exact).

  KEYS[1]  meta hash            <prefix>{exp:<id>}:m

  ARGV     pairs of (field, value as JSON, or '' for undefined)

  Returns
    the meta hash after the change, as HGETALL returns it
    -1  no such experiment
]]
local meta = KEYS[1]
if redis.call('EXISTS', meta) == 0 then return -1 end
for i = 1, #ARGV, 2 do
  redis.call('HSET', meta, 'p:' .. ARGV[i], ARGV[i + 1])
end
redis.call('HINCRBY', meta, 'v', 1)
return redis.call('HGETALL', meta)
