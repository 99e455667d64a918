/**
 * Contract: GraphQL names enum values in UPPER_CASE (PROXY_ADMIN_VIEWER, ADMIN, MANUAL), while
 * REST, the database and the audit log keep LiteLLM's lower-case strings (no data migration).
 * Written on one surface, read on every other, through a running server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { sql as rawSql } from '../helpers/gateway.js';

describe('enum values: UPPER_CASE on GraphQL, lower case everywhere else', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s?.close());

  const sql = (query: string, params: unknown[]) => rawSql(s, query, params);

  it('a role and team role set over GraphQL are stored and shown on REST in lower case, and audited so', async () => {
    const created = await s.gql(`mutation { createUser(input: { userId: "vic", email: "vic@example.com", userRole: PROXY_ADMIN_VIEWER }) { id userRole } }`);
    expect(created.errors).toBeUndefined();
    expect(created.data.createUser).toEqual({ id: 'vic', userRole: 'PROXY_ADMIN_VIEWER' });
    expect((await s.gql(`mutation { createTeam(input: { teamId: "tm" }) { id } }`)).errors).toBeUndefined();
    const added = await s.gql(`mutation { addTeamMember(input: { teamId: "tm", userId: "vic", role: ADMIN }) { role source } }`);
    expect(added.data.addTeamMember).toEqual({ role: 'ADMIN', source: 'MANUAL' });

    expect(await sql('select role from users where id = ?', ['vic'])).toEqual([{ role: 'proxy_admin_viewer' }]);
    expect(await sql('select role, source from team_memberships where user_id = ?', ['vic'])).toEqual([{ role: 'admin', source: 'manual' }]);

    const info = await s.rest('GET', '/user/info?user_id=vic');
    expect(info.body.user_info.user_role).toBe('proxy_admin_viewer');
    const team = await s.rest('GET', '/team/info?team_id=tm');
    expect(team.body.team_info.members_with_roles).toEqual([expect.objectContaining({ user_id: 'vic', role: 'admin' })]);

    const audit = await s.gql(`{ auditLog(filter: { targetId: "vic" }) { edges { node { action after } } } }`);
    const create = audit.data.auditLog.edges.map((e: any) => e.node).find((n: any) => n.action === 'user.create');
    expect(JSON.stringify(create.after)).toContain('"proxy_admin_viewer"');
    expect(JSON.stringify(create.after)).not.toContain('PROXY_ADMIN_VIEWER');
  });

  it('a role set over REST in lower case reads back over GraphQL in UPPER_CASE', async () => {
    const r = await s.rest('POST', '/user/new', { user_id: 'iris', user_role: 'internal_user_viewer', auto_create_key: false });
    expect(r.status).toBe(200);
    expect((await s.gql(`{ user(id: "iris") { userRole } }`)).data.user.userRole).toBe('INTERNAL_USER_VIEWER');
    // filters take the GraphQL name too
    const listed = await s.gql(`{ users(filter: { role: INTERNAL_USER_VIEWER }) { edges { node { id } } } }`);
    expect(listed.data.users.edges.map((e: any) => e.node.id)).toEqual(['iris']);
  });

  it('the lower-case strings are not GraphQL enum values', async () => {
    const r = await s.gql(`mutation { createUser(input: { userId: "low", userRole: proxy_admin }) { id } }`);
    expect(r.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0].message).toMatch(/Did you mean the enum value "PROXY_ADMIN"/);
    const v = await s.gql(`mutation($r: UserRole) { createUser(input: { userId: "low", userRole: $r }) { id } }`, { r: 'proxy_admin' });
    expect(v.code).toBe('BAD_USER_INPUT');
  });
});
