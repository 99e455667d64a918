/**
 * Pins usage over GraphQL and REST: after real calls through the gateway (official SDK,
 * priced fake-upstream and mock deployments, several users, teams and keys, cache on),
 * `usage` totals and every groupBy equal the sums of the calls made (usage the responses
 * returned × prices), `cacheAnalytics` counts the hits and saved spend, the role rules of
 * ROLES.md scope every read (own / team totals / per-member for team admins / all), the
 * LiteLLM REST reads agree with GraphQL, and bad dates are refused.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

const PRICE: Record<string, { in: number; out: number }> = { cheap: { in: 0.001, out: 0.002 }, pricey: { in: 0.01, out: 0.03 }, broken: { in: 0.001, out: 0.001 } };
const costNanos = (model: string, p: number, c: number) => Math.round((p * PRICE[model]!.in + c * PRICE[model]!.out) * 1e9);
const DIMS = ['day', 'model', 'keyId', 'userId', 'teamId'] as const;
type Dim = (typeof DIMS)[number];
const ENUM: Record<Dim, string> = { day: 'DAY', model: 'MODEL', keyId: 'KEY', userId: 'USER', teamId: 'TEAM' };

interface Call { rid: string; day: string; model: string; keyId: string; userId: string; teamId: string | null; prompt: number; completion: number; cost: number; hit: boolean; saved: number; ok: boolean }

const METRICS = `spend requests successes failures promptTokens completionTokens totalTokens cacheHits cacheSavings`;
const USAGE = `query($f: UsageFilter!, $g: [UsageGroupBy!]) { usage(filter: $f, groupBy: $g) { totals { ${METRICS} } rows { day model keyId userId teamId ${METRICS} } } }`;
const CACHE = `query($f: UsageFilter!) { cacheAnalytics(filter: $f) { hitRatio cacheHits upstreamCalls savedSpend cachedCompletionTokens
  days { day cacheHits upstreamCalls savedSpend } byKey { keyId keyAlias cacheHits upstreamCalls savedSpend } byModel { model cacheHits upstreamCalls savedSpend } } }`;
const LOGS = `query($f: SpendLogFilter, $first: Int) { spendLogs(filter: $f, first: $first) { totalCount edges { node { requestId keyId userId teamId model spend cacheHit savedSpend status startTime promptTokens completionTokens } } } }`;

/** The metrics a set of calls should add up to (money summed in nano-dollars, as inside). */
function expected(calls: Call[]) {
  const sum = (f: (c: Call) => number) => calls.reduce((a, c) => a + f(c), 0);
  const prompt = sum((c) => c.prompt);
  const completion = sum((c) => c.completion);
  return {
    spend: sum((c) => c.cost) / 1e9, requests: calls.length, successes: sum((c) => +c.ok), failures: sum((c) => +!c.ok),
    promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion,
    cacheHits: sum((c) => +c.hit), cacheSavings: sum((c) => c.saved) / 1e9,
  };
}
function expectedRows(calls: Call[], dims: Dim[]) {
  const groups = new Map<string, Call[]>();
  for (const c of calls) {
    const k = JSON.stringify(dims.map((d) => c[d]));
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return new Map([...groups].map(([k, cs]) => [k, expected(cs)]));
}
const rowsByDims = (rows: any[], dims: Dim[]) =>
  new Map(rows.map((r) => [JSON.stringify(dims.map((d) => r[d])), Object.fromEntries(METRICS.split(' ').map((m) => [m, r[m]]))]));

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const RANGE = { from: day(-1), to: day(1) };

let s: TestServer;
let up: FakeUpstream;
let broken: FakeUpstream;
const calls: Call[] = [];
const auth: Record<string, string> = {}; // user → management key
const keys: Record<string, { id: string; secret: string; userId: string; teamId: string | null }> = {};

async function gql(query: string, vars: Record<string, unknown>, as?: string) {
  return s.gql(query, vars, as ? auth[as] : undefined);
}
async function ok(query: string, vars: Record<string, unknown>, as?: string) {
  const r = await gql(query, vars, as);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data;
}

async function call(label: string, model: string, content: string, hit = false) {
  const k = keys[label]!;
  const client = new OpenAI({ apiKey: k.secret, baseURL: `${s.url}/v1`, maxRetries: 0 });
  const base = { rid: '', day: '', model, keyId: k.id, userId: k.userId, teamId: k.teamId, hit, saved: 0 };
  try {
    const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse();
    const p = data.usage!.prompt_tokens;
    const c = data.usage!.completion_tokens;
    const price = costNanos(model, p, c);
    calls.push({ ...base, rid: response.headers.get('x-litellm-call-id')!, prompt: p, completion: c, cost: hit ? 0 : price, saved: hit ? price : 0, ok: true });
  } catch (e) {
    const err = e as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(400);
    calls.push({ ...base, rid: err.headers!.get('x-litellm-call-id')!, prompt: 0, completion: 0, cost: 0, ok: false });
  }
}

beforeAll(async () => {
  up = await startFakeUpstream({ text: 'A fairly short answer from upstream.' });
  broken = await startFakeUpstream({ failWith: 400 });
  const info = (m: string) => ({ input_cost_per_token: PRICE[m]!.in, output_cost_per_token: PRICE[m]!.out });
  s = await startServer({
    model_list: [
      { model_name: 'cheap', litellm_params: { model: 'openai/gpt-4o-mini', api_base: up.base, api_key: 'sk-up' }, model_info: info('cheap') },
      { model_name: 'pricey', litellm_params: { model: 'openai/big', mock_response: 'A mocked, priced answer.' }, model_info: info('pricey') },
      { model_name: 'broken', litellm_params: { model: 'openai/x', api_base: broken.base, api_key: 'sk-up' }, model_info: info('broken') },
    ],
    litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600 } },
  });
  for (const t of ['T', 'F']) expect((await s.rest('POST', '/team/new', { team_id: t })).status).toBe(200);
  const people: Array<[string, string, Array<{ team_id: string; role: string }>]> = [
    ['solo', 'internal_user', []], ['ta', 'internal_user', [{ team_id: 'T', role: 'admin' }]],
    ['tm', 'internal_user', [{ team_id: 'T', role: 'user' }]], ['fm', 'internal_user', [{ team_id: 'F', role: 'user' }]],
    ['pv', 'proxy_admin_viewer', []],
  ];
  for (const [user_id, user_role, teams] of people) auth[user_id] = await userWithKey(s, { user_id, user_role, teams });
  for (const [label, userId, teamId] of [['kS', 'solo', null], ['kTA', 'ta', 'T'], ['kTM', 'tm', 'T'], ['kTMp', 'tm', null], ['kF', 'fm', 'F']] as const) {
    const d = await ok(`mutation($u: ID, $t: ID, $a: String) { generateKey(input: { userId: $u, teamId: $t, keyAlias: $a }) { secret key { id } } }`, { u: userId, t: teamId, a: `alias-${label}` });
    keys[label] = { id: d.generateKey.key.id, secret: d.generateKey.secret, userId, teamId };
  }
  await call('kS', 'cheap', 'solo asks one thing');
  await call('kS', 'cheap', 'solo asks a second, longer question about the weather');
  await call('kS', 'pricey', 'solo asks the pricey model');
  await call('kTA', 'cheap', 'team admin asks');
  await call('kTA', 'pricey', 'team admin asks the pricey model');
  await call('kTA', 'broken', 'this one fails upstream');
  await call('kTM', 'cheap', 'member asks something');
  await call('kTM', 'cheap', 'member asks something else entirely');
  await call('kTM', 'cheap', 'member asks something', true); // same body: a cache hit
  await call('kTMp', 'pricey', 'member on a personal key');
  await call('kF', 'cheap', 'team F asks');
  await call('kF', 'cheap', 'team F asks', true); // the same body within the team's cache scope: a hit
  await s.running.app.gateway!.recorder.flush();
  // the day of each call, as recorded
  const logs = await ok(LOGS, { first: 50 });
  expect(logs.spendLogs.totalCount).toBe(calls.length);
  const byId = new Map(logs.spendLogs.edges.map((e: any) => [e.node.requestId, e.node]));
  for (const c of calls) {
    const l: any = byId.get(c.rid);
    expect(l, c.rid).toBeDefined();
    expect([l.cacheHit, l.spend, l.savedSpend, l.promptTokens, l.completionTokens]).toEqual([c.hit, c.cost / 1e9, c.saved / 1e9, c.prompt, c.completion]);
    c.day = l.startTime.slice(0, 10);
  }
}, 60_000);
afterAll(async () => {
  await s?.close();
  await up?.close();
  await broken?.close();
});

