/**
 * "Why can't I call?" (VirtualKey.limits) is computed from the gateway's own snapshot, ledger
 * and limiter: spend a key to a budget through the gateway, and the cap the field names as
 * refusing is the one the gateway then enforces, with the same 429 message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { USAGE, admin, chat, mintKey, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let up: FakeUpstream;

beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE });
  s = await startServer({ model_list: [upstreamModel('m', up)] });
});
afterAll(async () => {
  await s?.close();
  await up?.close();
});

const LIMITS = `query KeyLimits($id: ID!) {
  key(id: $id) { limits { callable refusal caps { kind scope label limit used reserved remaining resetsAt refuses message } } }
}`;

async function limitsOf(id: string, auth?: string) {
  const r = await s.gql(LIMITS, { id }, auth);
  expect(r.errors).toBeUndefined();
  return r.data.key.limits;
}

describe('VirtualKey.limits', () => {
  it('names the personal user budget the gateway then enforces, and orders caps by what stops first', async () => {
    await admin(s, '/user/new', { user_id: 'lim-u', user_email: 'lim@example.com', user_role: 'internal_user', max_budget: 0.1, budget_duration: '1mo', auto_create_key: false });
    const k = await mintKey(s, { user_id: 'lim-u', key_alias: 'lim-key', max_budget: 1, rpm_limit: 100 });

    const fresh = await limitsOf(k.id);
    expect(fresh.callable).toBe(true);
    expect(fresh.refusal).toBeNull();
    // nothing used: ties keep the gateway's order (key budget, user budget, key rpm)
    expect(fresh.caps.map((c: any) => [c.kind, c.scope, c.limit, c.used, c.remaining])).toEqual([
      ['BUDGET', 'KEY', 1, 0, 1],
      ['BUDGET', 'USER', 0.1, 0, 0.1],
      ['RPM', 'KEY', 100, 0, 100],
    ]);
    const user = fresh.caps[1];
    expect(user.label).toBe('user lim-u');
    expect(new Date(user.resetsAt).getTime()).toBeGreaterThan(Date.now());

    expect((await chat(s, k.key)).status).toBe(200);
    const half = await limitsOf(k.id);
    // 0.05 of 0.1 left on the user budget: the user budget now stops a call first
    expect(half.caps[0]).toMatchObject({ kind: 'BUDGET', scope: 'USER', used: 0.05, remaining: 0.05, refuses: false });
    expect(half.caps.find((c: any) => c.kind === 'RPM')).toMatchObject({ used: 1, remaining: 99 });

    expect((await chat(s, k.key)).status).toBe(200);
    // the owner asks with the key itself (whoever may read the key may read its limits)
    const spent = await limitsOf(k.id, k.key);
    expect(spent.callable).toBe(false);
    expect(spent.caps[0]).toMatchObject({ kind: 'BUDGET', scope: 'USER', used: 0.1, remaining: 0, refuses: true });
    expect(spent.caps.filter((c: any) => c.refuses)).toHaveLength(1);

    const refused = await chat(s, k.key);
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe('budget_exceeded');
    expect(refused.body.error.message).toBe(spent.refusal);
    expect(spent.caps[0].message).toBe(spent.refusal);
    expect(spent.refusal).toContain('User lim-u');
  });

  it('applies the team rule (spend may reach max) and names the team budget when it refuses', async () => {
    await admin(s, '/user/new', { user_id: 'lim-t', user_role: 'internal_user', auto_create_key: false });
    await admin(s, '/team/new', { team_id: 'lim-team', max_budget: 0.05, members_with_roles: [{ user_id: 'lim-t', role: 'user' }] });
    const k = await mintKey(s, { user_id: 'lim-t', team_id: 'lim-team', key_alias: 'lim-team-key' });

    expect((await chat(s, k.key)).status).toBe(200);
    const atMax = await limitsOf(k.id);
    // spend = max: a team still admits (LiteLLM blocks a team only when spend > max)
    expect(atMax.callable).toBe(true);
    expect(atMax.caps[0]).toMatchObject({ scope: 'TEAM', used: 0.05, remaining: 0, refuses: false });

    expect((await chat(s, k.key)).status).toBe(200);
    const over = await limitsOf(k.id);
    expect(over.callable).toBe(false);
    expect(over.caps[0]).toMatchObject({ scope: 'TEAM', label: 'team lim-team', refuses: true });
    const refused = await chat(s, k.key);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toBe(over.refusal);
  });

  it('says a blocked key cannot call, and is not readable by someone who may not read the key', async () => {
    await admin(s, '/user/new', { user_id: 'lim-b', user_role: 'internal_user', auto_create_key: false });
    await admin(s, '/user/new', { user_id: 'lim-other', user_role: 'internal_user', auto_create_key: false });
    const k = await mintKey(s, { user_id: 'lim-b' });
    const other = await mintKey(s, { user_id: 'lim-other' });
    await admin(s, '/key/block', { key: k.key });
    const blocked = await limitsOf(k.id);
    expect(blocked).toMatchObject({ callable: false, refusal: 'The key is blocked.' });
    expect((await chat(s, k.key)).status).toBe(401);

    const r = await s.gql(LIMITS, { id: k.id }, other.key);
    expect(r.code).toBe('NOT_FOUND');
  });
});
