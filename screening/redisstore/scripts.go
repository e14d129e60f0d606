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

// KEYS[3] webhook. ARGV[5] the JSON the caller read, [6] the new JSON.
// {"retry"} when the webhook changed since it was read.
var updateWebhookScript = chainedScript(`
local cur = redis.call('GET', KEYS[3])
if not cur then return {'notfound', 'webhook not found'} end
if cur ~= ARGV[5] then return {'retry'} end
redis.call('SET', KEYS[3], ARGV[6])
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

// historyLib is what the history scripts share. A member is timeKey (24
// bytes) + screening id + NUL + body; the name key is the fourth
// length-prefixed field of a version 1 body, or "k" of an older JSON body.
//
// The company index of a key (KEYS[2] a sorted set, KEYS[3] a hash) holds,
// per name key, its newest member (hash field "1" + name key) and the newest
// member of any other screening (field "2" + name key): so that a look-up
// that leaves out the asking company and its own screening, and wants one
// entry per other company, reads two members per company instead of every
// entry a regular customer made on its own phone number.
const historyLib = bytesLess + `
local function nameKeyOf(m)
  local z = string.find(m, '\0', 25, true)
  if not z then return nil end
  local v = string.byte(m, z + 1)
  if v == 123 then
    local ok, b = pcall(cjson.decode, string.sub(m, z + 1))
    if not ok or type(b) ~= 'table' then return nil end
    if type(b.k) == 'string' then return b.k end
    return ''
  end
  if v ~= 1 then return nil end
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
local function sidOf(m)
  local z = string.find(m, '\0', 25, true)
  if not z then return '' end
  return string.sub(m, 25, z - 1)
end
local function indexPut(field, old, m)
  if old then redis.call('ZREM', KEYS[2], old) end
  redis.call('HSET', KEYS[3], field, m)
  redis.call('ZADD', KEYS[2], 0, m)
end
-- indexNote takes member m (already in the set) into the company index.
local function indexNote(m)
  local k = nameKeyOf(m)
  if k == nil then return end
  local f1, f2 = '1' .. k, '2' .. k
  local c1 = redis.call('HGET', KEYS[3], f1)
  if not c1 then indexPut(f1, nil, m) return end
  if c1 == m then return end
  local s = sidOf(m)
  if sidOf(c1) == s then
    if bytesLess(c1, m) then indexPut(f1, c1, m) end
    return
  end
  local c2 = redis.call('HGET', KEYS[3], f2)
  if bytesLess(c1, m) then
    -- m is the newest; the old newest, another screening's, is second.
    if c2 then redis.call('ZREM', KEYS[2], c2) end
    redis.call('HSET', KEYS[3], f2, c1)
    indexPut(f1, nil, m)
    return
  end
  if c2 ~= m and ((not c2) or bytesLess(c2, m)) then indexPut(f2, c2, m) end
end
-- indexBuild builds the index of a set written before it had one.
local function indexBuild()
  if redis.call('EXISTS', KEYS[3]) == 1 then return end
  local from = 0
  while true do
    local page = redis.call('ZRANGE', KEYS[1], from, from + 999)
    for _, m in ipairs(page) do indexNote(m) end
    if #page < 1000 then return end
    from = from + #page
  end
end
-- indexRedo sets the index of name key k anew from the set (after
-- members went).
local function indexRedo(k)
  local f1, f2 = '1' .. k, '2' .. k
  for _, f in ipairs({f1, f2}) do
    local c = redis.call('HGET', KEYS[3], f)
    if c then
      redis.call('ZREM', KEYS[2], c)
      redis.call('HDEL', KEYS[3], f)
    end
  end
  local first, hi = nil, '+'
  while true do
    local page = redis.call('ZREVRANGEBYLEX', KEYS[1], hi, '-', 'LIMIT', 0, 500)
    for _, m in ipairs(page) do
      if nameKeyOf(m) == k then
        if not first then
          first = m
          indexPut(f1, nil, m)
        elseif sidOf(m) ~= sidOf(first) then
          indexPut(f2, nil, m)
          return
        end
      end
    end
    if #page < 500 then return end
    hi = '(' .. page[#page]
  end
end
`

// History of one kind and key: a sorted set whose members (all scored 0, so
// ordered by bytes) are timeKey + screening id + NUL + body.
//
// KEYS[1] the set, KEYS[2] and KEYS[3] its company index (historyLib).
// ARGV[1] limit, ARGV[2] "1" when the index is kept for this kind, then per
// entry: member, lower bound, upper bound (ZRANGEBYLEX syntax), screening id
// + NUL, and "" or "=" + a name key to leave out (OthersOnly). Entries are
// taken in order: each is added, then the others within its bounds are
// read, newest first, skipping the entry's own screening and, for
// OthersOnly, the company and every company's entries after its first.
// Returns one list per entry.
//
// An OthersOnly look-up reads the index when no company's newest entry lies
// after the window (always so for an inquiry received now): then each
// company's newest entry of another screening within the window is its first
// or second index member. An inquiry received long ago (a back-fill) reads
// the set itself.
var recordHistoryScript = redis.NewScript(historyLib + `
local limit = tonumber(ARGV[1])
local indexed = ARGV[2] == '1'
if indexed then indexBuild() end
local out = {}
for a = 3, #ARGV, 5 do
  local member, lo, hi, own, skip = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local skipName = nil
  if skip ~= '' then skipName = string.sub(skip, 2) end
  redis.call('ZADD', KEYS[1], 0, member)
  local src = KEYS[1]
  if indexed then
    indexNote(member)
    if skipName ~= nil then
      local top = redis.call('ZREVRANGE', KEYS[2], 0, 0)[1]
      if hi == '+' or (top and bytesLess(top, string.sub(hi, 2))) then src = KEYS[2] end
    end
  end
  local found, seen, offset, want = {}, {}, 0, limit + 8
  while true do
    local page = redis.call('ZREVRANGEBYLEX', src, hi, lo, 'LIMIT', offset, want)
    for _, m in ipairs(page) do
      if string.sub(m, 25, 24 + #own) ~= own then
        local keep = true
        if skipName ~= nil then
          local k = nameKeyOf(m)
          if k ~= nil then
            keep = k ~= skipName and not seen[k]
            seen[k] = true
          end
        end
        if keep then
          found[#found + 1] = m
          if #found >= limit then break end
        end
      end
    end
    if #found >= limit or #page < want then break end
    offset = offset + #page
  end
  out[#out + 1] = found
end
return out
`)

// KEYS[1] the set, KEYS[2] and KEYS[3] its company index (when ARGV[1] is
// "1"). ARGV[2...]: prefixes (timeKey + screening id + NUL) whose members
// go. Returns the newest member left ("" when the set is empty).
var forgetHistoryScript = redis.NewScript(historyLib + `
local redo = {}
for a = 2, #ARGV do
  local p = ARGV[a]
  local gone = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. p, '(' .. p .. '\255')
  if #gone > 0 then
    redis.call('ZREM', KEYS[1], unpack(gone))
    if ARGV[1] == '1' then
      for _, m in ipairs(gone) do
        local k = nameKeyOf(m)
        if k ~= nil and (redis.call('HGET', KEYS[3], '1' .. k) == m or redis.call('HGET', KEYS[3], '2' .. k) == m) then
          redo[k] = true
        end
      end
    end
  end
end
for k in pairs(redo) do indexRedo(k) end
local newest = redis.call('ZREVRANGEBYLEX', KEYS[1], '+', '-', 'LIMIT', 0, 1)
return newest[1] or ''
`)

// KEYS[1] the set, KEYS[2] and KEYS[3] its company index. ARGV[1] the
// ZRANGEBYLEX bound below which members go. A company's second member is
// older than its first, so when its first goes, its second does too.
// Returns how many members of the set went.
var pruneIndexedScript = redis.NewScript(historyLib + `
local gone = redis.call('ZRANGEBYLEX', KEYS[2], '-', ARGV[1])
for _, m in ipairs(gone) do
  local k = nameKeyOf(m)
  if k ~= nil then
    for _, f in ipairs({'1' .. k, '2' .. k}) do
      if redis.call('HGET', KEYS[3], f) == m then redis.call('HDEL', KEYS[3], f) end
    end
  end
end
redis.call('ZREMRANGEBYLEX', KEYS[2], '-', ARGV[1])
return redis.call('ZREMRANGEBYLEX', KEYS[1], '-', ARGV[1])
`)

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