describe('usage equals the sums of the calls made', () => {
  const GROUPINGS: Dim[][] = [[], ['day'], ['model'], ['keyId'], ['userId'], ['teamId'], ['day', 'model'], ['keyId', 'model'], ['userId', 'teamId', 'model'], ['day', 'keyId', 'userId', 'teamId', 'model']];
  it.each(GROUPINGS.map((g) => [g.join('+') || 'none', g] as const))('groupBy %s (admin)', async (_name, dims) => {
    const d = await ok(USAGE, { f: RANGE, g: dims.map((x) => ENUM[x]) });
    expect(d.usage.totals).toEqual(expected(calls));
    if (!dims.length) return expect(d.usage.rows).toEqual([]);
    expect(rowsByDims(d.usage.rows, dims)).toEqual(expectedRows(calls, dims));
    for (const r of d.usage.rows) for (const x of DIMS.filter((y) => !dims.includes(y))) expect(r[x]).toBeNull();
  });

  it('filters by team, user, key and model; a range without calls is zero', async () => {
    const cases: Array<[Record<string, string>, (c: Call) => boolean]> = [
      [{ teamId: 'T' }, (c) => c.teamId === 'T'],
      [{ userId: 'tm' }, (c) => c.userId === 'tm'],
      [{ keyId: keys.kS!.id }, (c) => c.keyId === keys.kS!.id],
      [{ model: 'pricey' }, (c) => c.model === 'pricey'],
      [{ teamId: 'T', model: 'cheap' }, (c) => c.teamId === 'T' && c.model === 'cheap'],
    ];
    for (const [f, pick] of cases) {
      const d = await ok(USAGE, { f: { ...RANGE, ...f }, g: ['USER'] });
      expect(d.usage.totals, JSON.stringify(f)).toEqual(expected(calls.filter(pick)));
      expect(rowsByDims(d.usage.rows, ['userId'])).toEqual(expectedRows(calls.filter(pick), ['userId']));
    }
    const none = await ok(USAGE, { f: { from: '2001-01-01', to: '2001-01-31' } });
    expect(none.usage.totals).toEqual(expected([]));
    const leapYear = await ok(USAGE, { f: { from: '2024-01-01', to: '2024-12-31' } }); // 366 days: the most allowed
    expect(leapYear.usage.totals.requests).toBe(0);
  });

  it('cacheAnalytics counts hits, upstream calls and saved spend, per day, key and model', async () => {
    const d = (await ok(CACHE, { f: RANGE })).cacheAnalytics;
    const hits = calls.filter((c) => c.hit);
    expect(hits).toHaveLength(2);
    const fig = (cs: Call[]) => ({ cacheHits: cs.filter((c) => c.hit).length, upstreamCalls: cs.filter((c) => !c.hit).length, savedSpend: cs.reduce((a, c) => a + c.saved, 0) / 1e9 });
    expect({ cacheHits: d.cacheHits, upstreamCalls: d.upstreamCalls, savedSpend: d.savedSpend }).toEqual(fig(calls));
    expect(d.hitRatio).toBeCloseTo(2 / calls.length, 10);
    expect(d.cachedCompletionTokens).toBe(hits.reduce((a, c) => a + c.completion, 0));
    const by = (dim: Dim) => new Map([...expectedRows(calls, [dim]).keys()].map((k) => [JSON.parse(k)[0], fig(calls.filter((c) => c[dim] === JSON.parse(k)[0]))]));
    const strip = (rows: any[], dim: string) => new Map(rows.map(({ [dim]: k, keyAlias: _a, ...rest }) => [k, rest]));
    expect(strip(d.days, 'day')).toEqual(by('day'));
    expect(strip(d.byModel, 'model')).toEqual(by('model'));
    expect(strip(d.byKey, 'keyId')).toEqual(by('keyId'));
    expect(d.byKey.find((k: any) => k.keyId === keys.kF!.id).keyAlias).toBe('alias-kF');
  });
});

