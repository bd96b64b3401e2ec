--[[
  One history point per interval, written once across replicas (the first writer wins), and the
  points past the retention dropped in the same step.

  KEYS[1]  history sorted set   <prefix>{exp:<id>}:h   score ts (unix seconds), member the point's JSON

  ARGV[1]  ts of the point (unix seconds)
  ARGV[2]  the point as JSON
  ARGV[3]  cutoff: points with ts below it are removed (ts - retention)
  ARGV[4]  TTL of the key in seconds (retention plus a margin: an experiment nobody writes for expires)

  Returns
    1  written
    0  a point with this ts exists already (nothing changed)
]]
if redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1]) > 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
