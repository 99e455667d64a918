/**
 * Issue 7: removing a team member stops their keys of that team at the gateway at once (no
 * member budget would bound them any more), and the answer says which keys were blocked, on
 * GraphQL and REST. Their personal keys and other members' keys keep working.
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

async function memberWithKeys(team: string, user: string) {
  await admin(s, '/user/new', { user_id: user, user_role: 'internal_user' });
  await admin(s, '/team/member_add', { team_id: team, member: [{ user_id: user, role: 'user' }], max_budget_in_team: 1 });
  const teamKey = await mintKey(s, { user_id: user, team_id: team });
  const personal = await mintKey(s, { user_id: user });
  return { teamKey, personal };
}

describe('removing a team member', () => {
  it('GraphQL removeTeamMember blocks their team keys at once and names them', async () => {
    await admin(s, '/team/new', { team_id: 'rm-team', max_budget: 10 });
    const gone = await memberWithKeys('rm-team', 'rm-gone');
    const stays = await memberWithKeys('rm-team', 'rm-stays');
    for (const k of [gone.teamKey, gone.personal, stays.teamKey]) expect((await chat(s, k.key)).status).toBe(200);

    const r = await s.gql(`mutation { removeTeamMember(input: { teamId: "rm-team", userId: "rm-gone" }) { teamId userId blockedKeyIds } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.removeTeamMember).toEqual({ teamId: 'rm-team', userId: 'rm-gone', blockedKeyIds: [gone.teamKey.id] });

    const refused = await chat(s, gone.teamKey.key);
    expect(refused.status).toBe(401);
    expect(refused.body.error.type).toBe('auth_error');
    // the personal key and the other member's team key are untouched
    expect((await chat(s, gone.personal.key)).status).toBe(200);
    expect((await chat(s, stays.teamKey.key)).status).toBe(200);

    const k = await s.gql(`query($id: ID!) { key(id: $id) { blocked } }`, { id: gone.teamKey.id });
    expect(k.data.key.blocked).toBe(true);
    const log = await s.gql(`{ auditLog(filter: { action: "key.block" }) { edges { node { targetId } } } }`);
    expect(log.errors).toBeUndefined();
    expect(log.data.auditLog.edges.map((e: any) => e.node.targetId)).toContain(gone.teamKey.id);

    // added back, the key stays blocked until someone who may unblock it does so
    await admin(s, '/team/member_add', { team_id: 'rm-team', member: [{ user_id: 'rm-gone', role: 'user' }] });
    expect((await chat(s, gone.teamKey.key)).status).toBe(401);
    await admin(s, '/key/unblock', { key: gone.teamKey.id });
    expect((await chat(s, gone.teamKey.key)).status).toBe(200);
  });

  it('REST /team/member_delete answers with blocked_key_ids', async () => {
    await admin(s, '/team/new', { team_id: 'rm-rest' });
    const m = await memberWithKeys('rm-rest', 'rm-rest-user');
    expect((await chat(s, m.teamKey.key)).status).toBe(200);
    const r = await s.rest('POST', '/team/member_delete', { team_id: 'rm-rest', user_id: 'rm-rest-user' });
    expect(r.status).toBe(200);
    expect(r.body.blocked_key_ids).toEqual([m.teamKey.id]);
    expect(r.body.team_id).toBe('rm-rest');
    expect((await chat(s, m.teamKey.key)).status).toBe(401);
  });
});