describe('every read is scoped by role', () => {
  const totals = async (as: string, f: Record<string, unknown> = {}, g: string[] = []) => gql(USAGE, { f: { ...RANGE, ...f }, g }, as);

  it('an internal user reads only own usage; other users and foreign or unknown teams are refused alike', async () => {
    const own = await totals('solo', {}, ['KEY']);
    expect(own.data.usage.totals).toEqual(expected(calls.filter((c) => c.userId === 'solo')));
    expect((await totals('tm')).data.usage.totals).toEqual(expected(calls.filter((c) => c.userId === 'tm'))); // personal + team keys
    const other = await totals('solo', { userId: 'ta' });
    expect(other.code).toBe('FORBIDDEN');
    const foreign = await totals('solo', { teamId: 'T' });
    const unknown = await totals('solo', { teamId: 'no-such-team' });
    expect([foreign.code, unknown.code]).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(unknown.errors![0]!.message).toBe(foreign.errors![0]!.message);
    expect((await gql(CACHE, { f: RANGE }, 'solo')).data.cacheAnalytics.cacheHits).toBe(0);
    const logs = await gql(LOGS, { first: 50 }, 'solo');
    expect(logs.data.spendLogs.edges.map((e: any) => e.node.requestId).sort()).toEqual(calls.filter((c) => c.userId === 'solo').map((c) => c.rid).sort());
  });

  it('a team member sees team totals but no per-member breakdown, and only own spend log rows', async () => {
    const inT = calls.filter((c) => c.teamId === 'T');
    const t = await totals('tm', { teamId: 'T' }, ['DAY', 'MODEL', 'TEAM']);
    expect(t.data.usage.totals).toEqual(expected(inT));
    expect(rowsByDims(t.data.usage.rows, ['day', 'model', 'teamId'])).toEqual(expectedRows(inT, ['day', 'model', 'teamId']));
    for (const [f, g] of [[{ teamId: 'T' }, ['USER']], [{ teamId: 'T' }, ['KEY']], [{ teamId: 'T', userId: 'ta' }, []], [{ teamId: 'T', keyId: keys.kTA!.id }, []]] as const) {
      const r = await totals('tm', f, [...g]);
      expect(r.code, JSON.stringify([f, g])).toBe('FORBIDDEN');
      expect(r.errors![0]!.message).toMatch(/break usage down by member/);
    }
    const mine = await totals('tm', { teamId: 'T', userId: 'tm' }, ['KEY']);
    expect(mine.data.usage.totals).toEqual(expected(inT.filter((c) => c.userId === 'tm')));
    const cache = (await gql(CACHE, { f: { ...RANGE, teamId: 'T' } }, 'tm')).data.cacheAnalytics;
    expect(cache.cacheHits).toBe(inT.filter((c) => c.hit).length);
    expect(cache.byKey.map((k: any) => k.keyId)).toEqual([keys.kTM!.id]);
    const logs = await gql(LOGS, { f: { teamId: 'T' }, first: 50 }, 'tm');
    expect(logs.data.spendLogs.edges.map((e: any) => e.node.userId)).toEqual(inT.filter((c) => c.userId === 'tm').map(() => 'tm'));
  });

  it('a team admin gets the per-member breakdown and every spend log row of the team', async () => {
    const inT = calls.filter((c) => c.teamId === 'T');
    const r = await totals('ta', { teamId: 'T' }, ['USER', 'KEY']);
    expect(rowsByDims(r.data.usage.rows, ['userId', 'keyId'])).toEqual(expectedRows(inT, ['userId', 'keyId']));
    expect((await totals('ta', { teamId: 'T', userId: 'tm' })).data.usage.totals).toEqual(expected(inT.filter((c) => c.userId === 'tm')));
    expect((await totals('ta', { teamId: 'F' })).code).toBe('FORBIDDEN');
    const logs = await gql(LOGS, { f: { teamId: 'T' }, first: 50 }, 'ta');
    expect(logs.data.spendLogs.totalCount).toBe(inT.length);
  });

  it('a viewer admin sees everything', async () => {
    const r = await totals('pv', {}, ['USER']);
    expect(r.data.usage.totals).toEqual(expected(calls));
    expect(rowsByDims(r.data.usage.rows, ['userId'])).toEqual(expectedRows(calls, ['userId']));
    expect((await totals('pv', { teamId: 'F' }, ['KEY'])).data.usage.totals).toEqual(expected(calls.filter((c) => c.teamId === 'F')));
  });
});

