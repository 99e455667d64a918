/**
 * Pins REST/GraphQL parity: both surfaces are thin adapters over the same services, so the same
 * operation stores the same result and is refused the same way (same message; 403 ⇔ FORBIDDEN,
 * 400 ⇔ BAD_USER_INPUT), the REST reads return what the GraphQL queries return for the same
 * caller, deletes behave alike, and every write is audited with its actor and without secrets.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const KEY = `id keyAlias keyName userId teamId models maxBudget softBudget budgetDuration budgetResetAt expires tpmLimit rpmLimit maxParallelRequests metadata blocked spend createdBy createdAt`;
const TEAM = `id teamAlias models maxBudget softBudget budgetDuration budgetResetAt tpmLimit rpmLimit blocked metadata memberPermissions spend members { userId role maxBudget }`;
const USER = `id email alias role: userRole models maxBudget softBudget budgetDuration budgetResetAt metadata spend personalSpend hasPassword`;
const GEN = `mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret key { id } } }`;

/** REST (LiteLLM snake_case) rows in the GraphQL shape, for field-by-field comparison. */
const keyFromRest = (r: any) => ({
  id: r.key_id, keyAlias: r.key_alias, keyName: r.key_name, userId: r.user_id, teamId: r.team_id, models: r.models,
  maxBudget: r.max_budget, softBudget: r.soft_budget, budgetDuration: r.budget_duration, budgetResetAt: r.budget_reset_at,
  expires: r.expires, tpmLimit: r.tpm_limit, rpmLimit: r.rpm_limit, maxParallelRequests: r.max_parallel_requests,
  metadata: r.metadata, blocked: r.blocked, spend: r.spend, createdBy: r.created_by, createdAt: r.created_at,
});
// REST keeps LiteLLM's lower-case values (`admin`, `internal_user`); GraphQL names the same enum values in UPPER_CASE.
const gqlEnum = (v: string) => v.toUpperCase();
const teamFromRest = (r: any, members: any[]) => ({
  id: r.team_id, teamAlias: r.team_alias, models: r.models, maxBudget: r.max_budget, softBudget: r.soft_budget,
  budgetDuration: r.budget_duration, budgetResetAt: r.budget_reset_at, tpmLimit: r.tpm_limit, rpmLimit: r.rpm_limit,
  blocked: r.blocked, metadata: r.metadata, memberPermissions: r.team_member_permissions, spend: r.spend,
  members: members.map((m) => ({ userId: m.user_id, role: gqlEnum(m.role), maxBudget: m.max_budget_in_team })),
});
const userFromRest = (r: any) => ({
  id: r.user_id, email: r.user_email, alias: r.user_alias, role: gqlEnum(r.user_role), models: r.models, maxBudget: r.max_budget,
  softBudget: r.soft_budget, budgetDuration: r.budget_duration, budgetResetAt: r.budget_reset_at, metadata: r.metadata,
  spend: r.spend, personalSpend: r.personal_spend, hasPassword: r.has_password,
});
const without = (o: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

describe('REST/GraphQL parity', () => {
  let s: TestServer;
  let alice: string; // internal_user, member (user) of "ta"
  let tadmin: string; // internal_user, admin of "ta"
  let bob: string; // internal_user, no team
  let viewer: string; // internal_user_viewer
  const secrets: string[] = [];
  const minted: Record<string, string> = {}; // alias → secret
  const PASSWORD = 'a-long-secret-password-42';

  beforeAll(async () => {
    s = await startServer({
      litellm_settings: {
        max_internal_user_budget: 10,
        upperbound_key_generate_params: { max_budget: 100 },
        default_team_params: { max_budget: 50, budget_duration: '30d' },
      },
    });
    await s.rest('POST', '/team/new', { team_id: 'ta', team_alias: 'A', models: ['gpt-4o-mini'] });
    alice = await userWithKey(s, { user_id: 'alice', user_role: 'internal_user', user_email: 'alice@example.com', teams: [{ team_id: 'ta', role: 'user' }] });
    tadmin = await userWithKey(s, { user_id: 'tadmin', user_role: 'internal_user', teams: [{ team_id: 'ta', role: 'admin' }] });
    bob = await userWithKey(s, { user_id: 'bob', user_role: 'internal_user' });
    viewer = await userWithKey(s, { user_id: 'viewer', user_role: 'internal_user_viewer' });
    secrets.push(alice, tadmin, bob, viewer, s.masterKey);
    for (const [auth, alias, team] of [[alice, 'alice-p', null], [alice, 'alice-t', 'ta'], [tadmin, 'tadmin-t', 'ta'], [bob, 'bob-p', null]] as const) {
      const g = await s.gql(GEN, { i: { keyAlias: alias, teamId: team } }, auth);
      expect(g.errors).toBeUndefined();
      secrets.push(g.data.generateKey.secret);
      minted[alias] = g.data.generateKey.secret;
    }
  });
  afterAll(() => s.close());

  it('createTeam and /team/new store the same team (default_team_params on both)', async () => {
    const fields = { models: ['gpt-4o'], tpm_limit: 100, rpm_limit: 10, metadata: { cost_center: 7 }, soft_budget: 5 };
    const r = await s.rest('POST', '/team/new', { team_id: 'via-rest', team_alias: 'same', ...fields, members_with_roles: [{ user_id: 'bob', role: 'admin' }] });
    expect(r.status).toBe(200);
    const g = await s.gql(`mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`, {
      i: { teamId: 'via-gql', teamAlias: 'same', models: ['gpt-4o'], tpmLimit: 100, rpmLimit: 10, metadata: { cost_center: 7 }, softBudget: 5, members: [{ userId: 'bob', role: 'ADMIN' }] },
    });
    expect(g.errors).toBeUndefined();
    const view = async (id: string) => (await s.gql(`query($id: ID!) { team(id: $id) { ${TEAM} } }`, { id })).data.team;
    const [a, b] = [await view('via-rest'), await view('via-gql')];
    expect(a).toMatchObject({ maxBudget: 50, budgetDuration: '30d', members: [{ userId: 'bob', role: 'ADMIN', maxBudget: null }] });
    expect(without(a, 'id')).toEqual(without(b, 'id'));
    // the REST answer and /team/info show the same team
    expect(without(teamFromRest(r.body, r.body.members_with_roles.map((m: any) => ({ ...m, max_budget_in_team: null }))), 'id')).toEqual(without(a, 'id'));
    const info = await s.rest('GET', '/team/info?team_id=via-gql');
    expect(teamFromRest(info.body.team_info, info.body.team_memberships)).toEqual(b);
  });

  it('generateKey and /key/generate store the same key', async () => {
    const r = await s.rest('POST', '/key/generate', {
      key_alias: 'r-same', team_id: 'ta', models: ['gpt-4o-mini'], max_budget: 5, soft_budget: 1, budget_duration: '1mo',
      tpm_limit: 100, rpm_limit: 10, max_parallel_requests: 2, metadata: { a: 1 }, duration: '7d',
    }, alice);
    const g = await s.gql(`mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret key { ${KEY} } } }`, {
      i: { keyAlias: 'g-same', teamId: 'ta', models: ['gpt-4o-mini'], maxBudget: 5, softBudget: 1, budgetDuration: '1mo', tpmLimit: 100, rpmLimit: 10, maxParallelRequests: 2, metadata: { a: 1 }, duration: '7d' },
    }, alice);
    expect(r.status).toBe(200);
    expect(g.errors).toBeUndefined();
    secrets.push(r.body.key, g.data.generateKey.secret);
    const fromRest = (await s.gql(`query($id: ID!) { key(id: $id) { ${KEY} } }`, { id: r.body.key_id })).data.key;
    const fromGql = g.data.generateKey.key;
    const volatile = ['id', 'keyAlias', 'keyName', 'createdAt', 'expires'];
    expect(without(fromRest, ...volatile)).toEqual(without(fromGql, ...volatile));
    expect(fromRest).toMatchObject({ userId: 'alice', teamId: 'ta', maxBudget: 5, budgetDuration: '1mo' });
    expect(Math.abs(Date.parse(fromRest.expires) - Date.parse(fromGql.expires))).toBeLessThan(Date.parse(fromGql.createdAt) - Date.parse(fromRest.createdAt) + 1000);
    expect(keyFromRest(r.body)).toEqual(fromRest);
  });

  it('refuses the same way with the same message on both surfaces (REST naming fields as LiteLLM does)', async () => {
    const REST_NAME: Record<string, string> = { maxBudget: 'max_budget', budgetDuration: 'budget_duration', keyAlias: 'key_alias', userId: 'user_id' };
    const same = async (rest: Promise<any>, gql: Promise<any>, status: number, code: string) => {
      const [r, g] = [await rest, await gql];
      expect(r.status).toBe(status);
      expect(g.code).toBe(code);
      expect(r.body.error.message).toBe(g.errors[0].message.replace(/\b[a-z]+[A-Z]\w*\b/g, (w: string) => REST_NAME[w] ?? w));
    };
    // upper bound (every caller)
    await same(s.rest('POST', '/key/generate', { max_budget: 150 }), s.gql(GEN, { i: { maxBudget: 150 } }), 400, 'BAD_USER_INPUT');
    await same(s.rest('POST', '/key/generate', { max_budget: 150 }, alice), s.gql(GEN, { i: { maxBudget: 150 } }, alice), 400, 'BAD_USER_INPUT');
    // ceiling, role, owner-only-for-self
    await same(s.rest('POST', '/key/generate', { max_budget: 20 }, alice), s.gql(GEN, { i: { maxBudget: 20 } }, alice), 403, 'FORBIDDEN');
    await same(s.rest('POST', '/team/new', { team_alias: 'x' }, alice), s.gql(`mutation { createTeam(input: { teamAlias: "x" }) { id } }`, {}, alice), 403, 'FORBIDDEN');
    await same(s.rest('POST', '/key/generate', { user_id: 'bob' }, alice), s.gql(GEN, { i: { userId: 'bob' } }, alice), 403, 'FORBIDDEN');
    await same(s.rest('POST', '/key/generate', {}, viewer), s.gql(GEN, { i: {} }, viewer), 403, 'FORBIDDEN');
    await same(s.rest('POST', '/user/new', { user_id: 'nope' }, tadmin), s.gql(`mutation { createUser(input: { userId: "nope" }) { id } }`, {}, tadmin), 403, 'FORBIDDEN');
    // duplicates and unknown ids
    await same(s.rest('POST', '/key/generate', { key_alias: 'bob-p' }), s.gql(GEN, { i: { keyAlias: 'bob-p' } }), 409, 'CONFLICT');
    await same(s.rest('POST', '/team/new', { team_id: 'ta' }), s.gql(`mutation { createTeam(input: { teamId: "ta" }) { id } }`), 409, 'CONFLICT');
    await same(s.rest('GET', '/team/info?team_id=zz'), s.gql(`{ team(id: "zz") { id } }`), 404, 'NOT_FOUND');
    await same(s.rest('POST', '/key/generate', { budget_duration: 'weekly' }), s.gql(GEN, { i: { budgetDuration: 'weekly' } }), 400, 'BAD_USER_INPUT');
  });

  it('REST reads return what the GraphQL queries return, for each caller', async () => {
    // the scopes differ per caller, so the comparisons below are not between empty lists
    const aliases = async (auth: string) =>
      (await s.rest('GET', '/key/list?size=40&return_full_object=true', undefined, auth)).body.keys.map((k: any) => k.key_alias);
    expect(await aliases(tadmin)).toEqual(expect.arrayContaining(['alice-t', 'tadmin-t']));
    expect(await aliases(alice)).toEqual(expect.arrayContaining(['alice-p', 'alice-t']));
    expect(await aliases(alice)).not.toContain('tadmin-t');
    expect(await aliases(bob)).not.toContain('alice-p');
    expect((await s.rest('GET', '/user/list', undefined, tadmin)).body.users.map((u: any) => u.user_id).sort()).toEqual(['alice', 'tadmin']);
    for (const auth of [s.masterKey, alice, tadmin, bob]) {
      const gKeys = (await s.gql(`{ keys(first: 40) { totalCount edges { node { ${KEY} } } } }`, {}, auth)).data.keys;
      const full = (await s.rest('GET', '/key/list?size=40&return_full_object=true', undefined, auth)).body;
      const hashes = (await s.rest('GET', '/key/list?size=40', undefined, auth)).body;
      expect(full.total_count).toBe(gKeys.totalCount);
      expect(full.keys.map(keyFromRest)).toEqual(gKeys.edges.map((e: any) => e.node));
      expect(hashes.keys).toEqual(full.keys.map((k: any) => k.token));
      for (const h of hashes.keys) expect(h).toMatch(/^[0-9a-f]{64}$/);

      const gUsers = (await s.gql(`{ users(first: 50) { totalCount edges { node { ${USER} } } } }`, {}, auth)).data.users;
      const rUsers = (await s.rest('GET', '/user/list?page_size=50', undefined, auth)).body;
      expect(rUsers.total).toBe(gUsers.totalCount);
      expect(rUsers.users.map(userFromRest)).toEqual(gUsers.edges.map((e: any) => e.node));

      const gTeams = (await s.gql(`{ teams(first: 40) { edges { node { ${TEAM} } } } }`, {}, auth)).data.teams;
      const rTeams = (await s.rest('GET', '/team/list', undefined, auth)).body;
      const rTeamViews = rTeams.map((t: any) => teamFromRest(t, t.members_with_roles));
      expect(rTeamViews.map((t: any) => t.id)).toEqual(gTeams.edges.map((e: any) => e.node.id));
      // /team/list has no member budgets: compare the rest
      const noBudget = (t: any) => ({ ...t, members: t.members.map((m: any) => without(m, 'maxBudget')) });
      expect(rTeamViews.map(noBudget)).toEqual(gTeams.edges.map((e: any) => noBudget(e.node)));
    }
    // the caller's own views: /user/info and /team/info vs user(id) / team(id)
    for (const [auth, id] of [[alice, 'alice'], [tadmin, 'tadmin'], [s.masterKey, 'alice']] as const) {
      const g = (await s.gql(`query($id: ID!) { user(id: $id) { ${USER} keys(first: 100) { edges { node { id } } } teams { teamId role } } }`, { id }, auth)).data.user;
      const r = (await s.rest('GET', `/user/info?user_id=${id}`, undefined, auth)).body;
      expect(userFromRest(r.user_info)).toEqual(without(g, 'keys', 'teams'));
      expect(r.keys.map((k: any) => k.key_id)).toEqual(g.keys.edges.map((e: any) => e.node.id));
      expect(r.teams.map((m: any) => ({ teamId: m.team_id, role: gqlEnum(m.role) }))).toEqual(g.teams);
    }
    for (const auth of [alice, tadmin, s.masterKey]) {
      const g = (await s.gql(`{ team(id: "ta") { ${TEAM} keys(first: 100) { edges { node { id } } } } }`, {}, auth)).data.team;
      const r = (await s.rest('GET', '/team/info?team_id=ta', undefined, auth)).body;
      expect(teamFromRest(r.team_info, r.team_memberships)).toEqual(without(g, 'keys'));
      expect(r.keys.map((k: any) => k.key_id)).toEqual(g.keys.edges.map((e: any) => e.node.id));
    }
    // /key/info by id, secret or hash = key(id)
    const k = (await s.gql(`{ keys(filter: { keyAlias: "alice-p" }) { edges { node { ${KEY} } } } }`, {}, alice)).data.keys.edges[0].node;
    for (const ref of [k.id, minted['alice-p']!, sha256(minted['alice-p']!)]) {
      const info = await s.rest('GET', `/key/info?key=${encodeURIComponent(ref)}`, undefined, alice);
      expect(info.status).toBe(200);
      expect(keyFromRest(info.body.info)).toEqual(k);
    }
  });

  it('/key/delete takes a secret, a token hash or an id; several keys are all-or-nothing', async () => {
    const mint = async (alias: string) => (await s.gql(GEN, { i: { keyAlias: alias } }, bob)).data.generateKey;
    const [k1, k2, k3] = [await mint('del-1'), await mint('del-2'), await mint('del-3')];
    secrets.push(k1.secret, k2.secret, k3.secret);
    const count = async () => (await s.gql(`{ keys(filter: { userId: "bob" }) { totalCount } }`)).data.keys.totalCount;
    const start = await count();
    // one of them is not bob's: nothing is deleted
    const aliceKey = (await s.gql(`{ keys(filter: { keyAlias: "alice-p" }) { edges { node { id } } } }`)).data.keys.edges[0].node.id;
    const mixed = await s.rest('POST', '/key/delete', { keys: [k1.secret, aliceKey] }, bob);
    expect(mixed.status).toBe(404);
    expect(await count()).toBe(start);
    // a viewer may read its own key but never delete it: 403, nothing deleted
    const vk = (await s.gql(`{ keys { edges { node { id } } } }`, {}, viewer)).data.keys.edges[0].node.id;
    expect((await s.rest('POST', '/key/delete', { keys: [vk] }, viewer)).status).toBe(403);
    expect((await s.gql(`mutation($id: ID!) { deleteKey(input: { id: $id }) { id } }`, { id: vk }, viewer)).code).toBe('FORBIDDEN');
    expect((await s.gql(`query($id: ID!) { key(id: $id) { id } }`, { id: vk })).data.key.id).toBe(vk);
    // secret, hash and id in one call
    const ok = await s.rest('POST', '/key/delete', { keys: [k1.secret, sha256(k2.secret), k3.key.id] }, bob);
    expect(ok.status).toBe(200);
    expect(ok.body.deleted_keys).toEqual([k1.secret, sha256(k2.secret), k3.key.id]);
    expect(await count()).toBe(start - 3);
    for (const k of [k1, k2, k3]) expect((await s.gql(`query($id: ID!) { key(id: $id) { id } }`, { id: k.key.id })).code).toBe('NOT_FOUND');
    expect((await s.gql(`{ me { user { id } } }`, {}, k1.secret)).status).toBe(401);
  });

  it('/user/delete and deleteUser remove keys and memberships; a second delete is 404 / NOT_FOUND', async () => {
    for (const [id, surface] of [['u-rest', 'rest'], ['u-gql', 'gql']] as const) {
      const secret = await userWithKey(s, { user_id: id, user_role: 'internal_user', teams: [{ team_id: 'ta', role: 'user' }] });
      const t = await s.gql(GEN, { i: { teamId: 'ta', keyAlias: `${id}-t` } }, secret);
      secrets.push(secret, t.data.generateKey.secret);
      const del = surface === 'rest'
        ? await s.rest('POST', '/user/delete', { user_ids: [id] })
        : await s.gql(`mutation($id: ID!) { deleteUser(input: { userId: $id }) { userId deletedKeyIds } }`, { id });
      expect(del.status).toBe(200);
      if (surface === 'gql') expect((del as any).data.deleteUser.deletedKeyIds).toHaveLength(2);
      expect((await s.gql(`{ keys(filter: { userId: "${id}" }) { totalCount } }`)).data.keys.totalCount).toBe(0);
      expect((await s.gql(`{ team(id: "ta") { members { userId } } }`)).data.team.members.map((m: any) => m.userId)).not.toContain(id);
      expect((await s.gql(`{ me { user { id } } }`, {}, secret)).status).toBe(401);
      expect((await s.rest('POST', '/user/delete', { user_ids: [id] })).status).toBe(404);
      expect((await s.gql(`mutation($id: ID!) { deleteUser(input: { userId: $id }) { userId } }`, { id })).code).toBe('NOT_FOUND');
    }
  });

  it('/team/delete and deleteTeam delete the team keys too', async () => {
    for (const [id, surface] of [['d-rest', 'rest'], ['d-gql', 'gql']] as const) {
      await s.rest('POST', '/team/new', { team_id: id, members_with_roles: [{ user_id: 'bob', role: 'admin' }] });
      const k = (await s.gql(GEN, { i: { teamId: id, keyAlias: `${id}-k` } }, bob)).data.generateKey;
      secrets.push(k.secret);
      const del = surface === 'rest'
        ? await s.rest('POST', '/team/delete', { team_ids: [id] })
        : await s.gql(`mutation($id: ID!) { deleteTeam(input: { teamId: $id }) { teamId deletedKeyIds } }`, { id });
      expect(del.status).toBe(200);
      if (surface === 'gql') expect((del as any).data.deleteTeam.deletedKeyIds).toEqual([k.key.id]);
      expect((await s.gql(`query($id: ID!) { key(id: $id) { id } }`, { id: k.key.id })).code).toBe('NOT_FOUND');
      expect((await s.gql(`{ me { user { id } } }`, {}, k.secret)).status).toBe(401);
      expect((await s.rest('GET', `/team/info?team_id=${id}`)).status).toBe(404);
    }
  });

  it('audits every write with its actor, never with a secret or a password', async () => {
    const r = await s.rest('POST', '/user/new', { user_id: 'pw-rest', user_email: 'pw@example.com', password: PASSWORD });
    expect(r.status).toBe(200);
    secrets.push(r.body.key);
    const g = await s.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { userId: 'pw-gql', password: PASSWORD } });
    expect(g.errors).toBeUndefined();
    await s.gql(`mutation { updateUser(input: { userId: "pw-gql", password: "${PASSWORD}-2" }) { id } }`);
    const rk = await s.rest('POST', '/key/regenerate', { key: sha256(minted['bob-p']!) }, bob);
    expect(rk.status).toBe(200);
    secrets.push(rk.body.key);
    await s.rest('POST', '/key/update', { key: rk.body.key, key_alias: 'bob-renamed' }, bob);

    const entries: any[] = [];
    for (let after: string | null = null, more = true; more; ) {
      const page: any = (await s.gql(
        `query($after: String) { auditLog(first: 50, after: $after) { pageInfo { hasNextPage endCursor } edges { node { action actorId actorMethod targetId before after } } } }`,
        { after },
      )).data.auditLog;
      entries.push(...page.edges.map((e: any) => e.node));
      [after, more] = [page.pageInfo.endCursor, page.pageInfo.hasNextPage];
    }
    const find = (action: string, targetId: string) => entries.find((e: any) => e.action === action && e.targetId === targetId);
    expect(find('team.create', 'via-rest')).toMatchObject({ actorId: 'default_user_id', actorMethod: 'master_key' });
    expect(find('team.create', 'via-gql')).toMatchObject({ actorId: 'default_user_id' });
    expect(find('user.create', 'pw-rest')).toBeTruthy();
    expect(find('user.create', 'pw-gql')).toBeTruthy();
    expect(find('user.update', 'pw-gql')).toBeTruthy();
    expect(find('user.delete', 'u-rest')).toBeTruthy();
    expect(find('user.delete', 'u-gql')).toBeTruthy();
    expect(find('team.delete', 'd-rest')).toBeTruthy();
    expect(find('team.delete', 'd-gql')).toBeTruthy();
    expect(find('key.regenerate', rk.body.key_id)).toMatchObject({ actorId: 'bob', actorMethod: 'virtual_key' });
    expect(find('key.update', rk.body.key_id)).toMatchObject({ actorId: 'bob' });
    const generated = entries.filter((e: any) => e.action === 'key.generate');
    expect(generated.length).toBeGreaterThanOrEqual(10);
    for (const e of entries) {
      expect(e.actorMethod).not.toBe('system');
      expect(e.actorId).toBeTruthy();
    }
    const text = JSON.stringify(entries);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sk-[A-Za-z0-9_-]{20,}/);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toMatch(/argon2/i);
  });
});
