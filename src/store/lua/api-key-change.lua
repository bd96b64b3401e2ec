--[[
  Creates or revokes one run-time API key, bumps the key set's version and publishes it, in one step
  (so no replica can see the change without the message, or the message without the change).

  KEYS[1]  keys hash           <prefix>{keys}:all     id -> record JSON
  KEYS[2]  last-used hash      <prefix>{keys}:used    id -> ISO time
  KEYS[3]  version string      <prefix>{keys}:v

  ARGV[1]  'create' | 'revoke'
  ARGV[2]  key id
  ARGV[3]  record JSON (create only)
  ARGV[4]  pub/sub channel     <prefix>keys:changed

  Returns
    {version, receivers}  the new version and how many subscribers the message was delivered to
    CODE.not_found        revoke of an unknown id (nothing changed)
]]
if ARGV[1] == 'create' then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
elseif redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then
  return CODE.not_found
else
  redis.call('HDEL', KEYS[2], ARGV[2])
end
local version = redis.call('INCR', KEYS[3])
return {version, redis.call('PUBLISH', ARGV[4], tostring(version))}
