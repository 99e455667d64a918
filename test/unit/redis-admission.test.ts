/**
 * The Lua admission (shared-state/admission-scripts.ts through gateway/admission-redis.ts)
 * against the machine's real Redis, as two processes would run it: two connections, two
 * RedisAdmission instances, one key prefix. Every check of a call is decided in one script:
 * a budget reserved by one is seen by the other, the last slot goes to one of them, a refused
 * call changes no counter, counters are seeded from the database figure only when missing (or
 * when the database is in a newer window), settling twice releases once, and the reservations
 * and leases of a call that never settles expire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BudgetView } from '../../api/src/budgets/counted.js';
import { BudgetLedger } from '../../api/src/budgets/ledger.js';
import { isRefusal, MemoryAdmission, type AdmissionRefusal, type AdmissionSubject, type Ticket } from '../../api/src/gateway/admission.js';
import { RedisAdmission } from '../../api/src/gateway/admission-redis.js';
import { Limiter } from '../../api/src/gateway/limiter.js';
import { RedisConn, type RedisTarget } from '../../api/src/shared-state/redis.js';
import { dropPrefix, REDIS_HOST, REDIS_PORT, redisPrefix } from '../helpers/redis.js';

const prefix = redisPrefix();
const quiet = { info() {}, warn() {}, error() {} };
const conns: RedisConn[] = [];
let a: RedisAdmission;
let b: RedisAdmission;
let ids = 0;

async function process(): Promise<RedisAdmission> {
  const target: RedisTarget = {
    options: { host: REDIS_HOST, port: REDIS_PORT, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true },
    source: 'REDIS_URL',
    prefix,
    display: `${REDIS_HOST}:${REDIS_PORT}`,
  };
  const c = new RedisConn(target, quiet);
  await c.connect();
  conns.push(c);
  return new RedisAdmission(c, new MemoryAdmission(new BudgetLedger(), new Limiter()), quiet, { onReseed() {} });
}

beforeAll(async () => {
  a = await process();
  b = await process();
});
afterAll(async () => {
  for (const c of conns) await c.close();
  await dropPrefix(prefix);
});

/** A key snapshot with one key budget (and optionally a team budget) and the given limits. */
function subject(o: { max?: number | null; dbSpend?: number; window?: number | null; team?: { max: number | null; dbSpend?: number }; rpm?: number; tpm?: number; parallel?: number } = {}): AdmissionSubject {
  const keyId = `k${++ids}`;
  const budgets: BudgetView[] = [
    { kind: 'key', ref: { kind: 'key', keyId }, id: `key:${keyId}`, label: `key ${keyId}`, max: o.max ?? null, soft: null, window: o.window ?? null, dbSpend: o.dbSpend ?? 0 },
  ];
  const teamId = o.team ? `t${ids}` : null;
  if (o.team && teamId)
    budgets.push({ kind: 'team', ref: { kind: 'team', teamId }, id: `team:${teamId}`, label: `team ${teamId}`, max: o.team.max, soft: null, window: null, dbSpend: o.team.dbSpend ?? 0 });
  return { keyId, teamId, rpmLimit: o.rpm ?? null, tpmLimit: o.tpm ?? null, teamRpmLimit: null, teamTpmLimit: null, maxParallelRequests: o.parallel ?? null, budgets };
}

const admitted = (x: Ticket | AdmissionRefusal): Ticket => {
  if (isRefusal(x)) throw new Error(`refused: ${JSON.stringify(x.refused === 'rate' ? x.limit.message : x.spend)}`);
  return x;
};

