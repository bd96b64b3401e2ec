--[[
  Stores a new experiment at version 1, unless the id is taken.

  KEYS[1]  meta hash            <prefix>{exp:<id>}:m

  ARGV[1]  the config, JSON
  ARGV[2]  the arm ids in order, JSON array
  ARGV[3..] the arm ids in order

  Returns
     1  created
    -4  the id is taken
]]
local meta = KEYS[1]
if redis.call('EXISTS', meta) == 1 then return CODE.exists end
redis.call('HSET', meta, 'config', ARGV[1], 'arms', ARGV[2], 'v', 1)
for i, armId in ipairs(cjson.decode(ARGV[2])) do
  redis.call('HSET', meta, 'a:' .. armId, i, 'i:' .. i, armId)
end
return 1
