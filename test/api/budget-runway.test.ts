/**
 * Budget runway (issue 10): at the 7-day spend rate (the daily roll-ups of the last 7 full days
 * and today), when a budget runs out and whether before its reset, for key, team, member and
 * user budgets, on GraphQL (the limits explainer and the budget-bearing types); and the runway
 * warning, by mail to the owner (a team budget's team admins) and the alert webhook, once per
 * budget window. Spend is real gateway calls; the earlier days are roll-up rows.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, USAGE, admin, chat, flush, mintKey, sql, until, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';

const DAY = 86_400_000;
const USD = 1_000_000_000;
const FAST = { proxy_budget_rescheduler_min_time: 1, proxy_budget_rescheduler_max_time: 1 };
const RUNWAY = 'runway { status dailyRate exhaustedAt beforeReset daysLeft }';

/** The rate the server computes: spent over the 7 full UTC days before today and today so far. */
const rateOf = (spentUsd: number, now = Date.now()) => spentUsd / ((now - (Math.floor(now / DAY) * DAY - 7 * DAY)) / DAY);
const dayAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

describe('budget runway', () => {
  let s: TestServer;
  let up: FakeUpstream;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: Server;
  const posts: any[] = [];
  const runwayPosts = (id: string) => posts.filter((p) => p.event === 'budget_runway' && p.budget.id === id);
  let personal: { key: string; id: string };
  let teamKey: { key: string; id: string };

  /** an earlier day's roll-up row for a key (what the recorder would have written then) */
  const history = (day: string, keyId: string, userId: string, teamId: string, usd: number) =>
    sql(
      s,
      'insert into daily_key_spend (day, key_id, user_id, team_id, requests, successes, failures, prompt_tokens, completion_tokens, spend_nanos, cache_hits, saved_nanos, cached_completion_tokens) values (?, ?, ?, ?, 1, 1, 0, 0, 0, ?, 0, 0, 0)',
      [day, keyId, userId, teamId, Math.round(usd * USD)],
    );
  const calls = async (key: string, n: number) => {
    for (let i = 0; i < n; i++) expect((await chat(s, key, { model: 'm' })).status).toBe(200);
    await flush(s);
  };

  beforeAll(async () => {
    up = await startFakeUpstream({ usage: USAGE });
    smtp = await startSmtp();
    hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        posts.push(JSON.parse(raw));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    s = await startServer(
      {
        model_list: [upstreamModel('m', up)],
        general_settings: { alerting: ['webhook', 'email'], budget_runway_warning: '3d', ...FAST },
        environment_variables: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SENDER_EMAIL: 'purser@example.com', SMTP_TLS: 'False' },
      },
      { env: { WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` } },
    );
    await admin(s, '/team/new', { team_id: 'rt', max_budget: 5 });
    await admin(s, '/user/new', { user_id: 'rp', user_email: 'rp@example.com', user_role: 'internal_user', auto_create_key: false });
    await admin(s, '/user/new', { user_id: 'ra', user_email: 'ra@example.com', user_role: 'internal_user', auto_create_key: false });
    await admin(s, '/user/new', { user_id: 'ro', user_email: 'ro@example.com', user_role: 'internal_user', auto_create_key: false });
    await admin(s, '/team/member_add', { team_id: 'rt', member: [{ user_id: 'ra', role: 'admin' }] });
    await admin(s, '/team/member_add', { team_id: 'rt', member: [{ user_id: 'ro', role: 'user' }], max_budget_in_team: 2 });

    // a personal key: 10 USD per 30 days; 0.10 spent now, 14 USD three days ago
    personal = await mintKey(s, { user_id: 'rp', max_budget: 10, budget_duration: '30d' });
    await calls(personal.key, 2);
    await history(dayAgo(3), personal.id, 'rp', '', 14);
    // ro's key in team rt: 0.10 now, 0.50 two days ago (the team and member budgets read it)
    teamKey = await mintKey(s, { user_id: 'ro', team_id: 'rt' });
    await calls(teamKey.key, 2);
    await history(dayAgo(2), teamKey.id, 'ro', 'rt', 0.5);
  });
  afterAll(async () => {
    await s?.close();
    await up?.close();
    await smtp?.close();
    await new Promise<void>((r) => hook?.close(() => r()));
  });

  const keyQuery = (id: string) => s.gql(`{ key(id: "${id}") { ${RUNWAY} limits { caps { kind scope used limit ${RUNWAY} } } } }`);

  it('a key budget: the 7-day rate, when it runs out, before its reset; the explainer says the same', async () => {
    const spent = (2 * CALL_NANOS) / USD;
    const g = await keyQuery(personal.id);
    expect(g.errors).toBeUndefined();
    const r = g.data.key.runway;
    const rate = rateOf(14 + spent);
    expect(r.status).toBe('BEFORE_RESET');
    expect(r.beforeReset).toBe(true);
    expect(r.dailyRate).toBeCloseTo(rate, 4);
    expect(r.daysLeft).toBeCloseTo((10 - spent) / rate, 3);
    expect(Math.abs(new Date(r.exhaustedAt).getTime() - (Date.now() + ((10 - spent) / rate) * DAY))).toBeLessThan(60_000);
    // the explainer's key cap carries the same forecast; a counter cap none
    const cap = g.data.key.limits.caps.find((c: any) => c.kind === 'BUDGET' && c.scope === 'KEY');
    expect(cap.runway).toMatchObject({ status: 'BEFORE_RESET', beforeReset: true });
    expect(cap.runway.dailyRate).toBeCloseTo(rate, 4);
    expect(cap.runway.daysLeft).toBeCloseTo(r.daysLeft, 3);
    // the owner's user budget has no max: no limit, but the same rate (personal spend)
    const u = await s.gql(`{ user(id: "rp") { ${RUNWAY} } }`);
    expect(u.errors).toBeUndefined();
    expect(u.data.user.runway).toMatchObject({ status: 'NO_LIMIT', exhaustedAt: null, beforeReset: false, daysLeft: null });
    expect(u.data.user.runway.dailyRate).toBeCloseTo(rate, 4);
  });

  it('a team budget and a member budget read the team key’s spend', async () => {
    const spent = (2 * CALL_NANOS) / USD;
    const rate = rateOf(0.5 + spent);
    const g = await s.gql(`{ team(id: "rt") { ${RUNWAY} members { userId ${RUNWAY} } } }`);
    expect(g.errors).toBeUndefined();
    // no reset: it runs out at all, so before its (no) reset
    const t = g.data.team.runway;
    expect(t).toMatchObject({ status: 'BEFORE_RESET', beforeReset: true });
    expect(t.dailyRate).toBeCloseTo(rate, 4);
    expect(t.daysLeft).toBeCloseTo((5 - spent) / rate, 2);
    const m = g.data.team.members.find((x: any) => x.userId === 'ro').runway;
    expect(m).toMatchObject({ status: 'BEFORE_RESET', beforeReset: true });
    expect(m.daysLeft).toBeCloseTo((2 - spent) / rate, 2);
    // the admin spent nothing through the team
    expect(g.data.team.members.find((x: any) => x.userId === 'ra').runway).toMatchObject({ status: 'NO_LIMIT', dailyRate: 0 });
    // the key's explainer lists the team and member caps with the same forecasts
    const caps = (await keyQuery(teamKey.id)).data.key.limits.caps;
    expect(caps.find((c: any) => c.scope === 'TEAM').runway.daysLeft).toBeCloseTo(t.daysLeft, 2);
    expect(caps.find((c: any) => c.scope === 'MEMBER').runway.daysLeft).toBeCloseTo(m.daysLeft, 2);
  });

  it('no limit, no spend, not before reset', async () => {
    const unlimited = await mintKey(s, { user_id: 'rp' });
    await calls(unlimited.key, 1);
    const idle = await mintKey(s, { user_id: 'rp', max_budget: 1 });
    const lasting = await mintKey(s, { user_id: 'rp', max_budget: 1, budget_duration: '1d' });
    await calls(lasting.key, 1);
    const [a, b, c] = await Promise.all([unlimited, idle, lasting].map((k) => keyQuery(k.id)));
    expect(a.data.key.runway).toMatchObject({ status: 'NO_LIMIT', exhaustedAt: null, beforeReset: false, daysLeft: null });
    expect(a.data.key.runway.dailyRate).toBeGreaterThan(0);
    expect(b.data.key.runway).toEqual({ status: 'NO_SPEND', dailyRate: 0, exhaustedAt: null, beforeReset: false, daysLeft: null });
    expect(c.data.key.runway).toMatchObject({ status: 'NOT_BEFORE_RESET', exhaustedAt: null, beforeReset: false, daysLeft: null });
    expect(c.data.key.runway.dailyRate).toBeCloseTo(rateOf(CALL_NANOS / USD), 4);
    // none of them is warned of
    await s.running.app.gateway!.resetJob.runOnce();
    for (const k of [unlimited, idle, lasting]) expect(runwayPosts(k.id)).toEqual([]);
  });

  it('warns once per window: key owner, member, team admins; by mail and webhook; not again', async () => {
    const ticks = async (n: number) => {
      for (let i = 0; i < n; i++) await s.running.app.gateway!.resetJob.runOnce();
    };
    // nothing is due yet: the forecasts are days away
    await ticks(2);
    expect(posts.filter((p) => p.event === 'budget_runway')).toEqual([]);
    // tighter budgets bring the forecasts inside 3 days
    await admin(s, '/key/update', { key: personal.key, max_budget: 4 });
    await admin(s, '/team/update', { team_id: 'rt', max_budget: 0.25 });
    await admin(s, '/team/member_update', { team_id: 'rt', user_id: 'ro', max_budget_in_team: 0.2 });
    await until(() => runwayPosts(personal.id).length && runwayPosts('rt').length && runwayPosts('rt:ro').length, 'the three runway warnings');
    const k = runwayPosts(personal.id)[0];
    expect(k).toMatchObject({ event: 'budget_runway', budget: { type: 'key', id: personal.id }, max_budget: 4, warning: '3d' });
    expect(k.days_left).toBeGreaterThan(0);
    expect(k.days_left).toBeLessThanOrEqual(3);
    expect(k.budget_reset_at).not.toBeNull();
    expect(runwayPosts('rt')[0]).toMatchObject({ budget: { type: 'team', id: 'rt', label: 'team rt' }, max_budget: 0.25, budget_reset_at: null });
    expect(runwayPosts('rt:ro')[0]).toMatchObject({ budget: { type: 'member', id: 'rt:ro' } });
    const mailTo = (to: string, label: string) => smtp.received.filter((m) => m.to.includes(to) && m.text.includes(`the budget of ${label}`));
    await until(() => mailTo('rp@example.com', 'key').length && mailTo('ra@example.com', 'team rt').length && mailTo('ro@example.com', 'member ro').length, 'the runway mails');
    // a team budget's warning goes to its admins, not to its plain members
    expect(mailTo('ro@example.com', 'team rt')).toEqual([]);
    expect(JSON.stringify(posts)).not.toContain(personal.key);

    await ticks(3);
    expect(runwayPosts(personal.id)).toHaveLength(1);
    expect(runwayPosts('rt')).toHaveLength(1);
    expect(runwayPosts('rt:ro')).toHaveLength(1);
    expect(mailTo('ra@example.com', 'team rt')).toHaveLength(1);
  });

  it('a customer budget: own or its named budget’s max, the customer roll-up’s rate, its own window', async () => {
    const customerHistory = (day: string, customer: string, usd: number) =>
      sql(
        s,
        'insert into daily_customer_spend (day, end_user, key_id, model, user_id, team_id, requests, successes, failures, prompt_tokens, completion_tokens, spend_nanos, cache_hits, saved_nanos, cached_completion_tokens) values (?, ?, ?, ?, ?, ?, 1, 1, 0, 0, 0, ?, 0, 0, 0)',
        [day, customer, personal.id, 'm', 'rp', '', Math.round(usd * USD)],
      );
    // a named budget of 1 USD without reset; cust-own overrides its max (5 USD) and resets daily
    await admin(s, '/budget/new', { budget_id: 'tier-r', max_budget: 1 });
    await admin(s, '/customer/new', { user_id: 'cust-own', budget_id: 'tier-r', max_budget: 5, budget_duration: '1d' });
    for (let i = 0; i < 2; i++) expect((await chat(s, personal.key, { model: 'm', user: 'cust-own' })).status).toBe(200);
    await flush(s);
    await customerHistory(dayAgo(4), 'cust-own', 2);
    // bound by the named budget only, and a customer with no limit at all
    await admin(s, '/customer/new', { user_id: 'cust-tier', budget_id: 'tier-r' });
    await customerHistory(dayAgo(1), 'cust-tier', 0.7);
    await admin(s, '/customer/new', { user_id: 'cust-free' });
    await customerHistory(dayAgo(2), 'cust-free', 3);

    const q = (id: string) => s.gql(`query($id: ID!) { customer(id: $id) { spend maxBudget budgetResetAt ${RUNWAY} } }`, { id });
    const own = await q('cust-own');
    expect(own.errors).toBeUndefined();
    const spent = (2 * CALL_NANOS) / USD;
    expect(own.data.customer.spend).toBeCloseTo(spent, 6);
    const rate = rateOf(2 + spent);
    const r = own.data.customer.runway;
    // its own max counts, not the tier's; 4.9 USD at ~0.3 a day outlasts the next midnight
    expect(own.data.customer.maxBudget).toBe(5);
    expect(r).toMatchObject({ status: 'NOT_BEFORE_RESET', beforeReset: false, daysLeft: null, exhaustedAt: null });
    expect(r.dailyRate).toBeCloseTo(rate, 4);

    // the named budget bounds cust-tier: 1 USD, no reset, nothing spent in its window yet, 0.7 USD yesterday
    const tier = (await q('cust-tier')).data.customer;
    expect(tier.maxBudget).toBe(1);
    expect(tier.runway).toMatchObject({ status: 'BEFORE_RESET', beforeReset: true });
    expect(tier.runway.dailyRate).toBeCloseTo(rateOf(0.7), 4);
    expect(tier.runway.daysLeft).toBeCloseTo(1 / rateOf(0.7), 2);

    const free = (await q('cust-free')).data.customer;
    expect(free.runway).toMatchObject({ status: 'NO_LIMIT', exhaustedAt: null, beforeReset: false, daysLeft: null });
    expect(free.runway.dailyRate).toBeCloseTo(rateOf(3), 4);

    // an exhausted customer: spend at the max
    await admin(s, '/customer/update', { user_id: 'cust-tier', max_budget: 0 });
    expect((await q('cust-tier')).data.customer.runway).toMatchObject({ status: 'EXHAUSTED', daysLeft: 0, beforeReset: true });
    // the list carries the same field, for the admin viewer's dashboard
    const list = await s.gql(`{ customers(first: 100) { edges { node { id runway { status } } } } }`);
    expect(list.errors).toBeUndefined();
    expect(list.data.customers.edges.map((e: any) => [e.node.id, e.node.runway.status])).toEqual(
      expect.arrayContaining([['cust-own', r.status], ['cust-tier', 'EXHAUSTED'], ['cust-free', 'NO_LIMIT']]),
    );
  });

  it('budget_runway_warning is validated at start', async () => {
    await expect(startServer({ general_settings: { budget_runway_warning: 'soon' } })).rejects.toThrow(/budget_runway_warning/);
  });
});