describe('REST reads agree with GraphQL', () => {
  const q = `start_date=${RANGE.from}&end_date=${RANGE.to}`;

  it('GET /spend/logs: LiteLLM rows, scoped, filtered by key and paged', async () => {
    const all = await s.rest('GET', `/spend/logs?${q}`);
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(calls.length);
    const hit = all.body.find((r: any) => r.request_id === calls.find((c) => c.hit)!.rid);
    expect(hit).toMatchObject({ cache_hit: 'True', spend: 0, status: 'success', user: 'tm', team_id: 'T' });
    expect(hit.api_key).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(hit)).toEqual(expect.arrayContaining(['total_tokens', 'prompt_tokens', 'completion_tokens', 'startTime', 'endTime', 'model', 'end_user', 'request_duration_ms']));
    const solo = await s.rest('GET', `/spend/logs?${q}`, undefined, auth.solo);
    expect(solo.body.map((r: any) => r.request_id).sort()).toEqual(calls.filter((c) => c.userId === 'solo').map((c) => c.rid).sort());
    const byKey = await s.rest('GET', `/spend/logs?api_key=${keys.kF!.secret}`);
    expect(byKey.body.map((r: any) => r.request_id).sort()).toEqual(calls.filter((c) => c.keyId === keys.kF!.id).map((c) => c.rid).sort());
    const page2 = await s.rest('GET', `/spend/logs?${q}&page=2&page_size=5`);
    expect(page2.body.map((r: any) => r.request_id)).toEqual(all.body.slice(5, 10).map((r: any) => r.request_id));
    expect((await s.rest('GET', `/spend/logs?page_size=1001`)).status).toBe(400);
  });

  it('GET /global/activity/cache_hits: LiteLLM new shape, scoped by role', async () => {
    const r = await s.rest('GET', `/global/activity/cache_hits?${q}`);
    expect(r.status).toBe(200);
    const gq = (await ok(CACHE, { f: RANGE })).cacheAnalytics;
    const failed = calls.filter((c) => !c.ok).length;
    expect(r.body.totals).toMatchObject({ cache_hits: gq.cacheHits, failed_requests: failed, api_requests: gq.upstreamCalls - failed });
    expect(r.body.totals.cache_hit_ratio).toBeCloseTo(gq.hitRatio * 100, 10);
    expect(r.body.groups[0]).toMatchObject({ cache_hits: 2, cached_completion_tokens: gq.cachedCompletionTokens });
    expect(r.body.filter_options.models).toEqual(['broken', 'cheap', 'pricey']);
    expect(r.body.filter_options.key_aliases).toEqual(Object.keys(keys).map((k) => `alias-${k}`).sort());
    const solo = await s.rest('GET', `/global/activity/cache_hits?${q}`, undefined, auth.solo);
    expect(solo.body.totals.cache_hits).toBe(0);
    expect(solo.body.filter_options.key_aliases).toEqual(['alias-kS']);
  });

  it('GET /user/daily/activity and /team/daily/activity match usage for the same caller', async () => {
    for (const who of ['solo', 'tm']) {
      const r = await s.rest('GET', `/user/daily/activity?${q}`, undefined, auth[who]);
      expect(r.status).toBe(200);
      const g = (await ok(USAGE, { f: RANGE, g: ['DAY'] }, who)).usage;
      expect(r.body.metadata).toMatchObject({ total_spend: g.totals.spend, total_api_requests: g.totals.requests, total_tokens: g.totals.totalTokens, total_failed_requests: g.totals.failures, page: 1, has_more: false });
      expect(r.body.results.map((x: any) => [x.date, x.metrics.spend, x.metrics.api_requests])).toEqual(g.rows.map((x: any) => [x.day, x.spend, x.requests]));
    }
    const team = await s.rest('GET', `/team/daily/activity?team_ids=T&${q}`, undefined, auth.tm);
    const g = (await ok(USAGE, { f: { ...RANGE, teamId: 'T' }, g: ['MODEL'] }, 'tm')).usage;
    expect(team.body.metadata.total_spend).toBe(g.totals.spend);
    const models: Record<string, number> = {};
    const apiKeys = new Set<string>();
    for (const x of team.body.results) {
      for (const [m, v] of Object.entries<any>(x.breakdown.models)) models[m] = (models[m] ?? 0) + v.metrics.api_requests;
      for (const v of Object.values<any>(x.breakdown.api_keys)) apiKeys.add(v.metadata.key_id);
    }
    expect(models).toEqual(Object.fromEntries(g.rows.map((x: any) => [x.model, x.requests])));
    expect([...apiKeys]).toEqual([keys.kTM!.id]); // a member's key breakdown: own keys only
    const admin = await s.rest('GET', `/team/daily/activity?team_ids=T&${q}`, undefined, auth.ta);
    expect(new Set(admin.body.results.flatMap((x: any) => Object.values<any>(x.breakdown.api_keys).map((v) => v.metadata.key_id)))).toEqual(new Set([keys.kTA!.id, keys.kTM!.id]));
    expect((await s.rest('GET', `/team/daily/activity?team_ids=T&${q}`, undefined, auth.solo)).status).toBe(403);
  });
});

