package redisstore

import "github.com/redis/go-redis/v9"

// Lua scripts. A script runs atomically: checks first, writes after, because
// Redis does not roll back writes a script made before it failed.
//
// Audit-chained scripts (run through Store.chained) get the chain head and
// log as KEYS[1] and KEYS[2], and the expected head, new head, sequence
// number and sealed record as ARGV[1..4]. They start with chainCheck, which
// answers {"stale", head} when another writer moved the head (the caller
// re-seals and retries), and end with chainAppend. Their own keys and
// arguments start at KEYS[3] and ARGV[5].

const chainCheck = `
local head = redis.call('GET', KEYS[1]) or ''
if head ~= ARGV[1] then return {'stale', head} end
`

const chainAppend = `
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return {'ok'}
`

func chainedScript(body string) *redis.Script {
	return redis.NewScript(chainCheck + body + chainAppend)
}

// KEYS[3] screening, [4] reference hash, [5..7] time, key and customer
// indexes; with a case [8] case, [9] case version, [10..13] case indexes.
// ARGV[5] screening JSON, [6] reference field ("" for none), [7] id,
// [8] index member, [9] case JSON ("" for none), [10] case version,
// [11] case index member.
var saveScreeningScript = chainedScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return {'conflict', 'screening ' .. ARGV[7] .. ' exists'} end
if ARGV[6] ~= '' and redis.call('HEXISTS', KEYS[4], ARGV[6]) == 1 then
  return {'conflict', 'this key already sent the reference'}
end
local withCase = ARGV[9] ~= ''
if withCase and redis.call('EXISTS', KEYS[8]) == 1 then return {'conflict', 'the case exists'} end
redis.call('SET', KEYS[3], ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[4], ARGV[6], ARGV[7]) end
for i = 5, 7 do redis.call('ZADD', KEYS[i], 0, ARGV[8]) end
if withCase then
  redis.call('SET', KEYS[8], ARGV[9])
  redis.call('SET', KEYS[9], ARGV[10])
  for i = 10, 13 do redis.call('ZADD', KEYS[i], 0, ARGV[11]) end
end
`)

// KEYS[3] case, [4] case version, [5..8] old indexes, [9..12] new indexes.
// ARGV[5] expected version, [6] new version, [7] case JSON, [8] old member,
// [9] new member.
var updateCaseScript = chainedScript(`
local v = redis.call('GET', KEYS[4])
if not v then return {'notfound', 'case not found'} end
if v ~= ARGV[5] then return {'conflict', 'the case changed meanwhile (now version ' .. v .. ')'} end
for i = 5, 8 do redis.call('ZREM', KEYS[i], ARGV[8]) end
for i = 9, 12 do redis.call('ZADD', KEYS[i], 0, ARGV[9]) end
redis.call('SET', KEYS[3], ARGV[7])
redis.call('SET', KEYS[4], ARGV[6])
`)

// KEYS[3] suppressions of the counterparty. ARGV[5] entry key, [6] JSON.
var putSuppressionScript = chainedScript(`
redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
`)

// KEYS[3] key, [4] hash index, [5] time index. ARGV[5] JSON, [6] hash,
// [7] id, [8] index member.
var createKeyScript = chainedScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return {'conflict', 'key ' .. ARGV[7] .. ' exists'} end
if redis.call('HEXISTS', KEYS[4], ARGV[6]) == 1 then return {'conflict', 'a key with this secret exists'} end
redis.call('SET', KEYS[3], ARGV[5])
redis.call('HSET', KEYS[4], ARGV[6], ARGV[7])
redis.call('ZADD', KEYS[5], 0, ARGV[8])
`)

// KEYS[3] key. ARGV[5] the JSON the caller read, [6] the new JSON. {"retry"}
// when the key changed since it was read.
var revokeKeyScript = chainedScript(`
local cur = redis.call('GET', KEYS[3])
if not cur then return {'notfound', 'key not found'} end
if cur ~= ARGV[5] then return {'retry'} end
redis.call('SET', KEYS[3], ARGV[6])
`)

var appendAuditScript = chainedScript(``)

// KEYS[3] webhook, [4] time index. ARGV[5] JSON, [6] index member, [7] id.
var createWebhookScript = chainedScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return {'conflict', 'webhook ' .. ARGV[7] .. ' exists'} end
redis.call('SET', KEYS[3], ARGV[5])
redis.call('ZADD', KEYS[4], 0, ARGV[6])
`)

// KEYS[3] current-snapshot hash, then the new chunk keys, then the old ones.
// ARGV[5] source, [6] the meta the caller read ("" for none), [7] new meta,
// [8] number of new chunks, [9] announcement channel, [10] how long the old
// chunks stay for readers in the middle of reading them (ms).
// The new chunks were written beforehand with an expiry, so an import that
// dies half-way leaves nothing behind for long; this switch makes them
// permanent and the source's pointer names them, all at once.
var saveSnapshotScript = chainedScript(`
local cur = redis.call('HGET', KEYS[3], ARGV[5]) or ''
if cur ~= ARGV[6] then return {'retry'} end
local n = tonumber(ARGV[8])
for i = 4, 3 + n do
  if redis.call('EXISTS', KEYS[i]) == 0 then return {'expired'} end
