/**
 * Rules that used to live in the REST adapters now live in the services, and both surfaces
 * obey them alike (through a running server): spend refused on generate, the first key of
 * /user/new, team visibility of a user's memberships, all-or-nothing deletes by alias, a plain
 * member's per-key activity and the team reach of /team/daily/activity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

let s: TestServer;
const auth: Record<string, string> = {};
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const RANGE = `start_date=${day(-1)}&end_date=${day(1)}`;
const keyCount = async () => (await s.gql(`{ keys { totalCount } }`)).data.keys.totalCount as number;

async function mintAs(who: string, body: Record<string, unknown>) {
  const r = await s.rest('POST', '/key/generate', body, auth[who]);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { id: r.body.key_id as string, secret: r.body.key as string };
}
async function chat(secret: string) {
  const r = await fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  s = await startServer();
  for (const id of ['T', 'F', 'G']) expect((await s.rest('POST', '/team/new', { team_id: id })).status).toBe(200);
  auth.tadmin = await userWithKey(s, { user_id: 'tadmin', user_role: 'internal_user', teams: [{ team_id: 'T', role: 'admin' }] });
  auth.tmember = await userWithKey(s, { user_id: 'tmember', user_role: 'internal_user', teams: [{ team_id: 'T', role: 'user' }, { team_id: 'F', role: 'user' }] });
  auth.solo = await userWithKey(s, { user_id: 'solo', user_role: 'internal_user' });
});
afterAll(() => s?.close());

describe('keys', () => {
  it('spend cannot be set when generating a key, on either surface, and nothing is minted', async () => {
    const before = await keyCount();
    const r = await s.rest('POST', '/key/generate', { spend: 1 });
    expect([r.status, r.body.error.param]).toEqual([400, 'spend']);
    expect(r.body.error.message).toMatch(/spend cannot be set when generating a key/);
    const g = await s.gql(`mutation($i: GenerateKeyInput!) { generateKey(input: $i) { key { id } } }`, { i: { spend: 1 } });
    expect(g.code).toBe('BAD_USER_INPUT');
    expect(await keyCount()).toBe(before);
  });

  it('deletes by alias are all or nothing, and an alias resolves only among keys the caller may read', async () => {
    const own = await mintAs('solo', { key_alias: 'solo-a' });
    const foreign = await mintAs('tmember', { key_alias: 'member-a' });
    // a foreign alias reads as an unknown one: nothing is deleted, not even the caller's own key
    for (const aliases of [['solo-a', 'member-a'], ['solo-a', 'no-such-alias']]) {
      const r = await s.rest('POST', '/key/delete', { key_aliases: aliases }, auth.solo);
      expect([r.status, r.body.error.param]).toEqual([400, 'key_aliases']);
      expect(r.body.error.message).toBe(`No key with alias '${aliases[1]}'.`);
    }
    const mixed = await s.rest('POST', '/key/delete', { keys: [own.id, foreign.id] }, auth.solo);
    expect(mixed.status).toBe(404);
    // GraphQL's deleteKey goes through the same function and hides the foreign key the same way
    expect((await s.gql(`mutation($id: ID!) { deleteKey(input: { id: $id }) { id } }`, { id: foreign.id }, auth.solo)).code).toBe('NOT_FOUND');
    expect((await s.rest('GET', `/key/info?key=${own.id}`, undefined, auth.solo)).status).toBe(200);
    expect((await s.rest('GET', `/key/info?key=${foreign.id}`)).status).toBe(200);
    const ok = await s.rest('POST', '/key/delete', { key_aliases: ['solo-a'] }, auth.solo);
    expect(ok.body).toEqual({ deleted_keys: ['solo-a'] });
    expect((await s.gql(`mutation($id: ID!) { deleteKey(input: { id: $id }) { id } }`, { id: foreign.id }, auth.tmember)).data.deleteKey.id).toBe(foreign.id);
    const empty = await s.rest('POST', '/key/delete', {}, auth.solo);
    expect([empty.status, empty.body.error.param, empty.body.error.message]).toEqual([400, 'keys', "At least one of 'keys' or 'key_aliases' must be provided."]);
  });
});

describe('a key used on the management API grants only within itself', () => {
  it("fills what is unset with the lowest of bound, owner's ceiling and the calling key; refuses more", async () => {
    const k = await s.rest('POST', '/key/generate', { user_id: 'solo', max_budget: 0.5, models: ['gpt-4o-mini'], key_alias: 'solo-narrow' });
    const GEN = `mutation($i: GenerateKeyInput!) { generateKey(input: $i) { key { maxBudget models } } }`;
    const filled = await s.gql(GEN, { i: {} }, k.body.key);
    expect(filled.data.generateKey.key).toEqual({ maxBudget: 0.5, models: ['gpt-4o-mini'] });
    const rest = await s.rest('POST', '/key/generate', {}, k.body.key);
    expect([rest.body.max_budget, rest.body.models]).toEqual([0.5, ['gpt-4o-mini']]);
    const more = await s.rest('POST', '/key/generate', { max_budget: 1 }, k.body.key);
    const moreG = await s.gql(GEN, { i: { maxBudget: 1 } }, k.body.key);
    expect([more.status, moreG.code]).toEqual([403, 'FORBIDDEN']);
    expect(more.body.error.message).toMatch(/^max_budget 1 is above the calling key's max_budget 0.5/);
    expect(moreG.errors![0]!.message).toMatch(/^maxBudget 1 is above the calling key's maxBudget 0.5/);
  });
});

describe('users', () => {
  it('/user/new mints a first key unless auto_create_key is false; GraphQL createUser never does; a refused key leaves no user', async () => {
    const withKey = await s.rest('POST', '/user/new', { user_id: 'n1', user_role: 'internal_user', models: ['gpt-4o-mini'], key_alias: 'n1-first', teams: ['G'] });
    expect(withKey.status).toBe(200);
    expect(withKey.body).toMatchObject({ user_id: 'n1', key: expect.stringMatching(/^sk-/), teams: ['G'] });
    const info = await s.rest('GET', '/key/info', undefined, withKey.body.key);
    expect(info.body.info).toMatchObject({ key_alias: 'n1-first', user_id: 'n1', team_id: null, models: ['gpt-4o-mini'] });
    const without = await s.rest('POST', '/user/new', { user_id: 'n2', auto_create_key: false });
    expect([without.body.key, without.body.key_id]).toEqual([null, null]);
    const g = await s.gql(`mutation { createUser(input: { userId: "n3", userRole: INTERNAL_USER }) { id keys { totalCount } } }`);
    expect(g.data.createUser).toEqual({ id: 'n3', keys: { totalCount: 0 } });
    // the key rules refuse the first key: the user is not created either
    const refused = await s.rest('POST', '/user/new', { user_id: 'n4', duration: 'soon' });
    expect([refused.status, refused.body.error.param]).toEqual([400, 'duration']);
    expect((await s.gql(`{ user(id: "n4") { id } }`)).code).toBe('NOT_FOUND');
  });

  it("a user's teams show only the teams the caller may read, on both surfaces", async () => {
    const seen = async (as: string | undefined) => {
      const g = await s.gql(`{ user(id: "tmember") { teams { teamId } } }`, {}, as);
      const r = await s.rest('GET', '/user/info?user_id=tmember', undefined, as);
      return { graphql: g.data.user.teams.map((m: any) => m.teamId).sort(), rest: r.body.teams.map((m: any) => m.team_id).sort() };
    };
    expect(await seen(undefined)).toEqual({ graphql: ['F', 'T'], rest: ['F', 'T'] });
    // tadmin reaches tmember through T only: F stays hidden
    expect(await seen(auth.tadmin)).toEqual({ graphql: ['T'], rest: ['T'] });
    expect(await seen(auth.tmember)).toEqual({ graphql: ['F', 'T'], rest: ['F', 'T'] });
  });
});

describe('activity', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    const keys = {
      memberT: await mintAs('tmember', { team_id: 'T' }),
      adminT: await mintAs('tadmin', { team_id: 'T' }),
      memberF: await mintAs('tmember', { team_id: 'F' }),
      adminG: { ...(await s.rest('POST', '/key/generate', { team_id: 'G' })).body, secret: '' },
    };
    keys.adminG.secret = keys.adminG.key;
    for (const k of Object.values(keys)) await chat(k.secret);
    await s.running.app.gateway!.recorder.flush();
    ids = Object.fromEntries(Object.entries(keys).map(([n, k]) => [n, (k as any).id ?? (k as any).key_id]));
  });

  const restKeys = (body: any) => [...new Set<string>(body.results.flatMap((d: any) => Object.values<any>(d.breakdown.api_keys).map((v) => v.metadata.key_id)))].sort();
  const restTeams = (body: any) => [...new Set<string>(body.results.flatMap((d: any) => Object.keys(d.breakdown.entities)))].sort();

  it("a plain member's per-key split lists only own keys: GraphQL cacheAnalytics and REST team activity agree", async () => {
    const q = `query($f: UsageFilter!) { cacheAnalytics(filter: $f) { byKey { keyId } } }`;
    const f = { from: day(-1), to: day(1), teamId: 'T' };
    for (const [who, expected] of [['tmember', [ids.memberT]], ['tadmin', [ids.memberT, ids.adminT]]] as const) {
      const g = await s.gql(q, { f }, auth[who]);
      const r = await s.rest('GET', `/team/daily/activity?team_ids=T&${RANGE}`, undefined, auth[who]);
      expect(g.data.cacheAnalytics.byKey.map((k: any) => k.keyId).sort(), who).toEqual([...expected].sort());
      expect(restKeys(r.body), who).toEqual([...expected].sort());
    }
    // naming a teammate's key narrows a plain member to nothing, a team admin to that key
    const byKey = (who: string) => s.rest('GET', `/team/daily/activity?team_ids=T&api_key=${ids.adminT}&${RANGE}`, undefined, auth[who]);
    expect((await byKey('tmember')).body.metadata.total_api_requests).toBe(0);
    expect((await byKey('tadmin')).body.metadata.total_api_requests).toBe(1);
  });

  it('without team_ids, team activity covers the teams in reach: own teams for members, every team for admins', async () => {
    const member = await s.rest('GET', `/team/daily/activity?${RANGE}`, undefined, auth.tmember);
    expect(restTeams(member.body)).toEqual(['F', 'T']);
    const named = await s.rest('GET', `/team/daily/activity?team_ids=T,F&${RANGE}`, undefined, auth.tmember);
    expect(member.body.metadata).toEqual(named.body.metadata);
    const admin = await s.rest('GET', `/team/daily/activity?${RANGE}`);
    expect(restTeams(admin.body)).toEqual(['F', 'G', 'T']);
    expect(admin.body.metadata.total_api_requests).toBe(4);
    // a team outside reach refuses the whole read
    expect((await s.rest('GET', `/team/daily/activity?team_ids=T,G&${RANGE}`, undefined, auth.tmember)).status).toBe(403);
  });
});

describe('field names in errors: REST says LiteLLM snake_case, GraphQL camelCase, for the same bad value', () => {
  const GEN = `mutation($i: GenerateKeyInput!) { generateKey(input: $i) { key { id } } }`;
  const cases: Array<[string, string, Record<string, unknown>, string, string, Record<string, unknown>]> = [
    // REST path, REST param, REST body, GraphQL param, GraphQL mutation, GraphQL input
    ['/key/generate', 'max_budget', { max_budget: -1 }, 'maxBudget', GEN, { maxBudget: -1 }],
    ['/key/generate', 'tpm_limit', { tpm_limit: -5 }, 'tpmLimit', GEN, { tpmLimit: -5 }],
    ['/key/generate', 'budget_duration', { budget_duration: 'weekly' }, 'budgetDuration', GEN, { budgetDuration: 'weekly' }],
    ['/team/new', 'max_budget', { max_budget: -2 }, 'maxBudget', `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`, { maxBudget: -2 }],
    ['/user/new', 'soft_budget', { soft_budget: -3, auto_create_key: false }, 'softBudget', `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { softBudget: -3 }],
  ];
  it.each(cases)('%s %s', async (path, restParam, body, gqlParam, query, input) => {
    const r = await s.rest('POST', path, body);
    expect([r.status, r.body.error.param]).toEqual([400, restParam]);
    expect(r.body.error.message).toContain(restParam);
    expect(r.body.error.message).not.toContain(gqlParam);
    const g = await s.gql(query, { i: input });
    expect(g.code).toBe('BAD_USER_INPUT');
    expect(g.errors![0]!.message).toContain(gqlParam);
    expect(g.errors![0]!.message).not.toContain(restParam);
  });

  it('conflicts and ceilings name REST fields too', async () => {
    expect((await s.rest('POST', '/key/generate', { key_alias: 'taken' })).status).toBe(200);
    const dup = await s.rest('POST', '/key/generate', { key_alias: 'taken' });
    expect([dup.status, dup.body.error.param]).toEqual([409, 'key_alias']);
    const g = await s.gql(`mutation { generateKey(input: { keyAlias: "taken" }) { key { id } } }`);
    expect(g.code).toBe('CONFLICT');
    await s.rest('POST', '/user/update', { user_id: 'solo', max_budget: 1 });
    const over = await s.rest('POST', '/key/generate', { max_budget: 5 }, auth.solo);
    expect(over.status).toBe(403);
    expect(over.body.error.message).toBe("max_budget 5 is above user solo's max_budget 1.");
    const overG = await s.gql(`mutation { generateKey(input: { maxBudget: 5 }) { key { id } } }`, {}, auth.solo);
    expect(overG.errors![0]!.message).toBe("maxBudget 5 is above user solo's maxBudget 1.");
  });
});

describe("admin-only key powers are map operations (key.owner.change, key.ceiling.bypass, key.team.rules.bypass), alike on both surfaces", () => {
  const GEN = `mutation($i: GenerateKeyInput!) { generateKey(input: $i) { key { id userId teamId models maxBudget } } }`;
  const UPD = `mutation($i: UpdateKeyInput!) { updateKey(input: $i) { id spend } }`;
  let lim: string;
  let limKeyId: string;
  beforeAll(async () => {
    lim = await userWithKey(s, { user_id: 'lim', user_role: 'internal_user' });
    expect((await s.rest('POST', '/user/update', { user_id: 'lim', models: ['gpt-4o-mini'], max_budget: 2 })).status).toBe(200);
    limKeyId = (await s.rest('GET', '/key/info', undefined, lim)).body.info.key_id;
  });

  it("only key.owner.change may correct a key's spend (or move it)", async () => {
    const refusal = "Your role (internal_user) does not allow this: change a key's owner, team or spend.";
    const r = await s.rest('POST', '/key/update', { key: limKeyId, spend: 0 }, lim);
    expect([r.status, r.body.error.message]).toEqual([403, refusal]);
    const g = await s.gql(UPD, { i: { id: limKeyId, spend: 0 } }, lim);
    expect([g.code, g.errors![0]!.message]).toEqual(['FORBIDDEN', refusal]);
    expect((await s.rest('POST', '/key/update', { key: limKeyId, user_id: 'solo' }, lim)).status).toBe(403);
    expect((await s.rest('POST', '/key/update', { key: limKeyId, spend: 0 })).status).toBe(200);
    expect((await s.gql(UPD, { i: { id: limKeyId, spend: 0 } })).data.updateKey.spend).toBe(0);
  });

  it("only key.ceiling.bypass may give a key more than its owner's models and budget", async () => {
    const r = await s.rest('POST', '/key/generate', { models: ['gpt-4o'] }, lim);
    expect(r.status).toBe(403);
    const g = await s.gql(GEN, { i: { models: ['gpt-4o'] } }, lim);
    expect(g.code).toBe('FORBIDDEN');
    expect(r.body.error.message).toBe(g.errors![0]!.message);
    const over = await s.gql(GEN, { i: { maxBudget: 3 } }, lim);
    expect(over.code).toBe('FORBIDDEN');
    const admin = await s.rest('POST', '/key/generate', { user_id: 'lim', models: ['gpt-4o'], max_budget: 3 });
    expect(admin.status).toBe(200);
    const adminG = await s.gql(GEN, { i: { userId: 'lim', models: ['gpt-4o'], maxBudget: 3 } });
    expect(adminG.data.generateKey.key).toMatchObject({ userId: 'lim', models: ['gpt-4o'], maxBudget: 3 });
    // the dashboard's options say the same: a ceiling for lim, none for the admin
    const opts = `{ keyCreationOptions { personal { maxBudgetCeiling } } }`;
    expect((await s.gql(opts, {}, lim)).data.keyCreationOptions.personal.maxBudgetCeiling).toBe(2);
    expect((await s.gql(opts)).data.keyCreationOptions.personal.maxBudgetCeiling).toBeNull();
  });

  it('only key.team.rules.bypass mints team keys past team_key_generation (team role, required params, no owner)', async () => {
    const t = await startServer({ litellm_settings: { key_generation_settings: { team_key_generation: { allowed_team_member_roles: ['admin'], required_params: ['key_alias'] } } } });
    try {
      expect((await t.rest('POST', '/team/new', { team_id: 'T2' })).status).toBe(200);
      const tu = await userWithKey(t, { user_id: 'tu', user_role: 'internal_user', teams: [{ team_id: 'T2', role: 'user' }] });
      const ta = await userWithKey(t, { user_id: 'ta', user_role: 'internal_user', teams: [{ team_id: 'T2', role: 'admin' }] });
      for (const [who, body] of [[tu, { team_id: 'T2', key_alias: 'x' }], [ta, { team_id: 'T2' }]] as const) {
        const r = await t.rest('POST', '/key/generate', body, who);
        const g = await t.gql(GEN, { i: { teamId: 'T2', keyAlias: (body as any).key_alias } }, who);
        expect([r.status, g.code]).toEqual([403, 'FORBIDDEN']);
        expect(r.body.error.message).toBe(g.errors![0]!.message);
      }
      expect((await t.rest('POST', '/key/generate', { team_id: 'T2', key_alias: 'ok' }, ta)).status).toBe(200);
      // the admin: no team role, no alias, and the key may have no owner (a service key)
      const r = await t.rest('POST', '/key/generate', { team_id: 'T2' });
      expect([r.status, r.body.user_id, r.body.team_id]).toEqual([200, null, 'T2']);
      const g = await t.gql(GEN, { i: { teamId: 'T2' } });
      expect(g.data.generateKey.key).toMatchObject({ userId: null, teamId: 'T2' });
    } finally {
      await t.close();
    }
  });
});
