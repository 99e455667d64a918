/**
 * Issue 7: a virtual key used on the management API grants only what it has itself: models,
 * max_budget, rpm/tpm/parallel limits and expiry, whoever owns it (a proxy_admin's key too),
 * on REST and GraphQL, for generate and update. Unset values come from the calling key. The
 * master key and sessions are not narrowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let narrow: { key: string; expires: string };
let adminNarrow: string;

async function mint(body: Record<string, unknown>, auth?: string) {
  return s.rest('POST', '/key/generate', body, auth);
}

beforeAll(async () => {
  s = await startServer();
  for (const [user_id, user_role] of [['ck-user', 'internal_user'], ['ck-admin', 'proxy_admin']])
    expect((await s.rest('POST', '/user/new', { user_id, user_role, max_budget: 100 })).status).toBe(200);
  const r = await mint({ user_id: 'ck-user', models: ['gpt-4o-mini'], max_budget: 0.01, rpm_limit: 5, tpm_limit: 1000, max_parallel_requests: 2, duration: '1h' });
  expect(r.status).toBe(200);
  narrow = { key: r.body.key, expires: r.body.expires };
  adminNarrow = (await mint({ user_id: 'ck-admin', models: ['gpt-4o-mini'], max_budget: 0.01 })).body.key;
});
afterAll(() => s?.close());

describe('a key on the management API', () => {
  it.each([
    ['models', { models: ['gpt-4o'] }, /models \["gpt-4o"\] are outside the calling key's models/],
    ['max_budget', { max_budget: 10 }, /max_budget 10 is above the calling key's max_budget 0.01/],
    ['rpm_limit', { rpm_limit: 6 }, /rpm_limit 6 is above the calling key's rpm_limit 5/],
    ['tpm_limit', { tpm_limit: 5000 }, /tpm_limit 5000 is above the calling key's tpm_limit 1000/],
    ['max_parallel_requests', { max_parallel_requests: 3 }, /max_parallel_requests 3 is above the calling key's/],
    ['duration', { duration: '30d' }, /outlives the calling key/],
  ])('cannot mint a key wider than itself: %s (REST 403)', async (_f, body, message) => {
    const r = await mint(body, narrow.key);
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(message);
  });

  it('mints within itself, unset values filled from itself', async () => {
    const r = await mint({ max_budget: 0.005 }, narrow.key);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ models: ['gpt-4o-mini'], max_budget: 0.005, rpm_limit: 5, tpm_limit: 1000, max_parallel_requests: 2 });
    expect(Date.parse(r.body.expires)).toBeLessThanOrEqual(Date.parse(narrow.expires));
    expect(r.body.expires).not.toBeNull();
  });

  it('GraphQL generateKey and updateKey obey the same ceiling', async () => {
    const gen = await s.gql(`mutation { generateKey(input: { maxBudget: 10 }) { secret } }`, {}, narrow.key);
    expect(gen.code).toBe('FORBIDDEN');
    expect(gen.errors![0]!.message).toMatch(/calling key/);
    const ok = await s.gql(`mutation { generateKey(input: { maxBudget: 0.002 }) { key { id maxBudget models } } }`, {}, narrow.key);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.generateKey.key.models).toEqual(['gpt-4o-mini']);
    const raise = await s.gql(`mutation($id: ID!) { updateKey(input: { id: $id, maxBudget: 50 }) { id } }`, { id: ok.data.generateKey.key.id }, narrow.key);
    expect(raise.code).toBe('FORBIDDEN');
    const lower = await s.gql(`mutation($id: ID!) { updateKey(input: { id: $id, maxBudget: 0.001 }) { maxBudget } }`, { id: ok.data.generateKey.key.id }, narrow.key);
    expect(lower.errors).toBeUndefined();
    expect(lower.data.updateKey.maxBudget).toBe(0.001);
  });

  it("a proxy_admin's narrow key is narrowed too; the master key is not", async () => {
    const r = await mint({ user_id: 'ck-user', max_budget: 10 }, adminNarrow);
    expect(r.status).toBe(403);
    expect((await mint({ user_id: 'ck-user', models: ['gpt-4o'], max_budget: 10 })).status).toBe(200);
  });
});
