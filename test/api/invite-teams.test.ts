import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

/** inviteUser's `teams`: join with a role and member budget, besides `teamIds`; all or nothing. */
let s: TestServer;
beforeAll(async () => {
  s = await startServer();
  await s.rest('POST', '/team/new', { team_alias: 'a', team_id: 'team_a' });
  await s.rest('POST', '/team/new', { team_alias: 'b', team_id: 'team_b' });
});
afterAll(async () => s?.close());

const INVITE = 'mutation ($i: InviteUserInput!) { inviteUser(input: $i) { link invitation { user { id teams { teamId role maxBudget } } } } }';
const userCount = async () => (await s.gql('{ users(first: 1) { totalCount } }')).data.users.totalCount as number;

describe('inviteUser with teams', () => {
  it('joins teamIds as USER and teams with their role and member budget', async () => {
    const r = await s.gql(INVITE, { i: { email: 'ann@example.com', userRole: 'INTERNAL_USER', teamIds: ['team_a'], teams: [{ teamId: 'team_b', role: 'ADMIN', maxBudgetInTeam: 5 }] } });
    expect(r.errors).toBeUndefined();
    const teams = r.data.inviteUser.invitation.user.teams.sort((x: { teamId: string }, y: { teamId: string }) => x.teamId.localeCompare(y.teamId));
    expect(teams).toEqual([
      { teamId: 'team_a', role: 'USER', maxBudget: null },
      { teamId: 'team_b', role: 'ADMIN', maxBudget: 5 },
    ]);
    const info = await s.rest('GET', '/team/info?team_id=team_b');
    expect(info.body.team_info.members_with_roles).toEqual(expect.arrayContaining([expect.objectContaining({ user_id: r.data.inviteUser.invitation.user.id, role: 'admin' })]));
  });

  it('an unknown team refuses the whole invitation: no user, no link', async () => {
    const before = await userCount();
    const r = await s.gql(INVITE, { i: { email: 'bo@example.com', teams: [{ teamId: 'team_a', role: 'ADMIN' }, { teamId: 'nope' }] } });
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.message).toContain('"nope" does not exist');
    expect(await userCount()).toBe(before);
  });

  it('a proxy_admin_viewer may not invite', async () => {
    const viewer = await userWithKey(s, { user_id: 'vera', user_role: 'proxy_admin_viewer' });
    const before = await userCount();
    const r = await s.gql(INVITE, { i: { email: 'cy@example.com', teams: [{ teamId: 'team_a', role: 'ADMIN' }] } }, viewer);
    expect(r.code).toBe('FORBIDDEN');
    expect(await userCount()).toBe(before);
  });
});
