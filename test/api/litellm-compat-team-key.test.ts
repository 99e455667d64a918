/**
 * Issue 11: a team key (a key with a team and no owner) may read its own team through
 * /team/info and GraphQL team(id), and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

describe('a team key reads its own team', () => {
  let s: TestServer;
  let teamKey: string;
  beforeAll(async () => {
    s = await startServer();
    for (const id of ['mine', 'other']) expect((await s.rest('POST', '/team/new', { team_id: id, team_alias: `Team ${id}`, models: ['gpt-4o'] })).status).toBe(200);
    const k = await s.rest('POST', '/key/generate', { team_id: 'mine' });
    expect(k.body.user_id).toBeNull();
    teamKey = k.body.key;
  });
  afterAll(() => s?.close());

  it('/team/info of its own team answers the team', async () => {
    const res = await s.rest('GET', '/team/info?team_id=mine', undefined, teamKey);
    expect(res.status).toBe(200);
    expect(res.body.team_info).toMatchObject({ team_id: 'mine', team_alias: 'Team mine', models: ['gpt-4o'] });
    expect(res.body.keys).toEqual([]);
  });

  it('GraphQL team(id) of its own team answers the team', async () => {
    const res = await s.gql('query($id: ID!) { team(id: $id) { id alias models } }', { id: 'mine' }, teamKey);
    expect(res.errors).toBeUndefined();
    expect(res.data.team).toEqual({ id: 'mine', alias: 'Team mine', models: ['gpt-4o'] });
  });

  it('another team, users and keys stay refused', async () => {
    expect((await s.rest('GET', '/team/info?team_id=other', undefined, teamKey)).status).toBe(403);
    const gq = await s.gql('query($id: ID!) { team(id: $id) { id } }', { id: 'other' }, teamKey);
    expect(gq.code).toBe('FORBIDDEN');
    expect((await s.rest('GET', '/user/list', undefined, teamKey)).status).toBe(403);
    expect((await s.rest('GET', '/key/list', undefined, teamKey)).status).toBe(403);
    expect((await s.rest('POST', '/team/update', { team_id: 'mine', team_alias: 'x' }, teamKey)).status).toBe(403);
    const list = await s.rest('GET', '/team/list', undefined, teamKey);
    expect(list.status).toBe(200);
    expect(list.body.map((t: any) => t.team_id)).toEqual(['mine']);
  });
});
