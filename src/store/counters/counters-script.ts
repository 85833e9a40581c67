/**
 * The one Lua script behind the Redis counters. Redis runs a script atomically, so reading every
 * counter, deciding, and adding every cost happen in one step and one round trip: N instances
 * enforce one limit, and a denied takeAll adds nothing anywhere.
 *
 * KEYS: two per check, the current bucket then the previous one (the previous key repeats the
 *   current one for fixed windows and is not read).
 * ARGV: mode ('take' | 'add'), now (epoch ms), then per check: kind ('s' sliding | 'f' fixed),
 *   cost (whole units, may be negative in 'add' mode), limit, window ms (sliding; 0 for fixed),
 *   ttl ms of the current bucket.
 * Returns: { allowed (1|0), deniedIndex (0-based or -1), cur1, prev1, cur2, prev2, ... } with
 *   the values read before anything was added.
 *
 * The decision rule must equal `fits`/`usedNow` in window-math.ts.
 */
export const COUNTERS_LUA = `
local mode = ARGV[1]
local now = tonumber(ARGV[2])
local n = (#ARGV - 2) / 5
local out = { 1, -1 }
for i = 1, n do
  local a = 2 + (i - 1) * 5
  local cost = tonumber(ARGV[a + 2])
  local limit = tonumber(ARGV[a + 3])
  local wms = tonumber(ARGV[a + 4])
  local cur = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local prev = 0
  local used = cur
  if ARGV[a + 1] == 's' then
    prev = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
    local elapsed = (now % wms) / wms
    used = prev * (1 - elapsed) + cur
  end
  if used < 0 then used = 0 end
  out[2 * i + 1] = cur
  out[2 * i + 2] = prev
  if mode == 'take' and out[1] == 1 then
    local ok
    if cost > 0 then ok = used + cost <= limit else ok = used < limit end
    if not ok then
      out[1] = 0
      out[2] = i - 1
    end
  end
end
if out[1] == 1 then
  for i = 1, n do
    local a = 2 + (i - 1) * 5
    local cost = tonumber(ARGV[a + 2])
    local ttl = tonumber(ARGV[a + 5])
    local key = KEYS[2 * i - 1]
    if cost ~= 0 then
      local v = redis.call('INCRBY', key, cost)
      if v < 0 then
        redis.call('SET', key, '0', 'PX', ttl)
      else
        redis.call('PEXPIRE', key, ttl)
      end
    end
  end
end
return out
`;
