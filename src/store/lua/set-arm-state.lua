--[[
  Disables or enables one arm and bumps the experiment's version.

  KEYS[1]  meta hash            <prefix>{exp:<id>}:m

  ARGV[1]  armId
  ARGV[2]  DisabledInfo JSON to disable, '' to enable

  Returns
    the meta hash after the change, as HGETALL returns it
    CODE.not_found  no such experiment
]]
local meta = KEYS[1]
if redis.call('EXISTS', meta) == 0 then return CODE.not_found end
if ARGV[2] == '' then
  redis.call('HDEL', meta, 'd:' .. ARGV[1])
else
  redis.call('HSET', meta, 'd:' .. ARGV[1], ARGV[2])
end
redis.call('HINCRBY', meta, 'v', 1)
return redis.call('HGETALL', meta)
