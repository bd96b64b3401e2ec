--[[
  Applies a patch to an experiment's config and bumps its version.

  The config JSON is kept as created; each patched field is stored beside it as p:<field> and
  laid over the config when read (Lua never re-encodes the config, so payloads stay byte-exact).

  KEYS[1]  meta hash            <prefix>{exp:<id>}:m

  ARGV[1]  the patch, a JSON object: field -> the value's JSON text, or '' for undefined

  Returns
    the meta hash after the change, as HGETALL returns it
    CODE.not_found  no such experiment
]]
local meta = KEYS[1]
if redis.call('EXISTS', meta) == 0 then return CODE.not_found end
for field, value in pairs(cjson.decode(ARGV[1])) do
  redis.call('HSET', meta, 'p:' .. field, value)
end
redis.call('HINCRBY', meta, 'v', 1)
return redis.call('HGETALL', meta)
