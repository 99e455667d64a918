/**
 * Grouped usage rows carry names (key alias, user email, team alias), each only where the
 * caller may read that key, user or team: an admin sees every name; a plain team member reads
 * the team's total with its alias, and never other members' emails or key aliases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { USAGE, admin, chat, flush, mintKey, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let up: FakeUpstream;
let ann: { key: string; id: string };
let ben: { key: string; id: string };
const today = new Date().toISOString().slice(0, 10);
const Q = `query($f: UsageFilter!, $g: [UsageGroupBy!]) { usage(filter: $f, groupBy: $g) { rows { keyId keyAlias userId userEmail teamId teamAlias requests } } }`;

beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE });
  s = await startServer({ model_list: [upstreamModel('m', up)] });
  for (const [id, email] of [['un-ann', 'ann@example.com'], ['un-ben', 'ben@example.com']])
    await admin(s, '/user/new', { user_id: id, user_email: email, user_role: 'internal_user', auto_create_key: false });
  await admin(s, '/team/new', { team_id: 'un-team', team_alias: 'Research', members_with_roles: [{ user_id: 'un-ann', role: 'user' }, { user_id: 'un-ben', role: 'user' }] });
  ann = await mintKey(s, { user_id: 'un-ann', team_id: 'un-team', key_alias: 'ann-team-key' });
  ben = await mintKey(s, { user_id: 'un-ben', team_id: 'un-team', key_alias: 'ben-team-key' });
  expect((await chat(s, ann.key)).status).toBe(200);
  expect((await chat(s, ben.key)).status).toBe(200);
  await flush(s);
});
afterAll(async () => {
  await s?.close();
  await up?.close();
});

const rows = async (group: string[], auth?: string, extra: Record<string, unknown> = {}) => {
  const r = await s.gql(Q, { f: { from: today, to: today, ...extra }, g: group }, auth);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data.usage.rows as any[];
};

describe('usage row names', () => {
  it('an admin sees the alias, email and team name of every group', async () => {
    const byKey = await rows(['KEY']);
    expect(byKey.map((r) => r.keyAlias).sort()).toEqual(['ann-team-key', 'ben-team-key']);
    const byUser = await rows(['USER']);
    expect(byUser.map((r) => [r.userId, r.userEmail]).sort()).toEqual([['un-ann', 'ann@example.com'], ['un-ben', 'ben@example.com']]);
    const byTeam = await rows(['TEAM']);
    expect(byTeam).toMatchObject([{ teamId: 'un-team', teamAlias: 'Research', requests: 2 }]);
    // names only for the grouped dimension
    expect(byTeam[0].keyAlias).toBeNull();
    expect(byTeam[0].userEmail).toBeNull();
  });

  it('a plain member reads the team total with its alias, and their own key by name only', async () => {
    const team = await rows(['TEAM'], ann.key, { teamId: 'un-team' });
    expect(team).toMatchObject([{ teamId: 'un-team', teamAlias: 'Research', requests: 2 }]);
    const own = await rows(['KEY'], ann.key);
    expect(own.map((r) => r.keyAlias)).toEqual(['ann-team-key']);
    // a breakdown of the team by member stays refused for a plain member
    const r = await s.gql(Q, { f: { from: today, to: today, teamId: 'un-team' }, g: ['USER'] }, ann.key);
    expect(r.code).toBe('FORBIDDEN');
  });

  it('top names only the biggest rows (usage top, cacheAnalytics topKeys) and refuses a bad limit', async () => {
    // ann's key makes one more call, so it leads by spend and by calls
    expect((await chat(s, ann.key)).status).toBe(200);
    await flush(s);
    const f = { from: today, to: today };
    const top = await s.gql(`query($f: UsageFilter!) { usage(filter: $f, groupBy: [KEY], top: 1) { totals { requests } rows { keyId keyAlias requests } } cacheAnalytics(filter: $f, topKeys: 1) { upstreamCalls byKey { keyId } } }`, { f });
    expect(top.errors).toBeUndefined();
    expect(top.data.usage.rows).toEqual([{ keyId: ann.id, keyAlias: 'ann-team-key', requests: 2 }]);
    // totals still count every row
    expect(top.data.usage.totals.requests).toBe(3);
    expect(top.data.cacheAnalytics).toEqual({ upstreamCalls: 3, byKey: [{ keyId: ann.id }] });
    for (const bad of [0, 1001, -1]) {
      const r = await s.gql(`query($f: UsageFilter!, $n: Int) { usage(filter: $f, groupBy: [KEY], top: $n) { totals { requests } } }`, { f, n: bad });
      expect(r.code).toBe('BAD_USER_INPUT');
      expect(r.errors![0]!.message).toBe("'top' must be an integer from 1 to 1000.");
      const c = await s.gql(`query($f: UsageFilter!, $n: Int) { cacheAnalytics(filter: $f, topKeys: $n) { cacheHits } }`, { f, n: bad });
      expect(c.code).toBe('BAD_USER_INPUT');
    }
  });
});
