/**
 * Access requests (issue 10), through a real server: a user asks, an admin of the request's
 * scope decides, and an approval is applied by the ordinary services as the approver (so the
 * key and team rules, ceilings included, still hold).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/gateway.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';

let s: TestServer;
const auth: Record<string, string> = {};

const CREATE = `mutation($i: CreateAccessRequestInput!) { createAccessRequest(input: $i) { id kind status requesterId teamId keyId model } }`;
const APPROVE = `mutation($id: ID!) { approveAccessRequest(input: { id: $id }) { id status decidedBy } }`;
const DENY = `mutation($id: ID!, $r: String!) { denyAccessRequest(input: { id: $id, reason: $r }) { id status decisionReason } }`;
const CANCEL = `mutation($id: ID!) { cancelAccessRequest(input: { id: $id }) { id status } }`;
const ONE = `query($id: ID!) { accessRequest(id: $id) { id status } }`;

async function ok(query: string, vars: Record<string, unknown>, who: string | null) {
  const r = await s.gql(query, vars, who === null ? undefined : auth[who]);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data;
}
async function teamKey(owner: string, team: string, models: string[]) {
  const r = await s.rest('POST', '/key/generate', { user_id: owner, team_id: team, models });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { id: r.body.key_id as string, secret: r.body.key as string };
}
async function chat(secret: string, model: string) {
  const r = await fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return r.status;
}
const requestCount = async () => (await ok(`{ accessRequests(first: 0) { totalCount } }`, {}, null)).accessRequests.totalCount as number;

beforeAll(async () => {
  s = await startServer({
    model_list: [
      { model_name: 'gpt-4o-mini', litellm_params: { model: 'openai/gpt-4o-mini', mock_response: 'hi' } },
      { model_name: 'gpt-4o', litellm_params: { model: 'openai/gpt-4o', mock_response: 'hi' } },
      { model_name: 'o1', litellm_params: { model: 'openai/o1', mock_response: 'hi' } },
    ],
  });
  expect((await s.rest('POST', '/team/new', { team_id: 'T', models: ['gpt-4o-mini', 'gpt-4o'] })).status).toBe(200);
  expect((await s.rest('POST', '/team/new', { team_id: 'F' })).status).toBe(200);
  auth.tadmin = await userWithKey(s, { user_id: 'tadmin', user_role: 'internal_user', teams: [{ team_id: 'T', role: 'admin' }] });
  auth.tmember = await userWithKey(s, { user_id: 'tmember', user_role: 'internal_user', teams: [{ team_id: 'T', role: 'user' }, { team_id: 'F', role: 'user' }] });
  auth.solo = await userWithKey(s, { user_id: 'solo', user_role: 'internal_user' });
  auth.viewer = await userWithKey(s, { user_id: 'viewer', user_role: 'proxy_admin_viewer' });
});
afterAll(() => s?.close());

describe('access requests', () => {
  it('a member asks for a model on a team key, the team admin approves, and the key then calls that model', async () => {
    const key = await teamKey('tmember', 'T', ['gpt-4o-mini']);
    expect(await chat(key.secret, 'gpt-4o')).not.toBe(200);
    const req = (await ok(CREATE, { i: { kind: 'KEY_MODEL', keyId: key.id, model: 'gpt-4o', reason: 'evals' } }, 'tmember')).createAccessRequest;
    expect(req).toMatchObject({ kind: 'KEY_MODEL', status: 'PENDING', requesterId: 'tmember', teamId: 'T', keyId: key.id, model: 'gpt-4o' });
    // the team admin sees it among what they may decide; the viewer reads it but may not decide it
    expect((await ok(`{ pendingAccessRequestCount }`, {}, 'tadmin')).pendingAccessRequestCount).toBe(1);
    expect((await ok(ONE, { id: req.id }, 'viewer')).accessRequest.status).toBe('PENDING');
    expect((await s.gql(APPROVE, { id: req.id }, auth.viewer)).code).toBe('FORBIDDEN');
    // the requester may not decide their own request
    expect((await s.gql(APPROVE, { id: req.id }, auth.tmember)).code).toBe('FORBIDDEN');
    const approved = (await ok(APPROVE, { id: req.id }, 'tadmin')).approveAccessRequest;
    expect(approved).toMatchObject({ status: 'APPROVED', decidedBy: 'tadmin' });
    expect(await chat(key.secret, 'gpt-4o')).toBe(200);
    // decided once: a second decision is refused
    expect((await s.gql(APPROVE, { id: req.id }, auth.tadmin)).code).toBe('BAD_USER_INPUT');
    // every change is audited
    const a = await ok(`query($id: String!) { auditLog(filter: { targetId: $id }) { edges { node { action actorId } } } }`, { id: req.id }, null);
    expect(a.auditLog.edges.map((e: any) => e.node)).toEqual(
      expect.arrayContaining([{ action: 'access_request.create', actorId: 'tmember' }, { action: 'access_request.approve', actorId: 'tadmin' }]),
    );
  });

  it("a team admin cannot approve beyond the team's ceiling or outside the team; a proxy_admin can", async () => {
    const key = await teamKey('tmember', 'T', ['gpt-4o-mini']);
    const req = (await ok(CREATE, { i: { kind: 'KEY_MODEL', keyId: key.id, model: 'o1' } }, 'tmember')).createAccessRequest;
    const refused = await s.gql(APPROVE, { id: req.id }, auth.tadmin);
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toBe('models ["o1"] are outside what team T may use (["gpt-4o-mini","gpt-4o"]).');
    // nothing was applied and the request is still pending
    expect((await ok(ONE, { id: req.id }, 'tadmin')).accessRequest.status).toBe('PENDING');
    expect(await chat(key.secret, 'o1')).not.toBe(200);
    // a request about team F: T's admin does not even see it
    const fkey = await teamKey('tmember', 'F', ['gpt-4o-mini']);
    const freq = (await ok(CREATE, { i: { kind: 'KEY_MODEL', keyId: fkey.id, model: 'gpt-4o' } }, 'tmember')).createAccessRequest;
    expect((await s.gql(APPROVE, { id: freq.id }, auth.tadmin)).code).toBe('NOT_FOUND');
    expect((await ok(APPROVE, { id: freq.id }, null)).approveAccessRequest.status).toBe('APPROVED');
    expect(await chat(fkey.secret, 'gpt-4o')).toBe(200);
  });

  it('a personal budget is decided by a proxy_admin only', async () => {
    const req = (await ok(CREATE, { i: { kind: 'USER_BUDGET', maxBudget: 25 } }, 'solo')).createAccessRequest;
    expect((await s.gql(APPROVE, { id: req.id }, auth.tadmin)).code).toBe('NOT_FOUND');
    expect((await ok(APPROVE, { id: req.id }, null)).approveAccessRequest.status).toBe('APPROVED');
    expect((await ok(`{ user(id: "solo") { maxBudget } }`, {}, null)).user.maxBudget).toBe(25);
  });

  it('a team admin approves a membership and a key limit', async () => {
    const join = (await ok(CREATE, { i: { kind: 'TEAM_MEMBERSHIP', teamId: 'T' } }, 'solo')).createAccessRequest;
    await ok(APPROVE, { id: join.id }, 'tadmin');
    const members = (await ok(`{ team(id: "T") { members { userId role } } }`, {}, null)).team.members;
    expect(members).toEqual(expect.arrayContaining([{ userId: 'solo', role: 'USER' }]));
    const key = await teamKey('tmember', 'T', ['gpt-4o-mini']);
    const lim = (await ok(CREATE, { i: { kind: 'KEY_LIMIT', keyId: key.id, rpmLimit: 50 } }, 'tmember')).createAccessRequest;
    await ok(APPROVE, { id: lim.id }, 'tadmin');
    expect((await s.rest('GET', `/key/info?key=${key.id}`)).body.info.rpm_limit).toBe(50);
  });

  it('deny needs a reason; the requester cancels, nobody else', async () => {
    const key = await teamKey('tmember', 'T', ['gpt-4o-mini']);
    const req = (await ok(CREATE, { i: { kind: 'KEY_LIMIT', keyId: key.id, tpmLimit: 1000 } }, 'tmember')).createAccessRequest;
    expect((await s.gql(`mutation($id: ID!) { denyAccessRequest(input: { id: $id, reason: "  " }) { id } }`, { id: req.id }, auth.tadmin)).code).toBe('BAD_USER_INPUT');
    expect((await ok(DENY, { id: req.id, r: 'not this quarter' }, 'tadmin')).denyAccessRequest).toMatchObject({ status: 'DENIED', decisionReason: 'not this quarter' });
    // decided: the same can be asked again, then withdrawn by the requester only
    const again = (await ok(CREATE, { i: { kind: 'KEY_LIMIT', keyId: key.id, tpmLimit: 1000 } }, 'tmember')).createAccessRequest;
    expect((await s.gql(CANCEL, { id: again.id }, auth.tadmin)).code).toBe('FORBIDDEN');
    expect((await ok(CANCEL, { id: again.id }, 'tmember')).cancelAccessRequest.status).toBe('CANCELLED');
    expect((await s.gql(APPROVE, { id: again.id }, auth.tadmin)).code).toBe('BAD_USER_INPUT');
  });

  it('a duplicate pending request is a CONFLICT naming the existing one', async () => {
    const key = await teamKey('tmember', 'T', ['gpt-4o-mini']);
    const first = (await ok(CREATE, { i: { kind: 'KEY_MODEL', keyId: key.id, model: 'gpt-4o' } }, 'tmember')).createAccessRequest;
    const before = await requestCount();
    const dup = await s.gql(CREATE, { i: { kind: 'KEY_MODEL', keyId: key.id, model: 'gpt-4o' } }, auth.tmember);
    expect(dup.code).toBe('CONFLICT');
    expect(dup.errors![0]!.message).toContain(first.id);
    expect(await requestCount()).toBe(before);
  });

  it('bad input is refused with a typed error and nothing is stored', async () => {
    const key = await teamKey('tmember', 'T', ['gpt-4o-mini']);
    const before = await requestCount();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'KEY_MODEL', keyId: key.id }, 'BAD_USER_INPUT'],
      [{ kind: 'KEY_MODEL', model: 'gpt-4o' }, 'BAD_USER_INPUT'],
      [{ kind: 'KEY_MODEL', keyId: key.id, model: 'gpt-4o-mini' }, 'BAD_USER_INPUT'],
      [{ kind: 'KEY_LIMIT', keyId: key.id }, 'BAD_USER_INPUT'],
      [{ kind: 'KEY_LIMIT', keyId: key.id, rpmLimit: -1 }, 'BAD_USER_INPUT'],
      [{ kind: 'USER_BUDGET', maxBudget: 0 }, 'BAD_USER_INPUT'],
      [{ kind: 'TEAM_MEMBERSHIP', teamId: 'T' }, 'BAD_USER_INPUT'],
      [{ kind: 'TEAM_MEMBERSHIP', teamId: 'no-such-team' }, 'NOT_FOUND'],
      [{ kind: 'KEY_MODEL', keyId: 'no-such-key', model: 'gpt-4o' }, 'NOT_FOUND'],
      [{ kind: 'NOPE' }, 'BAD_USER_INPUT'],
      // hostile numbers and strings: out of range, not whole, wrong type, NUL, too long
      [{ kind: 'USER_BUDGET', maxBudget: 1e30 }, 'BAD_USER_INPUT'],
      [{ kind: 'USER_BUDGET', maxBudget: -5 }, 'BAD_USER_INPUT'],
      [{ kind: 'USER_BUDGET', maxBudget: 'five' }, 'BAD_USER_INPUT'],
      [{ kind: 'KEY_LIMIT', keyId: key.id, rpmLimit: 2.5 }, 'BAD_USER_INPUT'],
      [{ kind: 'KEY_LIMIT', keyId: key.id, tpmLimit: 2 ** 40 }, 'BAD_USER_INPUT'],
      [{ kind: 'KEY_MODEL', keyId: key.id, model: 'gpt\u00004o' }, 'BAD_USER_INPUT'],
      [{ kind: 'USER_BUDGET', maxBudget: 5, reason: 'x'.repeat(1001) }, 'BAD_USER_INPUT'],
      [{ kind: 'USER_BUDGET', maxBudget: 5, reason: 'needs\u0000more' }, 'BAD_USER_INPUT'],
    ];
    for (const [i, code] of cases) expect((await s.gql(CREATE, { i }, auth.tmember)).code, JSON.stringify(i)).toBe(code);
    // a key the requester may not read is unknown to them
    expect((await s.gql(CREATE, { i: { kind: 'KEY_MODEL', keyId: key.id, model: 'gpt-4o' } }, auth.solo)).code).toBe('NOT_FOUND');
    // admins decide; they do not ask
    expect((await s.gql(CREATE, { i: { kind: 'USER_BUDGET', maxBudget: 5 } })).code).toBe('FORBIDDEN');
    expect(await requestCount()).toBe(before);
  });
});

describe('expiry', () => {
  let e: TestServer;
  afterAll(() => e?.close());

  it('a request past general_settings.access_request_ttl reads EXPIRED and can no longer be decided', async () => {
    e = await startServer({ general_settings: { access_request_ttl: '1s' } });
    const secret = await userWithKey(e, { user_id: 'asker', user_role: 'internal_user' });
    const r = await e.gql(CREATE, { i: { kind: 'USER_BUDGET', maxBudget: 5 } }, secret);
    expect(r.errors).toBeUndefined();
    const id = r.data.createAccessRequest.id;
    // wait for the event this test needs: the request reading as expired
    await expect.poll(async () => (await e.gql(ONE, { id })).data.accessRequest.status, { timeout: 10_000, interval: 200 }).toBe('EXPIRED');
    const a = await e.gql(APPROVE, { id });
    expect(a.code).toBe('BAD_USER_INPUT');
    expect(a.errors![0]!.message).toMatch(/expired/);
    // an expired request no longer blocks asking again
    expect((await e.gql(CREATE, { i: { kind: 'USER_BUDGET', maxBudget: 5 } }, secret)).errors).toBeUndefined();
  });
});

describe('notices by email', () => {
  let m: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  afterAll(async () => {
    await m?.close();
    await smtp?.close();
  });

  it("mails the team's admins a new request with its link, and the requester the decision with its reason", async () => {
    smtp = await startSmtp();
    m = await startServer(
      { general_settings: { alerting: ['email'] } },
      { env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SENDER_EMAIL: 'purser@example.com' } },
    );
    expect((await m.rest('POST', '/team/new', { team_id: 'T' })).status).toBe(200);
    const boss = await userWithKey(m, { user_id: 'boss', user_role: 'internal_user', user_email: 'boss@example.com', teams: [{ team_id: 'T', role: 'admin' }] });
    const ann = await userWithKey(m, { user_id: 'ann', user_role: 'internal_user', user_email: 'ann@example.com', teams: [{ team_id: 'T', role: 'user' }] });
    const k = await m.rest('POST', '/key/generate', { user_id: 'ann', team_id: 'T', models: ['gpt-4o-mini'] });
    const r = await m.gql(CREATE, { i: { kind: 'KEY_MODEL', keyId: k.body.key_id, model: 'gpt-4o', reason: 'evals' } }, ann);
    expect(r.errors).toBeUndefined();
    const id = r.data.createAccessRequest.id;
    const toBoss = await until(() => smtp.received.find((x) => x.to.includes('boss@example.com')) ?? null, 'the admin mail');
    expect(toBoss.text).toContain('ann asks for model gpt-4o');
    expect(toBoss.text).toContain(`/ui/requests/${id}`);
    const d = await m.gql(DENY, { id, r: 'use gpt-4o-mini' }, boss);
    expect(d.errors).toBeUndefined();
    const toAnn = await until(() => smtp.received.find((x) => x.to.includes('ann@example.com')) ?? null, 'the decision mail');
    expect(toAnn.text).toContain('was denied by boss. Reason: use gpt-4o-mini');
    // a personal budget goes to the proxy_admins
    await userWithKey(m, { user_id: 'root', user_role: 'proxy_admin', user_email: 'root@example.com' });
    expect((await m.gql(CREATE, { i: { kind: 'USER_BUDGET', maxBudget: 10 } }, ann)).errors).toBeUndefined();
    const toRoot = await until(() => smtp.received.find((x) => x.to.includes('root@example.com')) ?? null, 'the proxy_admin mail');
    expect(toRoot.text).toContain('ann asks for a personal budget of 10 USD');
    expect(smtp.received.filter((x) => x.to.includes('boss@example.com'))).toHaveLength(1);
  });
});
