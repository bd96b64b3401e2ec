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
if redis.call('EXISTS', meta) == 1 then return -4 end
redis.call('HSET', meta, 'config', ARGV[1], 'arms', ARGV[2], 'v', 1)
for i = 3, #ARGV do
  redis.call('HSET', meta, 'a:' .. ARGV[i], i - 2, 'i:' .. (i - 2), ARGV[i])
end
return 1
