--[[
  One page of the event log of one type (issue 19: a filtered page finds its rows without a scan
  of the log), through per-type index streams that this script keeps itself: the writers
  (assign.lua, reward.lua, signal.lua, migrate) only append to the log, and this script indexes
  what was appended since it last ran, at most ARGV[3] entries per call, before it answers. A call
  that had more to index than that answers {0, indexed} without a page, and the caller calls again:
  each call is a bounded slice of Redis's time, so other clients' commands run between them.

  An index stream holds one entry per event of its type, with the event's own id and one empty
  field; it is trimmed to the log's oldest entry as the log is trimmed by age.

  KEYS[1]  event log stream           <prefix>{exp:<id>}:l
  KEYS[2]  decisions index stream     <prefix>{exp:<id>}:ld
  KEYS[3]  rewards index stream       <prefix>{exp:<id>}:lr
  KEYS[4]  signals index stream       <prefix>{exp:<id>}:lg
  KEYS[5]  indexed-up-to cursor       <prefix>{exp:<id>}:li   (STRING: the last log id indexed)

  ARGV[1]  the type's field: d | r | g (the first field of a log entry says its type), or '' to
           index one slice and answer no page (the background indexer, service/log-indexer.ts)
  ARGV[2]  XRANGE start of the page: '-' or '(<eventId>'
  ARGV[3]  the most log entries to index in this call
  ARGV[4]  the page's size

  Returns {1, entries} with entries as XRANGE gives them (oldest first, at most ARGV[4]), or
  {0, indexed} when the index is not caught up yet; with ARGV[1] '', {1, indexed} once caught up.

  Replicas may call it at the same time: a call runs atomically from the cursor the last call left
  and moves it past what it indexed, so no entry is indexed twice (XADD would refuse the id) or skipped.
]]
local index = {d = KEYS[2], r = KEYS[3], g = KEYS[4]}
local target = index[ARGV[1]]
if not target and ARGV[1] ~= '' then return redis.error_reply('log-of-type: unknown type ' .. tostring(ARGV[1])) end

local cursor = redis.call('GET', KEYS[5])
if not cursor then
  -- Never indexed (or the cursor was lost): start again from the log's oldest entry.
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
end
local batch = tonumber(ARGV[3])
local fresh = redis.call('XRANGE', KEYS[1], cursor and ('(' .. cursor) or '-', '+', 'COUNT', batch)
for _, e in ipairs(fresh) do
  local key = index[e[2][1]]
  if key then redis.call('XADD', key, e[1], '_', '') end
end
if #fresh > 0 then redis.call('SET', KEYS[5], fresh[#fresh][1]) end
if #fresh == batch then return {0, #fresh} end
if not target and #fresh == 0 then return {1, 0} end -- index only, nothing new: nothing to trim either

-- Caught up. The log loses entries only at its oldest end (trim by age): the index keeps no id
-- older than the log's oldest, and a page starts there at the earliest, so every id it reads is in the log.
local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not oldest then return {1, {}} end
for _, key in pairs(index) do redis.call('XTRIM', key, 'MINID', '~', oldest[1]) end
if not target then return {1, #fresh} end
local function before(a, b) -- stream ids 'ms-seq': a < b
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end
local start = ARGV[2]
if start == '-' or before(string.sub(start, 2), oldest[1]) then start = oldest[1] end
local ids = redis.call('XRANGE', target, start, '+', 'COUNT', tonumber(ARGV[4]))
local page = {}
for _, e in ipairs(ids) do
  local hit = redis.call('XRANGE', KEYS[1], e[1], e[1])[1]
  if hit then page[#page + 1] = hit end
end
return {1, page}
