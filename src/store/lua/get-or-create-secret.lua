--[[
  The shared decision-signing secret: the candidate becomes it only if none exists yet.

  KEYS[1]  secret string        <prefix>secret

  ARGV[1]  candidate secret

  Returns
    the secret
]]
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
