/**
 * The Lua scripts of {@link RedisSessionStore}. Each runs atomically in one slot (a user's hash tag), which is what
 * makes `rotate` a single compare-and-set round trip (no WATCH/MULTI retries) and logout-all and the per-user cap
 * set-based. ioredis sends them with EVALSHA and falls back to EVAL when the server answers NOSCRIPT (after a restart
 * or a failover), per connection and per cluster node.
 *
 * Scripts that walk a user's sessions build the session keys from a prefix argument: those keys carry the same hash
 * tag as the index passed in KEYS, so they are in the same slot.
 *
 * Field names are short because every session hash carries them: u user id, g generation, c created, l last used,
 * rt rotated, ie idle expiry, ae absolute expiry (all instants epoch ms), ra revoked at, rr revocation reason,
 * ua user agent, ip client address. Absent optional fields mean null.
 */

/** KEYS[1] session, KEYS[2] user index; ARGV[1] PEXPIREAT instant, ARGV[2] session id, ARGV[3] created (ms), ARGV[4..] fields. */
export const CREATE_SESSION_SCRIPT = `
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
`;

/**
 * KEYS[1] session (under the token's user: another user's session is simply not there); ARGV[1] expected generation,
 * ARGV[2] now (ms), ARGV[3] new idle expiry (ms), ARGV[4] how long the hash outlives its expiry (ms). Returns 1 when
 * this call advanced the generation, else 0.
 */
export const ROTATE_SESSION_SCRIPT = `
local s = redis.call('HMGET', KEYS[1], 'g', 'ra', 'ie', 'ae')
if not s[1] or s[2] or s[1] ~= ARGV[1] then return 0 end
local now = tonumber(ARGV[2])
local absolute = tonumber(s[4])
if tonumber(s[3]) <= now or absolute <= now then return 0 end
redis.call('HSET', KEYS[1], 'g', tostring(tonumber(s[1]) + 1), 'rt', ARGV[2], 'l', ARGV[2], 'ie', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], string.format('%d', math.min(tonumber(ARGV[3]), absolute) + tonumber(ARGV[4])))
return 1
`;

/** KEYS[1] session, KEYS[2] user index; ARGV[1] now (ms), ARGV[2] reason, ARGV[3] session id. Returns 1 when this call revoked it. */
export const REVOKE_SESSION_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'ra') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'ra', ARGV[1], 'rr', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
return 1
`;

/**
 * KEYS[1] user index; ARGV[1] now (ms), ARGV[2] reason, ARGV[3] the user's session key prefix, ARGV[4] how many index
 * entries to take. Revokes the unrevoked sessions among the first ARGV[4] entries and takes all of them out of the
 * index. Returns { entries taken, ids revoked }: the caller repeats while a full batch was taken, so a user with tens
 * of thousands of sessions never blocks Redis in one long script.
 */
export const REVOKE_USER_SESSIONS_SCRIPT = `
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)
local revoked = {}
for _, id in ipairs(ids) do
  local key = ARGV[3] .. id
  if redis.call('EXISTS', key) == 1 and redis.call('HEXISTS', key, 'ra') == 0 then
    redis.call('HSET', key, 'ra', ARGV[1], 'rr', ARGV[2])
    revoked[#revoked + 1] = id
  end
end
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
return { #ids, revoked }
`;

/**
 * KEYS[1] user index; ARGV[1] now (ms), ARGV[2] reason, ARGV[3] the user's session key prefix, ARGV[4] how many live
 * sessions to keep. Revokes the live sessions beyond the ARGV[4] most recently used (ties: newest id order) and drops
 * entries that are no longer live from the index; at or under the cap it answers after one ZCARD. Returns the ids revoked.
 */
export const REVOKE_LEAST_RECENTLY_USED_SCRIPT = `
local keep = tonumber(ARGV[4])
if redis.call('ZCARD', KEYS[1]) <= keep then return {} end
local now = tonumber(ARGV[1])
local live = {}
local gone = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local s = redis.call('HMGET', ARGV[3] .. id, 'l', 'ie', 'ae', 'ra')
  if s[1] and not s[4] and tonumber(s[2]) > now and tonumber(s[3]) > now then
    live[#live + 1] = { id, tonumber(s[1]) }
  else
    gone[#gone + 1] = id
  end
end
for _, id in ipairs(gone) do redis.call('ZREM', KEYS[1], id) end
local revoked = {}
if #live <= keep then return revoked end
table.sort(live, function(a, b)
  if a[2] ~= b[2] then return a[2] > b[2] end
  return a[1] > b[1]
end)
for i = keep + 1, #live do
  local id = live[i][1]
  redis.call('HSET', ARGV[3] .. id, 'ra', ARGV[1], 'rr', ARGV[2])
  redis.call('ZREM', KEYS[1], id)
  revoked[#revoked + 1] = id
end
return revoked
`;

/**
 * KEYS[1] session, KEYS[2] user index; ARGV[1] now (ms), ARGV[2] session id. When the session has expired at `now` (or
 * is already gone), deletes the hash, takes it out of the index and returns 0; when it is still live (e.g. it was
 * rotated), returns its current expiry (ms, as a string).
 */
export const DELETE_IF_EXPIRED_SCRIPT = `
local s = redis.call('HMGET', KEYS[1], 'ie', 'ae')
if s[1] then
  local expiry = math.min(tonumber(s[1]), tonumber(s[2]))
  if expiry > tonumber(ARGV[1]) then return string.format('%d', expiry) end
  redis.call('DEL', KEYS[1])
end
redis.call('ZREM', KEYS[2], ARGV[2])
return 0
`;
