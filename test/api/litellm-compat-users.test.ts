/**
 * Issue 11: LiteLLM creates users where scripts name unknown ones (/key/generate, /team/new,
 * /team/member_add, /user/update upsert), and /user/new takes a single `team_id`. Only a caller
 * who may create users causes this; the rows follow the one creation rule and are audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

// provisioning runs inside the request's transaction (nested ones included): both dialects
describe.each(['sqlite', 'postgresql'] as const)('unknown users are created where LiteLLM creates them (%s)', (dialect) => {
  let db: Awaited<ReturnType<typeof freshPostgres>> | null = null;
  let s: TestServer;
  let plain: string;
  let teamAdmin: string;
  const userRow = async (id: string) => (await sql(s, 'select id, role, budget_max_budget from users where id = ?', [id]))[0];
  const audits = async (id: string) => sql(s, "select action from audit_log where action = 'user.create' and target_id = ?", [id]);
  beforeAll(async () => {
    db = dialect === 'postgresql' ? await freshPostgres() : null;
    s = await startServer(
      { litellm_settings: { default_internal_user_params: { user_role: 'internal_user' }, max_internal_user_budget: 7 } },
      db ? { databaseUrl: db.url } : {},
    );
    plain = await userWithKey(s, { user_id: 'plain', user_role: 'internal_user' });
    teamAdmin = await userWithKey(s, { user_id: 'tadmin', user_role: 'internal_user' });
    expect((await s.rest('POST', '/team/new', { team_id: 'ta', members_with_roles: [{ user_id: 'tadmin', role: 'admin' }] })).status).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
    await db?.drop();
  });

  it('/key/generate with an unknown user_id creates the user by the creation rule (admin)', async () => {
    const res = await s.rest('POST', '/key/generate', { user_id: 'new-by-key' });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe('new-by-key');
    expect(await userRow('new-by-key')).toMatchObject({ role: 'internal_user' });
    expect(Number((await userRow('new-by-key')).budget_max_budget)).toBe(7_000_000_000);
    expect(await audits('new-by-key')).toHaveLength(1);
    const info = await s.rest('GET', '/user/info?user_id=new-by-key');
    expect(info.body.keys.map((k: any) => k.key_id)).toEqual([res.body.key_id]);
  });

  it('a refused key leaves no user behind', async () => {
    const res = await s.rest('POST', '/key/generate', { user_id: 'ghost-1', team_id: 'ta' });
    expect(res.status).toBe(400);
    expect(await userRow('ghost-1')).toBeUndefined();
  });

  it('a caller who may not create users gets a 4xx and nothing changes', async () => {
    const res = await s.rest('POST', '/key/generate', { user_id: 'ghost-2' }, plain);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await userRow('ghost-2')).toBeUndefined();
    const add = await s.rest('POST', '/team/member_add', { team_id: 'ta', member: { user_id: 'ghost-3', role: 'user' } }, teamAdmin);
    expect(add.status).toBe(404);
    expect(add.body.error.message).toBe('User ghost-3 not found.');
    expect(await userRow('ghost-3')).toBeUndefined();
    const upd = await s.rest('POST', '/user/update', { user_id: 'ghost-4', user_alias: 'x' }, plain);
    expect(upd.status).toBe(403);
    expect(await userRow('ghost-4')).toBeUndefined();
  });

  it('/team/new with members_with_roles naming unknown users creates them', async () => {
    const res = await s.rest('POST', '/team/new', { team_id: 'tn', members_with_roles: [{ user_id: 'm-new-1', role: 'admin' }, { user_id: 'plain', role: 'user' }] });
    expect(res.status).toBe(200);
    expect(res.body.members_with_roles).toEqual(
      expect.arrayContaining([expect.objectContaining({ user_id: 'm-new-1', role: 'admin' }), expect.objectContaining({ user_id: 'plain', role: 'user' })]),
    );
    expect(await userRow('m-new-1')).toMatchObject({ role: 'internal_user' });
    expect(await audits('m-new-1')).toHaveLength(1);
    // a refused team (duplicate id) leaves its would-be members uncreated
    const dup = await s.rest('POST', '/team/new', { team_id: 'tn', members_with_roles: [{ user_id: 'ghost-5', role: 'user' }] });
    expect(dup.status).toBe(409);
    expect(await userRow('ghost-5')).toBeUndefined();
  });

  it('/team/member_add with unknown user_ids creates them (admin)', async () => {
    const res = await s.rest('POST', '/team/member_add', { team_id: 'ta', member: [{ user_id: 'm-new-2', role: 'user' }, { user_id: 'm-new-3' }] });
    expect(res.status).toBe(200);
    expect(res.body.updated_users).toEqual(['m-new-2', 'm-new-3']);
    expect(await userRow('m-new-3')).toMatchObject({ role: 'internal_user' });
  });

  it('/user/update of a missing user_id upserts it', async () => {
    const res = await s.rest('POST', '/user/update', { user_id: 'upserted', user_alias: 'Up Serted', user_role: 'internal_user_viewer', max_budget: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: 'upserted', user_alias: 'Up Serted', user_role: 'internal_user_viewer', max_budget: 3 });
    expect(await audits('upserted')).toHaveLength(1);
    // bad input on the upsert creates nothing
    const bad = await s.rest('POST', '/user/update', { user_id: 'ghost-6', user_role: 'team' });
    expect(bad.status).toBe(400);
    expect(await userRow('ghost-6')).toBeUndefined();
  });

  it('/user/new with team_id joins that team, as teams does', async () => {
    const res = await s.rest('POST', '/user/new', { user_id: 'joiner', team_id: 'ta', auto_create_key: false });
    expect(res.status).toBe(200);
    expect(res.body.teams).toEqual(['ta']);
    const both = await s.rest('POST', '/user/new', { user_id: 'joiner2', team_id: 'ta', teams: ['tn'], auto_create_key: false });
    expect(both.body.teams.sort()).toEqual(['ta', 'tn']);
    const missing = await s.rest('POST', '/user/new', { user_id: 'joiner3', team_id: 'nope', auto_create_key: false });
    expect(missing.status).toBe(400);
    expect(await userRow('joiner3')).toBeUndefined();
  });
});

describe('GraphQL addTeamMember follows the same rule', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
    expect((await s.rest('POST', '/team/new', { team_id: 'g' })).status).toBe(200);
  });
  afterAll(() => s?.close());

  it('an admin adding an unknown userId creates the user by the creation rule', async () => {
    const res = await s.gql('mutation { addTeamMember(input: { teamId: "g", userId: "gql-new" }) { userId } }');
    expect(res.errors).toBeUndefined();
    const [row] = await sql(s, 'select role from users where id = ?', ['gql-new']);
    expect(row).toEqual({ role: 'internal_user_viewer' });
  });
});
