/**
 * The Lua scripts behind shared admission (gateway/admission-redis.ts). Redis runs a script
 * atomically, so every check of a call and every counter it moves are one step: two processes
 * can never both admit the last call. Keys, per budget: a hash {w: window ('n' = none),
 * spend: settled spend in the window, res: estimates of calls in flight} and a sorted set of
 * the reservations (`<call id>:<estimate>`, scored by expiry: a process that dies mid-call
 * gives its estimates back when they expire). Per rate counter: a hash {r, t} per 60 s window.
 * Per parallel scope: a sorted set of call ids scored by lease expiry.
 */

/**
 * KEYS: per budget its hash and reservation set, then one window hash per rate counter, then
 * the lease set (when parallel is limited).
 * ARGV: now, call id, estimate, hold ms (reservation / lease expiry), budget key ms, #budgets,
 * #counters, parallel max ('' = none), rate window ms; then per budget: 't' (team: refuses when
 * used > max) or 'o' (used >= max), max ('' = none), window ('n' = none), seed (database spend);
 * then per counter: rpm (''), tpm ('').
 * Reply: {'budget', i, spend} | {'rpm'|'tpm', j, requests, tokens} | {'parallel', 0} | {'ok',
 * w1..wn, spend1..n, reserved1..n (this call's included), requests1..m, tokens1..m, in flight}.
 * A refused call changes no counter (only seeds and sweeps expired entries).
 */
export const ADMIT = `
local now = tonumber(ARGV[1])
local est = tonumber(ARGV[3])
local nb = tonumber(ARGV[6])
local ns = tonumber(ARGV[7])
local pmax = ARGV[8]
local a = 10
local ws, sp, rs = {}, {}, {}
for i = 1, nb do
  local h, z = KEYS[2 * i - 1], KEYS[2 * i]
  local kind, max, win, seed = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  a = a + 4
  local cur = redis.call('HMGET', h, 'w', 'spend', 'res')
  local w, spend, res = cur[1], tonumber(cur[2] or '0'), tonumber(cur[3] or '0')
  -- seed from the database when missing, or when the database moved to a newer window (a reset)
  if (not w) or (win ~= 'n' and w ~= 'n' and tonumber(win) > tonumber(w)) then
    w, spend = win, tonumber(seed)
    redis.call('HSET', h, 'w', w, 'spend', seed, 'res', res)
  end
  local old = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  if #old > 0 then
    for _, m in ipairs(old) do res = res - tonumber(string.match(m, ':(%d+)$')) end
    if res < 0 then res = 0 end
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
    redis.call('HSET', h, 'res', res)
  end
  ws[i], sp[i], rs[i] = w, spend, res
  if max ~= '' then
    local used, m = spend + res, tonumber(max)
    if (kind == 't' and used > m) or (kind ~= 't' and used >= m) then return {'budget', i, spend} end
  end
end
local rq, tk = {}, {}
for j = 1, ns do
  local k = KEYS[2 * nb + j]
  local rpm, tpm = ARGV[a], ARGV[a + 1]
  a = a + 2
  local c = redis.call('HMGET', k, 'r', 't')
  rq[j], tk[j] = tonumber(c[1] or '0'), tonumber(c[2] or '0')
  if rpm ~= '' and rq[j] >= tonumber(rpm) then return {'rpm', j, rq[j], tk[j]} end
  if tpm ~= '' and tk[j] >= tonumber(tpm) then return {'tpm', j, rq[j], tk[j]} end
end
local lease = KEYS[2 * nb + ns + 1]
local inflight = 0
if pmax ~= '' then
  redis.call('ZREMRANGEBYSCORE', lease, '-inf', now)
  inflight = redis.call('ZCARD', lease)
  if inflight >= tonumber(pmax) then return {'parallel', 0} end
end
local expiry = now + tonumber(ARGV[4])
local member = ARGV[2] .. ':' .. ARGV[3]
for i = 1, nb do
  rs[i] = redis.call('HINCRBY', KEYS[2 * i - 1], 'res', est)
  redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[5])
  redis.call('ZADD', KEYS[2 * i], expiry, member)
  redis.call('PEXPIRE', KEYS[2 * i], ARGV[5])
end
for j = 1, ns do
  rq[j] = redis.call('HINCRBY', KEYS[2 * nb + j], 'r', 1)
  redis.call('PEXPIRE', KEYS[2 * nb + j], ARGV[9])
end
if pmax ~= '' then
  redis.call('ZADD', lease, expiry, ARGV[2])
  redis.call('PEXPIRE', lease, ARGV[4])
  inflight = inflight + 1
end
local out = {'ok'}
for i = 1, nb do out[#out + 1] = ws[i] end
for i = 1, nb do out[#out + 1] = sp[i] end
for i = 1, nb do out[#out + 1] = rs[i] end
for j = 1, ns do out[#out + 1] = rq[j] end
for j = 1, ns do out[#out + 1] = tk[j] end
out[#out + 1] = inflight
return out
`;

/**
 * After the call. KEYS: per budget its hash and reservation set, then the token counters'
 * window hashes (the window the call ends in), then the lease set (when it holds one).
 * ARGV: call id, estimate, cost, tokens, #budgets, #token counters, '1' = release a lease,
 * rate window ms; then per budget the window it was admitted in.
 * The estimate is released only if the reservation is still there (not expired, not dropped by a
 * re-seed): never twice. The cost counts only in the window of admission (a reset in between
 * leaves the new window alone). Reply: per budget its spend (-1 = no counter), per budget its
 * reservations, then the lease set's size.
 */
export const SETTLE = `
local nb = tonumber(ARGV[5])
local nt = tonumber(ARGV[6])
local est, cost = tonumber(ARGV[2]), tonumber(ARGV[3])
local member = ARGV[1] .. ':' .. ARGV[2]
local spends, reserved = {}, {}
for i = 1, nb do
  local h = KEYS[2 * i - 1]
  local res = tonumber(redis.call('HGET', h, 'res') or '0')
  if redis.call('ZREM', KEYS[2 * i], member) == 1 then
    res = res - est
    if res < 0 then res = 0 end
    redis.call('HSET', h, 'res', res)
  end
  local w = redis.call('HGET', h, 'w')
  if w and w == ARGV[8 + i] then
    if cost > 0 then spends[i] = redis.call('HINCRBY', h, 'spend', cost) else spends[i] = tonumber(redis.call('HGET', h, 'spend')) end
  else
    spends[i] = -1
  end
  reserved[i] = res
end
for j = 1, nt do
  redis.call('HINCRBY', KEYS[2 * nb + j], 't', ARGV[4])
  redis.call('PEXPIRE', KEYS[2 * nb + j], ARGV[8])
end
local inflight = 0
if ARGV[7] == '1' then
  local lease = KEYS[2 * nb + nt + 1]
  redis.call('ZREM', lease, ARGV[1])
  inflight = redis.call('ZCARD', lease)
end
local out = {}
for i = 1, nb do out[#out + 1] = spends[i] end
for i = 1, nb do out[#out + 1] = reserved[i] end
out[#out + 1] = inflight
return out
`;

/**
 * A change from outside the gateway. KEYS: the budget hash. ARGV: 'reset' | 'sync', window
 * ('n' = none), spend. Only a counter that exists moves (a missing one is seeded from the
 * database at the next admission); reservations in flight stay.
 */
export const ADJUST = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'w', ARGV[2], 'spend', ARGV[3])
return 1
`;
