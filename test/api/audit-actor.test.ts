/**
 * AuditEntry.actor: the audit log names the person behind a write (for the dashboard's Audit
 * page) while that user exists; the entry keeps the actor id after the user is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

const TEAM_WRITES = `query($id: String) { auditLog(filter: { action: "team.create", actorId: $id }) { edges { node { actorId actorMethod actor { id email } } } } }`;

describe('the audit log names its actors', () => {
  it('resolves the actor to the user, for admins and admin viewers, and to null once the user is gone', async () => {
    const adaKey = await userWithKey(s, { user_id: 'ada', user_role: 'proxy_admin', user_email: 'ada@example.com' });
    const viewerKey = await userWithKey(s, { user_id: 'vic', user_role: 'proxy_admin_viewer', user_email: 'vic@example.com' });
    const created = await s.gql(`mutation { createTeam(input: { teamAlias: "Ada's team" }) { id } }`, {}, adaKey);
    expect(created.errors).toBeUndefined();

    for (const reader of [undefined, viewerKey]) {
      const r = await s.gql(TEAM_WRITES, { id: 'ada' }, reader);
      expect(r.errors).toBeUndefined();
      expect(r.data.auditLog.edges.map((e: { node: unknown }) => e.node)).toEqual([
        { actorId: 'ada', actorMethod: 'virtual_key', actor: { id: 'ada', email: 'ada@example.com' } },
      ]);
    }

    expect((await s.gql(`mutation { deleteUser(input: { userId: "ada" }) { userId } }`)).errors).toBeUndefined();
    const after = await s.gql(TEAM_WRITES, { id: 'ada' });
    expect(after.data.auditLog.edges.map((e: { node: unknown }) => e.node)).toEqual([{ actorId: 'ada', actorMethod: 'virtual_key', actor: null }]);
  });

  it('refuses the audit log, actor and all, to an internal user', async () => {
    const key = await userWithKey(s, { user_id: 'ivo', user_role: 'internal_user' });
    const r = await s.gql(`{ auditLog { edges { node { actor { email } } } } }`, {}, key);
    expect(r.code).toBe('FORBIDDEN');
    expect(r.data).toBeNull();
  });
});
