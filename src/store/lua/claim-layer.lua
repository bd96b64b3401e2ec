--[[
  Claims (or changes) an experiment's range of a layer's buckets (issue 21), atomically: the rule
  of layer-claims.ts `conflictOf`, branch for branch. One key, so it runs on Redis Cluster.

  KEYS[1]  the layer's claims   <prefix>{layer:<id>}   HASH experimentId -> "from to endsAtMs|-"

  ARGV[1]  experimentId
  ARGV[2]  the claim "from to endsAtMs|-"
  ARGV[3]  now, epoch ms
  ARGV[4]  'create' (a claim the experiment holds already conflicts) or 'update'

  Returns
    'ok'                      claimed
    {experimentId, claim}     the claim it conflicts with
]]
local function parse(text)
  local from, to, ends = string.match(text, '^(%S+) (%S+) (%S+)$')
  return tonumber(from), tonumber(to), ends
end
local from, to = parse(ARGV[2])
local now = tonumber(ARGV[3])
local claims = redis.call('HGETALL', KEYS[1])
for i = 1, #claims, 2 do
  local id, text = claims[i], claims[i + 1]
  if id == ARGV[1] then
    if ARGV[4] == 'create' then return {id, text} end
  else
    local f, t, ends = parse(text)
    local live = ends == '-' or tonumber(ends) > now
    if live and f < to and from < t then return {id, text} end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 'ok'