describe('bad dates are refused', () => {
  it.each([
    [{ from: '2025-13-01', to: '2025-12-31' }, /from/],
    [{ from: '2025-02-30', to: '2025-03-01' }, /calendar date/],
    [{ from: '2025-03-02', to: '2025-03-01' }, /before/],
    [{ from: '2023-01-01', to: '2024-01-02' }, /367 days/],
  ])('GraphQL usage %j → BAD_USER_INPUT', async (f, msg) => {
    const r = await gql(USAGE, { f }, undefined);
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.message).toMatch(msg);
    expect((await gql(CACHE, { f })).code).toBe('BAD_USER_INPUT');
  });

  it.each(['/global/activity/cache_hits', '/user/daily/activity', '/team/daily/activity?team_ids=T&x=1'])('REST %s: missing or bad dates → 400', async (path) => {
    const sep = path.includes('?') ? '&' : '?';
    const missing = await s.rest('GET', path);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/start_date and end_date are required/);
    const bad = await s.rest('GET', `${path}${sep}start_date=2025-01-01&end_date=01/02/2025`);
    expect([bad.status, bad.body.error.param]).toEqual([400, 'end_date']);
  });
});

/*
 * Weekly roll-ups: a range holding whole UTC ISO weeks (Monday…Sunday) reads those weeks from
 * the weekly tables and only the days around them from the daily ones (added, or taken away
 * from a partial week read whole). Rows recorded in the
 * past (synthetic keys, users and teams, so the reads above are untouched) fall on head days,
 * on both edges of two whole weeks and on tail days, plus one day either side of the range.
 */