end
for i = 4, 3 + n do redis.call('PERSIST', KEYS[i]) end
for i = 4 + n, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[10]) end
redis.call('HSET', KEYS[3], ARGV[5], ARGV[7])
redis.call('PUBLISH', ARGV[9], ARGV[5])
`)

// KEYS[1] outbox cursor, [2] due set, [3] NextAt hash, then per delivery its
// record and its webhook's index. ARGV[1] cursor, then per delivery: JSON,
// id, "1" when pending, due score, NextAt, webhook index member.
var enqueueScript = redis.NewScript(`
local n = (#KEYS - 3) / 2
for i = 0, n - 1 do
  local dk, hk, a = KEYS[4 + 2 * i], KEYS[5 + 2 * i], 2 + 6 * i
  if redis.call('EXISTS', dk) == 0 then
    redis.call('SET', dk, ARGV[a])
    redis.call('HSET', KEYS[3], ARGV[a + 1], ARGV[a + 4])
    if ARGV[a + 2] == '1' then redis.call('ZADD', KEYS[2], ARGV[a + 3], ARGV[a + 1]) end
    redis.call('ZADD', hk, 0, ARGV[a + 5])
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return 'ok'
`)

// KEYS[1] due set, [2] NextAt hash. ARGV[1] now (score), [2] limit, [3] new
// score, [4] new NextAt. Returns the claimed ids, earliest due first.
var claimScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], ARGV[3], id)
  redis.call('HSET', KEYS[2], id, ARGV[4])
end
return ids
`)

// KEYS[1] delivery, [2] due set, [3] NextAt hash, [4] old webhook index,
// [5] new webhook index. ARGV[1] JSON, [2] id, [3] "1" when pending,
// [4] due score, [5] NextAt, [6] old index member, [7] new index member.
var updateDeliveryScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 'notfound' end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[5])
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
else
  redis.call('ZREM', KEYS[2], ARGV[2])
end
redis.call('ZREM', KEYS[4], ARGV[6])
redis.call('ZADD', KEYS[5], 0, ARGV[7])
return 'ok'
`)

// History of one kind and key: a sorted set whose members (all scored 0, so
// ordered by bytes) are timeKey + screening id + NUL + entry JSON.
//
// KEYS[1] the set. ARGV[1] limit, then per entry: member, lower bound,
// upper bound (ZRANGEBYLEX syntax), screening id + NUL, and "" or "=" + a
// name key to leave out (OthersOnly). Entries are taken in order: each is
// added, then the others within its bounds are read, newest first, skipping
// the entry's own screening. Returns one list per entry.
//
// A member is timeKey (24 bytes) + screening id + NUL + body; the name key
// is the fourth length-prefixed field of a version 1 body. Older JSON
// bodies are never left out (the check itself still tells companies apart).
var recordHistoryScript = redis.NewScript(`
local function nameKeyOf(m)
  local z = string.find(m, '\0', 25, true)
  if not z or string.byte(m, z + 1) ~= 1 then return nil end
  local pos = z + 2
  for f = 1, 4 do
    local n, mul = 0, 1
    while true do
      local b = string.byte(m, pos)
      if not b then return nil end
      pos = pos + 1
      n = n + (b % 128) * mul
      if b < 128 then break end
      mul = mul * 128
    end
    if f == 4 then return string.sub(m, pos, pos + n - 1) end
    pos = pos + n
  end
end
local limit = tonumber(ARGV[1])
local out = {}
for a = 2, #ARGV, 5 do
  local member, lo, hi, own, skip = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local skipName = nil
  if skip ~= '' then skipName = string.sub(skip, 2) end
  redis.call('ZADD', KEYS[1], 0, member)
  local found, offset, want = {}, 0, limit + 8
  while true do
    local page = redis.call('ZREVRANGEBYLEX', KEYS[1], hi, lo, 'LIMIT', offset, want)
    for _, m in ipairs(page) do
      if string.sub(m, 25, 24 + #own) ~= own and (skipName == nil or nameKeyOf(m) ~= skipName) then
        found[#found + 1] = m
        if #found >= limit then break end
      end
    end
    if #found >= limit or #page < want then break end
    offset = offset + #page
  end
  out[#out + 1] = found
end
return out
`)

// KEYS[1] the set. ARGV: prefixes (timeKey + screening id + NUL) whose
// members go. Returns the newest member left ("" when the set is empty).
var forgetHistoryScript = redis.NewScript(`
for _, p in ipairs(ARGV) do
  local gone = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. p, '(' .. p .. '\255')
  if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)) end
end
local newest = redis.call('ZREVRANGEBYLEX', KEYS[1], '+', '-', 'LIMIT', 0, 1)
return newest[1] or ''
`)

// bytesLess compares two strings byte by byte: Lua's own < follows the
// server's locale.
const bytesLess = `
local function bytesLess(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
`

// The counterparty index: KEYS[1] a sorted set of counterparty keys scored
// by the time of their newest entry, KEYS[2] a hash of counterparty key to
// the history member of that entry. ARGV triples: counterparty key, score,
// member. A member replaces the current one only when newer.
var noteSeenScript = redis.NewScript(bytesLess + `
for a = 1, #ARGV, 3 do
  local k, sc, m = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local cur = redis.call('HGET', KEYS[2], k)
  if (not cur) or bytesLess(cur, m) then
    redis.call('HSET', KEYS[2], k, m)
    redis.call('ZADD', KEYS[1], sc, k)
  end
end
return 'ok'
`)

// Same keys. ARGV quadruples: counterparty key, forgotten prefix, the newest
// member left ("" for none) and its score. The index moves back only when it
// still points at a forgotten entry.
var reseenScript = redis.NewScript(`
for a = 1, #ARGV, 4 do
  local k, gone, m, sc = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local cur = redis.call('HGET', KEYS[2], k)
  if cur and string.sub(cur, 1, #gone) == gone then
    if m == '' then
      redis.call('HDEL', KEYS[2], k)
      redis.call('ZREM', KEYS[1], k)
    else
      redis.call('HSET', KEYS[2], k, m)
      redis.call('ZADD', KEYS[1], sc, k)
    end
  end
end
return 'ok'
`)
