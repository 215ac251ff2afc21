/**
 * The Lua scripts of {@link RedisSessionStore}. Each runs atomically on the one key it is given, which is what makes
 * `rotate` a single compare-and-set round trip (no WATCH/MULTI retries). ioredis sends them with EVALSHA and falls
 * back to EVAL when the server answers NOSCRIPT (after a restart or a failover), per connection and cluster node.
 *
 * Field names are short because every session hash carries them: u user id, g generation, c created, l last used,
 * rt rotated, ie idle expiry, ae absolute expiry (all instants epoch ms), ra revoked at, rr revocation reason,
 * ua user agent, ip client address. Absent optional fields mean null.
 */

/** KEYS[1] session; ARGV[1] PEXPIREAT instant, ARGV[2..] field/value pairs. */
export const CREATE_SESSION_SCRIPT = `
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
`;

/**
 * KEYS[1] session; ARGV[1] expected generation, ARGV[2] now (ms), ARGV[3] new idle expiry (ms), ARGV[4] how long the
 * hash outlives its expiry (ms). Returns 1 when this call advanced the generation, else 0.
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

/** KEYS[1] session; ARGV[1] now (ms), ARGV[2] reason. Returns 1 when this call revoked it, else 0. */
export const REVOKE_SESSION_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'ra') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'ra', ARGV[1], 'rr', ARGV[2])
return 1
`;

/**
 * KEYS[1] session; ARGV[1] now (ms). Deletes the hash when it has expired at `now` and returns 0 (also when it was
 * already gone); returns its current expiry (ms, as a string) when it is still live, e.g. because it was rotated.
 */
export const DELETE_IF_EXPIRED_SCRIPT = `
local s = redis.call('HMGET', KEYS[1], 'ie', 'ae')
if not s[1] then return 0 end
local expiry = math.min(tonumber(s[1]), tonumber(s[2]))
if expiry <= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 0
end
return string.format('%d', expiry)
`;