describe('usage over whole weeks equals the daily roll-ups', () => {
  const FROM = '2025-03-05'; // a Wednesday: head 03-05…03-09, weeks of 03-10 and 03-17, tail 03-24…03-25
  const TO = '2025-03-25';
  const past: Call[] = [];

  beforeAll(async () => {
    const days = ['2025-03-04', '2025-03-05', '2025-03-09', '2025-03-10', '2025-03-12', '2025-03-16', '2025-03-17', '2025-03-23', '2025-03-24', '2025-03-25', '2025-03-26'];
    // key ids are UUIDs as real ones are (a uuid column on PostgreSQL)
    const kid = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    const who = [[kid(1), 'wk-u1', 'wk-t1'], [kid(2), 'wk-u1', null], [kid(3), 'wk-u2', 'wk-t1'], [kid(4), 'wk-u3', 'wk-t2']] as const;
    let n = 0;
    for (const [i, d] of days.entries())
      for (const [j, [keyId, userId, teamId]] of who.entries()) {
        if ((i + j) % 3 === 2) continue; // not every key every day
        for (const model of (i + j) % 2 ? ['cheap', 'pricey'] : ['pricey']) {
          n++;
          const ok = n % 7 !== 0;
          const hit = ok && n % 5 === 0;
          const prompt = ok ? 10 + n : 0;
          const completion = ok ? 3 + (n % 11) : 0;
          const price = costNanos(model, prompt, completion);
          // the first and last instant of the day: a Sunday's last row stays in its week
          const start = new Date(Date.parse(`${d}T00:00:00Z`) + (n % 2 ? 86_400_000 - 1 : 0));
          const c: Call = { rid: `wk-${n}`, day: d, model, keyId, userId, teamId, prompt, completion, cost: ok && !hit ? price : 0, hit, saved: hit ? price : 0, ok };
          past.push(c);
          s.running.app.gateway!.recorder.record({
            requestId: c.rid, keyToken: `tok-${keyId}`, keyId, userId, teamId, model, deployment: null, callType: 'chat', promptTokens: prompt, completionTokens: completion,
            costNanos: c.cost, cacheHit: hit, savedNanos: c.saved, cachedPromptTokens: 0, cacheWriteTokens: 0, promptCacheSavedNanos: 0, status: ok ? 'success' : 'failure', httpStatus: ok ? 200 : 500, error: ok ? null : 'upstream error',
            estimated: false, unpriced: false, startTime: start, endTime: new Date(start.getTime() + (n % 2 ? 0 : 5)), endUser: null, request: null, response: null, budgets: [], userWindow: null,
          });
        }
      }
    await s.running.app.gateway!.recorder.flush();
  });

  /** rows of a DAY+… grouping (daily tables only) summed over the days, keyed like rowsByDims */
  function fromDaily(rows: any[], dims: Dim[]) {
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) {
      const k = JSON.stringify(dims.map((d) => r[d]));
      const acc = out.get(k) ?? Object.fromEntries(METRICS.split(' ').map((m) => [m, 0]));
      for (const m of METRICS.split(' ')) acc[m] = Math.round((acc[m]! + r[m]) * 1e9) / 1e9;
      out.set(k, acc);
    }
    return out;
  }

  // head and tail days; exactly two weeks; one week and a day either side; partial weeks read as
  // the whole week less the days outside (03-10 and 03-16 hold rows that must be taken away)
  it.each([[FROM, TO], ['2025-03-10', '2025-03-23'], ['2025-03-09', '2025-03-17'], ['2025-03-04', '2025-03-26'], ['2025-03-11', '2025-03-25'], ['2025-03-11', '2025-03-15']])('%s … %s: KEY, USER, KEY+MODEL and totals', async (from, to) => {
    const inRange = past.filter((c) => c.day >= from && c.day <= to);
    for (const dims of [['keyId'], ['userId'], ['keyId', 'model'], ['teamId']] as Dim[][]) {
      const d = (await ok(USAGE, { f: { from, to }, g: dims.map((x) => ENUM[x]) })).usage;
      expect(d.totals).toEqual(expected(inRange));
      expect(rowsByDims(d.rows, dims)).toEqual(expectedRows(inRange, dims));
      const daily = (await ok(USAGE, { f: { from, to }, g: ['DAY', ...dims.map((x) => ENUM[x])] })).usage;
      expect(rowsByDims(d.rows, dims)).toEqual(fromDaily(daily.rows, dims));
    }
    const totals = (await ok(USAGE, { f: { from, to } })).usage.totals;
    expect(totals).toEqual(expected(inRange));
    const filtered = (await ok(USAGE, { f: { from, to, userId: 'wk-u1', model: 'pricey' }, g: ['KEY'] })).usage;
    const pick = inRange.filter((c) => c.userId === 'wk-u1' && c.model === 'pricey');
    expect(rowsByDims(filtered.rows, ['keyId'])).toEqual(expectedRows(pick, ['keyId']));
    const cache = (await ok(CACHE, { f: { from, to } })).cacheAnalytics;
    expect(new Map(cache.byKey.map((k: any) => [k.keyId, [k.cacheHits, k.upstreamCalls]]))).toEqual(
      new Map([...new Set(inRange.map((c) => c.keyId))].map((k) => [k, [inRange.filter((c) => c.keyId === k && c.hit).length, inRange.filter((c) => c.keyId === k && !c.hit).length]])),
    );
  });
});
