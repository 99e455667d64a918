/**
 * Pins ROLES.md "Key rules that apply whoever asks" through the real server, on both surfaces:
 * the order (explicit → default_key_generate_params → upper bound → ceiling → fill with
 * min(bound, ceiling)), key_generation_settings, owner-only-for-self, team membership, unique
 * aliases, budget/duration validation, update and regenerate, SHA-256-only storage, and the
 * generic 401 for hashes, expired, blocked keys and keys of blocked teams.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { sql, sqlTime, tableNames } from '../helpers/gateway.js';

const GEN = `mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret key { id keyAlias userId teamId models maxBudget tpmLimit rpmLimit expires budgetDuration budgetResetAt spend blocked } } }`;
const UPD = `mutation($i: UpdateKeyInput!) { updateKey(input: $i) { id maxBudget expires userId teamId spend } }`;
const REGEN = `mutation($i: RegenerateKeyInput!) { regenerateKey(input: $i) { secret key { id maxBudget spend blocked } } }`;
const ME = `{ me { user { id } } }`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('key rules: the seed settings (max_internal_user_budget 10, upper bound max_budget 100)', () => {
  let s: TestServer;
  let alice: string; // internal_user, max_budget 10 (from max_internal_user_budget)
  let bob: string; // internal_user limited to gpt-4o-mini
  let carol: string; // team "t1" member (role user), max_budget_in_team 20
  let dave: string; // team "t1" admin
  beforeAll(async () => {
    s = await startServer({ litellm_settings: { max_internal_user_budget: 10, upperbound_key_generate_params: { max_budget: 100 } } });
    alice = await userWithKey(s, { user_id: 'alice', user_role: 'internal_user' });
    await s.rest('POST', '/user/new', { user_id: 'bob', user_role: 'internal_user', models: ['gpt-4o-mini'], auto_create_key: false });
    bob = (await s.rest('POST', '/key/generate', { user_id: 'bob' })).body.key;
    expect((await s.rest('POST', '/team/new', { team_id: 't1', models: ['gpt-4o-mini'], max_budget: 30, tpm_limit: 1000 })).status).toBe(200);
    carol = await userWithKey(s, { user_id: 'carol', user_role: 'internal_user', teams: [{ team_id: 't1', role: 'user', max_budget_in_team: 20 }] });
    dave = await userWithKey(s, { user_id: 'dave', user_role: 'internal_user', teams: [{ team_id: 't1', role: 'admin' }] });
  });
  afterAll(() => s.close());

  it('fills an unset budget with min(bound, ceiling): 10 for an internal user, 100 for the admin', async () => {
    const a = await s.gql(GEN, { i: {} }, alice);
    expect(a.errors).toBeUndefined();
    expect(a.data.generateKey.key.maxBudget).toBe(10);
    const admin = await s.gql(GEN, { i: {} });
    expect(admin.data.generateKey.key.maxBudget).toBe(100);
    const rest = await s.rest('POST', '/key/generate', {}, alice);
    expect(rest.status).toBe(200);
    expect(rest.body.max_budget).toBe(10);
    // a team key is filled from the member's budget in the team (20 < team 30 < bound 100)
    const team = await s.gql(GEN, { i: { teamId: 't1' } }, carol);
    expect(team.data.generateKey.key.maxBudget).toBe(20);
  });

  it('refuses a value above the upper bound for every caller, naming field, value and bound', async () => {
    for (const auth of [s.masterKey, alice]) {
      const g = await s.gql(GEN, { i: { maxBudget: 150 } }, auth);
      expect(g.code).toBe('BAD_USER_INPUT');
      expect(g.errors![0]!.message).toMatch(/maxBudget.*150.*100/);
      const r = await s.rest('POST', '/key/generate', { max_budget: 150 }, auth);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/max_budget.*150.*100/); // REST speaks LiteLLM's names
      expect(r.body.error.code).toBe('400');
    }
  });

  it('refuses a non-admin above their ceiling with 403 (models, user budget, team and member budget)', async () => {
    const overUser = await s.gql(GEN, { i: { maxBudget: 50 } }, alice);
    expect(overUser.code).toBe('FORBIDDEN');
    expect(overUser.errors![0]!.message).toMatch(/maxBudget 50.*alice.*10/);
    expect((await s.rest('POST', '/key/generate', { max_budget: 50 }, alice)).status).toBe(403);
    const models = await s.gql(GEN, { i: { models: ['gpt-4o'] } }, bob);
    expect(models.code).toBe('FORBIDDEN');
    expect(models.errors![0]!.message).toContain('gpt-4o');
    expect((await s.rest('POST', '/key/generate', { models: ['gpt-4o'] }, bob)).status).toBe(403);
    expect((await s.gql(GEN, { i: { models: ['gpt-4o-mini'], keyAlias: 'bob-mini' } }, bob)).errors).toBeUndefined();
    // team key: member's 20 is the cap, team models apply
    expect((await s.gql(GEN, { i: { teamId: 't1', maxBudget: 25 } }, carol)).code).toBe('FORBIDDEN');
    expect((await s.gql(GEN, { i: { teamId: 't1', models: ['gpt-4o'] } }, carol)).code).toBe('FORBIDDEN');
    expect((await s.rest('POST', '/key/generate', { team_id: 't1', max_budget: 25 }, carol)).status).toBe(403);
    // team admin without a member budget: the team's 30
    expect((await s.gql(GEN, { i: { teamId: 't1', maxBudget: 31 } }, dave)).code).toBe('FORBIDDEN');
    const ok = await s.gql(GEN, { i: { teamId: 't1', maxBudget: 30 } }, dave);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.generateKey.key.teamId).toBe('t1');
    // the admin has no ceiling, only the bound
    expect((await s.gql(GEN, { i: { userId: 'alice', maxBudget: 50 } })).data.generateKey.key.maxBudget).toBe(50);
  });

  it('lets a non-admin mint only for themselves, and a team key only for a member of the team', async () => {
    expect((await s.gql(GEN, { i: { userId: 'bob' } }, alice)).code).toBe('FORBIDDEN');
    expect((await s.rest('POST', '/key/generate', { user_id: 'bob' }, alice)).status).toBe(403);
    expect((await s.gql(GEN, { i: { teamId: 't1', userId: 'carol' } }, dave)).code).toBe('FORBIDDEN');
    // alice is not in t1
    expect((await s.gql(GEN, { i: { teamId: 't1' } }, alice)).code).toBe('FORBIDDEN');
    const notMember = await s.gql(GEN, { i: { teamId: 't1', userId: 'alice' } });
    expect(notMember.code).toBe('BAD_USER_INPUT');
    expect(notMember.errors![0]!.message).toMatch(/alice.*not a member.*t1/);
    expect((await s.rest('POST', '/key/generate', { team_id: 't1', user_id: 'alice' })).status).toBe(400);
  });

  it('keeps aliases unique on both surfaces (409)', async () => {
    expect((await s.gql(GEN, { i: { keyAlias: 'dup' } }, alice)).errors).toBeUndefined();
    const g = await s.gql(GEN, { i: { keyAlias: 'dup' } });
    expect(g.code).toBe('CONFLICT');
    const r = await s.rest('POST', '/key/generate', { key_alias: 'dup' });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toContain("'dup'");
  });

  it('refuses negative, non-finite and huge budgets and bad durations with 400 naming the field', async () => {
    for (const maxBudget of [-1, 1e12]) {
      expect((await s.gql(GEN, { i: { maxBudget } })).code).toBe('BAD_USER_INPUT');
      expect((await s.rest('POST', '/key/generate', { max_budget: maxBudget })).status).toBe(400);
    }
    // 1e999 parses to Infinity in both JSON and a GraphQL literal
    expect((await s.gql(`mutation { generateKey(input: { maxBudget: 1e999 }) { secret } }`)).code).toBe('BAD_USER_INPUT');
    expect((await s.rest('POST', '/key/generate', '{"max_budget": 1e999}')).status).toBe(400);
    expect((await s.rest('POST', '/key/generate', '{"max_budget": NaN}')).status).toBe(400);
    for (const [field, snake, value] of [['duration', 'duration', 'forever'], ['budgetDuration', 'budget_duration', '10 years']]) {
      const g = await s.gql(GEN, { i: { [field]: value } });
      expect(g.code).toBe('BAD_USER_INPUT');
      expect(g.errors![0]!.message).toContain(field);
      const r = await s.rest('POST', '/key/generate', { [snake]: value });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain(snake);
    }
  });

  it('sets expires = now + duration and budgetResetAt = the 1st of next month (UTC) for 1mo', async () => {
    const before = Date.now();
    const g = await s.gql(GEN, { i: { duration: '2h', budgetDuration: '1mo' } });
    const after = Date.now();
    const k = g.data.generateKey.key;
    const expires = Date.parse(k.expires);
    expect(expires).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1000); // stored to the second
    expect(expires).toBeLessThanOrEqual(after + 2 * 3600_000);
    const firstOfNext = (t: number) => new Date(Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth() + 1, 1)).toISOString();
    expect([firstOfNext(before), firstOfNext(after)]).toContain(new Date(k.budgetResetAt).toISOString());
    expect(k.budgetDuration).toBe('1mo');
  });

  it('on update: lowers freely, raises only within bound and ceiling, never moves owner/team/spend', async () => {
    // the admin gave alice a key above her own ceiling; she may still lower it
    const id = (await s.gql(GEN, { i: { userId: 'alice', maxBudget: 50, duration: '1h' } })).data.generateKey.key.id;
    expect((await s.gql(UPD, { i: { id, maxBudget: 40 } }, alice)).data.updateKey.maxBudget).toBe(40);
    expect((await s.gql(UPD, { i: { id, maxBudget: 45 } }, alice)).code).toBe('FORBIDDEN'); // a raise above 10
    expect((await s.gql(UPD, { i: { id, maxBudget: 5 } }, alice)).data.updateKey.maxBudget).toBe(5);
    expect((await s.gql(UPD, { i: { id, maxBudget: 9 } }, alice)).data.updateKey.maxBudget).toBe(9);
    expect((await s.rest('POST', '/key/update', { key: id, max_budget: 11 }, alice)).status).toBe(403);
    const bound = await s.gql(UPD, { i: { id, maxBudget: 101 } });
    expect(bound.code).toBe('BAD_USER_INPUT');
    expect(bound.errors![0]!.message).toMatch(/maxBudget.*101.*100/);
    expect((await s.rest('POST', '/key/update', { key: id, max_budget: 101 })).status).toBe(400);
    for (const change of [{ userId: 'bob' }, { teamId: 't1' }, { spend: 0 }]) {
      expect((await s.gql(UPD, { i: { id, ...change } }, alice)).code).toBe('FORBIDDEN');
    }
    expect((await s.rest('POST', '/key/update', { key: id, user_id: 'bob' }, alice)).status).toBe(403);
    expect((await s.rest('POST', '/key/update', { key: id, spend: 0 }, alice)).status).toBe(403);
    const unchanged = (await s.gql(`query($id: ID!) { key(id: $id) { userId teamId spend maxBudget expires } }`, { id })).data.key;
    expect(unchanged).toMatchObject({ userId: 'alice', teamId: null, spend: 0, maxBudget: 9 });
    expect(unchanged.expires).not.toBeNull();
    // duration: null → never expires
    expect((await s.gql(UPD, { i: { id, duration: null } }, alice)).data.updateKey.expires).toBeNull();
  });

  it('regenerate keeps id, spend, budget and blocked; the old secret stops at once; the secret is shown once', async () => {
    const g = (await s.gql(GEN, { i: { keyAlias: 'rot', maxBudget: 7 } }, alice)).data.generateKey;
    const id = g.key.id;
    expect((await s.gql(UPD, { i: { id, spend: 3 } })).data.updateKey.spend).toBe(3);
    expect((await s.gql(ME, {}, g.secret)).status).toBe(200);
    const r = (await s.gql(REGEN, { i: { id } }, alice)).data.regenerateKey;
    expect(r.secret).toMatch(/^sk-/);
    expect(r.secret).not.toBe(g.secret);
    expect(r.key).toEqual({ id, maxBudget: 7, spend: 3, blocked: false });
    const old = await s.gql(ME, {}, g.secret);
    expect(old.status).toBe(401);
    expect(old.code).toBe('UNAUTHENTICATED');
    const fresh = await s.gql(ME, {}, r.secret);
    expect(fresh.status).toBe(200);
    expect(fresh.data.me.user.id).toBe('alice');
    // the REST route keeps blocked too
    expect((await s.rest('POST', '/key/block', { key: id })).status).toBe(200);
    const rr = await s.rest('POST', '/key/regenerate', { key: id });
    expect(rr.status).toBe(200);
    expect(rr.body).toMatchObject({ key_id: id, blocked: true, spend: 3, max_budget: 7 });
    expect(rr.body.key).toMatch(/^sk-/);
    expect((await s.gql(ME, {}, r.secret)).status).toBe(401);
    // never shown again, on any read surface
    const reads = [
      await s.gql(`query($id: ID!) { key(id: $id) { id keyName } }`, { id }),
      await s.gql(`{ keys(first: 100) { edges { node { id keyName } } } }`),
      await s.rest('GET', `/key/info?key=${id}`),
      await s.rest('GET', '/key/list?return_full_object=true&size=100'),
      await s.rest('GET', '/user/info?user_id=alice'),
    ];
    for (const read of reads) {
      const text = JSON.stringify(read);
      expect(text).not.toContain(rr.body.key);
      expect(text).not.toContain(r.secret);
    }
  });

  it('stores keys only as SHA-256: no column anywhere holds a secret', async () => {
    const g = (await s.gql(GEN, { i: { keyAlias: 'stored' } }, alice)).data.generateKey;
    const tables = await tableNames(s);
    expect(tables).toContain('virtual_keys');
    for (const name of tables) {
      const text = JSON.stringify(await sql(s, `select * from "${name}"`));
      for (const secret of [g.secret, alice, carol, s.masterKey]) expect(text).not.toContain(secret);
    }
    const [row] = await sql<{ token: string }>(s, `select token from virtual_keys where id = ?`, [g.key.id]);
    expect(row!.token).toBe(sha256(g.secret));
  });

  it('answers 401 with one generic message for a hash, an expired, a blocked key and a blocked team', async () => {
    const g = (await s.gql(GEN, { i: { keyAlias: 'auth-probe' } }, alice)).data.generateKey;
    const hash = sha256(g.secret);
    const check = async (secret: string) => {
      const gq = await s.gql(ME, {}, secret);
      expect(gq.status).toBe(401);
      expect(gq.code).toBe('UNAUTHENTICATED');
      const r = await s.rest('GET', '/key/info', undefined, secret);
      expect(r.status).toBe(401);
      const text = JSON.stringify([gq.errors, r.body]);
      expect(text).not.toContain(hash);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(g.secret);
      expect(r.body.error.message).toMatch(/invalid, expired or blocked/);
    };
    expect((await s.gql(ME, {}, g.secret)).status).toBe(200);
    await check(hash);
    await check(hash.toUpperCase());

    const exp = (await s.gql(GEN, { i: { keyAlias: 'expiring', duration: '1h' } }, alice)).data.generateKey;
    await sql(s, `update virtual_keys set expires_at = ? where id = ?`, [sqlTime(s, Date.now() - 60_000), exp.key.id]);
    await check(exp.secret);

    await s.rest('POST', '/key/block', { key: g.key.id });
    await check(g.secret);

    const team = (await s.gql(GEN, { i: { teamId: 't1' } }, carol)).data.generateKey;
    expect((await s.gql(ME, {}, team.secret)).status).toBe(200);
    expect((await s.rest('POST', '/team/update', { team_id: 't1', blocked: true })).status).toBe(200);
    await check(team.secret);
    await s.rest('POST', '/team/update', { team_id: 't1', blocked: false });
  });
});

describe('key rules: defaults, key_generation_settings and required params', () => {
  let s: TestServer;
  let alice: string; // internal_user, max_budget 10
  let tu: string; // team "t2" member (user)
  let ta: string; // team "t2" admin
  beforeAll(async () => {
    s = await startServer({
      litellm_settings: {
        max_internal_user_budget: 10,
        default_key_generate_params: { max_budget: 5, rpm_limit: 7 },
        upperbound_key_generate_params: { max_budget: 100, tpm_limit: 1000 },
        key_generation_settings: {
          personal_key_generation: { allowed_user_roles: ['internal_user'], required_params: ['key_alias'] },
          team_key_generation: { allowed_team_member_roles: ['admin'], required_params: ['metadata'] },
        },
      },
    });
    await s.rest('POST', '/team/new', { team_id: 't2' });
    // personal keys are limited to internal users here, so even the admin cannot mint one for
    // them: each user signs in with a password and mints their own over GraphQL
    const ownKey = async (user_id: string, teams: unknown[] = []) => {
      const email = `${user_id}@example.com`;
      const password = 'correct-horse-battery';
      const created = await s.rest('POST', '/user/new', { user_id, user_email: email, password, user_role: 'internal_user', teams, auto_create_key: false });
      expect(created.status).toBe(200);
      const login = await fetch(`${s.url}/v2/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: email, password }) });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      // the main key is as wide as the user may have: a key minting keys grants only within itself
      const g = await s.gql(GEN, { i: { keyAlias: `${user_id}-main`, maxBudget: 10, rpmLimit: 100 } }, null, { cookie });
      expect(g.errors).toBeUndefined();
      return g.data.generateKey.secret as string;
    };
    alice = await ownKey('alice');
    tu = await ownKey('tu', [{ team_id: 't2', role: 'user' }]);
    ta = await ownKey('ta', [{ team_id: 't2', role: 'admin' }]);
  });
  afterAll(() => s.close());

  it('applies defaults before bounds and ceilings, then fills the rest with the bound', async () => {
    const k = (await s.gql(GEN, { i: { keyAlias: 'd1' } }, alice)).data.generateKey.key;
    expect(k).toMatchObject({ maxBudget: 5, rpmLimit: 7, tpmLimit: 1000 });
    // explicit values win over the defaults (within alice's key, which has the defaults itself)
    const explicit = (await s.gql(GEN, { i: { keyAlias: 'd2', maxBudget: 4, rpmLimit: 3 } }, alice)).data.generateKey.key;
    expect(explicit).toMatchObject({ maxBudget: 4, rpmLimit: 3 });
    // above both bound and ceiling: the bound check comes first (400, not 403)
    const both = await s.gql(GEN, { i: { keyAlias: 'd3', maxBudget: 150 } }, alice);
    expect(both.code).toBe('BAD_USER_INPUT');
    expect((await s.gql(GEN, { i: { keyAlias: 'd4', maxBudget: 20 } }, alice)).code).toBe('FORBIDDEN');
    expect((await s.gql(GEN, { i: { keyAlias: 'd5', tpmLimit: 1001 } }, alice)).errors![0]!.message).toMatch(/tpmLimit.*1001.*1000/);
  });

  it('personal_key_generation.allowed_user_roles applies to proxy_admin too (403)', async () => {
    const g = await s.gql(GEN, { i: { keyAlias: 'admin-own' } });
    expect(g.code).toBe('FORBIDDEN');
    expect(g.errors![0]!.message).toMatch(/Personal key creation has been restricted/);
    const r = await s.rest('POST', '/key/generate', { key_alias: 'admin-own' });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/Allowed roles.*internal_user.*proxy_admin/);
  });

  it('required_params missing → 403 on both surfaces', async () => {
    expect((await s.gql(GEN, { i: {} }, alice)).code).toBe('FORBIDDEN');
    const r = await s.rest('POST', '/key/generate', {}, alice);
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('key_alias');
    // team keys need metadata here
    const t = await s.rest('POST', '/key/generate', { team_id: 't2' }, ta);
    expect(t.status).toBe(403);
    expect(t.body.error.message).toContain('metadata');
  });

  it('team_key_generation.allowed_team_member_roles ["admin"]: a team user is refused, a team admin allowed', async () => {
    const u = await s.gql(GEN, { i: { teamId: 't2', metadata: { p: 1 } } }, tu);
    expect(u.code).toBe('FORBIDDEN');
    expect(u.errors![0]!.message).toMatch(/admin/);
    expect((await s.rest('POST', '/key/generate', { team_id: 't2', metadata: { p: 1 } }, tu)).status).toBe(403);
    const a = await s.gql(GEN, { i: { teamId: 't2', metadata: { p: 1 } } }, ta);
    expect(a.errors).toBeUndefined();
    expect(a.data.generateKey.key).toMatchObject({ teamId: 't2', userId: 'ta' });
    // proxy_admin bypasses team rules (no required params either)
    expect((await s.gql(GEN, { i: { teamId: 't2' } })).errors).toBeUndefined();
  });
});