describe('shared admission in Redis (Lua)', () => {
  it('a reservation made through one process is seen by the other; the cost replaces it once', async () => {
    const s = subject({ max: 100_000 });
    const t1 = admitted(await a.admit(s, 60_000));
    // 60_000 reserved on A: B's 60_000 would still fit under 100_000 by the "used < max" rule, the next would not
    const t2 = admitted(await b.admit(s, 60_000));
    const refused = await a.admit(s, 1);
    expect(isRefusal(refused) && refused.refused).toBe('budget');
    expect(b.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ spend: 0, reserved: 120_000 });
    await a.finish(t1, 30_000, 10);
    await a.finish(t1, 30_000, 10); // a second settle releases nothing and charges nothing
    await b.finish(t2, 0, 0);
    expect(a.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ spend: 30_000, reserved: 60_000 });
    expect(b.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ spend: 30_000, reserved: 0 });
    admitted(await b.admit(s, 60_000));
  });

  it('a refusal by any check changes no counter: budgets, windows and slots are counted together or not at all', async () => {
    // the team budget refuses (team: used > max) after the key budget and the rpm window passed
    const s = subject({ max: 1_000_000, rpm: 10, team: { max: 100, dbSpend: 101 } });
    const r = await a.admit(s, 50);
    expect(isRefusal(r) && r.refused === 'budget' && r.budget.kind).toBe('team');
    const t = admitted(await b.admit({ ...s, budgets: [s.budgets[0]!] }, 50));
    // only the admitted call counted: one request in the window, one reservation on the key
    expect(t.headers['x-ratelimit-remaining-requests']).toBe('9');
    expect(b.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ reserved: 50 });
  });

  it('rpm across two processes: 4 per window, not 8; tpm charged after the call is seen by the other', async () => {
    const now = 120_000 * 1000 + 5_000;
    const s = subject({ rpm: 4 });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await (i % 2 ? b : a).admit(s, 0, now + i));
    expect(results.filter((r) => !isRefusal(r))).toHaveLength(4);
    const last = results[7]!;
    expect(isRefusal(last) && last.refused === 'rate' && last.limit.message).toMatch(/4 requests per minute/);
    // the next window starts at 0
    admitted(await a.admit(s, 0, now + 60_000));

    const tp = subject({ tpm: 30 });
    const t = admitted(await a.admit(tp, 0, now));
    await a.finish(t, 0, 30, now + 10);
    const r = await b.admit(tp, 0, now + 20);
    expect(isRefusal(r) && r.refused === 'rate' && r.limit.message).toMatch(/30 tokens per minute/);
  });

  it('max_parallel_requests holds across both; a slot comes back at settle, or when its lease expires', async () => {
    const s = subject({ parallel: 2 });
    const now = Date.now();
    const t1 = admitted(await a.admit(s, 0, now));
    admitted(await b.admit(s, 0, now));
    const r = await a.admit(s, 0, now);
    expect(isRefusal(r) && r.refused === 'rate' && r.limit.message).toMatch(/at most 2 at once/);
    await a.finish(t1, 0, 0, now);
    admitted(await b.admit(s, 0, now));
    // both slots now held by calls that never settle (a process died): free after the hold (10 min)
    expect(isRefusal(await a.admit(s, 0, now))).toBe(true);
    admitted(await a.admit(s, 0, now + 10 * 60_000 + 1));
  });

  it('seeds from the database figure only when missing or in a newer window; a dead call’s reservation expires', async () => {
    const s = subject({ max: 100_000, dbSpend: 40_000, window: 1_000 });
    admitted(await a.admit(s, 10_000, 5_000));
    // another process with an older (or the same) snapshot does not overwrite the shared counter
    const stale = { ...s, budgets: [{ ...s.budgets[0]!, dbSpend: 0 }] };
    admitted(await b.admit(stale, 10_000, 5_000));
    expect(b.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ spend: 40_000, reserved: 20_000, window: 1_000 });
    // the database moved to a newer window (a reset elsewhere): seeded again, reservations stay
    const next = { ...s, budgets: [{ ...s.budgets[0]!, dbSpend: 0, window: 2_000 }] };
    const t = admitted(await a.admit(next, 10_000, 5_000));
    expect(t.charged).toEqual([{ ref: s.budgets[0]!.ref, window: 2_000 }]);
    expect(a.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ spend: 0, reserved: 30_000, window: 2_000 });
    // ten minutes later the three reservations (never settled) have expired
    admitted(await b.admit(next, 0, 5_000 + 10 * 60_000 + 1));
    expect(b.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ reserved: 0 });
    // a settle after expiry charges the cost but releases nothing twice
    await a.finish(t, 7_000, 0);
    expect(a.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ spend: 7_000, reserved: 0 });
  });

  it('a reset and an admin correction move the shared counter; a cost admitted in the old window does not count in the new one', async () => {
    const s = subject({ max: 100_000, window: 1_000 });
    const t = admitted(await a.admit(s, 10_000));
    await b.ledger.reset(s.budgets[0]!.ref, 9_000);
    await a.finish(t, 5_000, 0);
    expect(a.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ reserved: 0 });
    const after = admitted(await b.admit(s, 0));
    expect(after.charged[0]!.window).toBe(9_000);
    expect(b.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ spend: 0, window: 9_000 });
    b.ledger.sync(s.budgets[0]!.ref, 100_000, 9_000);
    // sync is fire-and-forget: the next admission through A sees it
    let r: Ticket | AdmissionRefusal;
    for (;;) {
      r = await a.admit(s, 0);
      if (isRefusal(r)) break;
      await a.finish(r, 0, 0);
    }
    expect(r.refused === 'budget' && r.spend).toBe(100_000);
  });

  it('hostile amounts are refused before they reach Redis', async () => {
    const s = subject({ max: 100 });
    await expect(async () => a.admit(s, Number.NaN)).rejects.toThrow(RangeError);
    await expect(async () => a.admit(s, -1)).rejects.toThrow(RangeError);
    const t = admitted(await a.admit(s, 10));
    expect(() => a.finish(t, Infinity, 0)).toThrow(RangeError);
    await a.finish(t, 10, Number.NaN);
    expect(a.ledger.peek(s.budgets[0]!.ref)).toMatchObject({ spend: 10, reserved: 0 });
  });
});
