/**
 * Issue 11, "Customer (end-user) budgets": LiteLLM's /customer/* (and /end_user/*) and
 * /budget/* routes with the bodies its documentation sends, bad input refused without a
 * change, the role map (admins manage, admin viewers read, internal users nothing), and the
 * gateway: the `user` of a call names the customer, which is created on first sight, counted,
 * bounded by its own or its named budget (and rpm), refused with LiteLLM's errors when blocked
 * or over budget, reset on its duration, and grouped by in usage and the spend report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { bearer, chat, flush, freshRateWindow, post, sql, sqlTime, upstreamModel, USAGE } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { MASTER_KEY, startServer, userWithKey, type TestServer } from '../helpers/server.js';

const today = new Date().toISOString().slice(0, 10);

describe('LiteLLM customer and budget routes', () => {
  let s: TestServer;
  let viewerKey: string;
  let internalKey: string;
  beforeAll(async () => {
    s = await startServer({ model_list: [{ model_name: 'm', litellm_params: { model: 'mock/m', mock_response: 'ok' } }] });
    viewerKey = await userWithKey(s, { user_id: 'viewer', user_role: 'proxy_admin_viewer' });
    internalKey = await userWithKey(s, { user_id: 'iu', user_role: 'internal_user' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('runs the documented flow: a tier, customers with an inline budget or the tier, info, list, update, delete', async () => {
    // docs/proxy/customers.md, as written (max_budget as a string included)
    const tier = await s.rest('POST', '/budget/new', { budget_id: 'my-free-tier', max_budget: 4 });
    expect(tier.status).toBe(200);
    expect(tier.body).toMatchObject({ budget_id: 'my-free-tier', max_budget: 4, budget_duration: null, tpm_limit: null, rpm_limit: null });

    const inline = await s.rest('POST', '/customer/new', { user_id: 'my-customer-id', max_budget: '0' });
    expect(inline.status).toBe(200);
    expect(inline.body).toMatchObject({ user_id: 'my-customer-id', blocked: false, alias: null, spend: 0, budget_id: null, litellm_budget_table: { max_budget: 0 } });

    const onTier = await s.rest('POST', '/customer/new', { user_id: 'tier-customer', budget_id: 'my-free-tier', alias: 'Acme' });
    expect(onTier.status).toBe(200);
    expect(onTier.body).toMatchObject({ user_id: 'tier-customer', alias: 'Acme', budget_id: 'my-free-tier', litellm_budget_table: { budget_id: 'my-free-tier', max_budget: 4 } });

    // the older names
    expect((await s.rest('POST', '/end_user/new', { user_id: 'old-name' })).body).toMatchObject({ user_id: 'old-name', litellm_budget_table: null });

    const info = await s.rest('GET', '/customer/info?end_user_id=tier-customer');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ user_id: 'tier-customer', spend: 0, blocked: false, allowed_model_region: null, default_model: null });
    expect((await s.rest('GET', '/customer/info?end_user_id=nobody')).body.error.message).toBe('End User Id=nobody does not exist in db');

    const list = await s.rest('GET', '/customer/list');
    expect(list.status).toBe(200);
    expect(list.body.map((c: any) => c.user_id)).toEqual(expect.arrayContaining(['my-customer-id', 'tier-customer', 'old-name']));

    // update: re-bind to another tier, own duration and rpm, block; region and default model kept
    await s.rest('POST', '/budget/new', { budget_id: 'paid_tier', max_budget: 100, budget_duration: '30d', rpm_limit: 60 });
    const upd = await s.rest('POST', '/customer/update', { user_id: 'tier-customer', budget_id: 'paid_tier', blocked: true, allowed_model_region: 'eu', default_model: 'm' });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ blocked: true, budget_id: 'paid_tier', allowed_model_region: 'eu', default_model: 'm', litellm_budget_table: { max_budget: 100, budget_duration: '30d', rpm_limit: 60 } });
    expect(Date.parse(upd.body.litellm_budget_table.budget_reset_at)).toBeGreaterThan(Date.now());

    const binfo = await s.rest('POST', '/budget/info', { budgets: ['my-free-tier', 'paid_tier'] });
    expect(binfo.body.map((b: any) => [b.budget_id, b.max_budget])).toEqual([['my-free-tier', 4], ['paid_tier', 100]]);
    expect((await s.rest('GET', '/budget/list')).body.map((b: any) => b.budget_id)).toEqual(['my-free-tier', 'paid_tier']);
    expect((await s.rest('POST', '/budget/update', { budget_id: 'my-free-tier', max_budget: 5 })).body.max_budget).toBe(5);

    // a referenced budget is kept; an unused one goes
    expect((await s.rest('POST', '/budget/delete', { id: 'paid_tier' })).status).toBe(409);
    expect((await s.rest('POST', '/budget/new', { budget_id: 'spare' })).status).toBe(200);
    expect((await s.rest('POST', '/budget/delete', { id: 'spare' })).status).toBe(200);

    const del = await s.rest('POST', '/customer/delete', { user_ids: ['old-name'] });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ deleted_customers: 1 });
    expect((await s.rest('GET', '/customer/info?end_user_id=old-name')).status).toBe(404);
    const missing = await s.rest('POST', '/customer/delete', { user_ids: ['my-customer-id', 'ghost'] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('End User Id(s)=ghost do not exist in db');
    // every id or none
    expect((await s.rest('GET', '/customer/info?end_user_id=my-customer-id')).status).toBe(200);
  });

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const count = async () => (await sql(s, 'select count(*) as n from customers'))[0].n as number;
    const budgets = async () => (await sql(s, 'select count(*) as n from budgets'))[0].n as number;
    await s.rest('POST', '/customer/new', { user_id: 'dup' });
    const [c0, b0] = [await count(), await budgets()];

    const dup = await s.rest('POST', '/customer/new', { user_id: 'dup' });
    expect(dup.status).toBe(400);
    expect(dup.body.error).toMatchObject({ message: 'Customer already exists, passed user_id=dup. Please pass a new user_id.', param: 'user_id' });

    const cases: Array<[string, unknown, RegExp]> = [
      ['/customer/new', { user_id: 'neg', max_budget: -1 }, /max_budget cannot be negative/],
      ['/customer/new', { user_id: 'word', max_budget: 'lots' }, /max_budget.*number of USD/],
      ['/customer/new', { user_id: 'unknown-tier', budget_id: 'no-such-tier' }, /budget_id no-such-tier does not exist/],
      ['/customer/new', { user_id: 'bad\u0007id' }, /user_id contains control characters/],
      ['/customer/new', { user_id: 'x'.repeat(256) }, /user_id is too long/],
      ['/customer/new', {}, /user_id must be a string/],
      ['/customer/new', { user_id: 'dur', budget_duration: 'monthly' }, /budget_duration/],
      ['/customer/new', { user_id: 'rpm', rpm_limit: 1.5 }, /rpm_limit/],
      ['/customer/new', { user_id: 'region', allowed_model_region: 'mars' }, /allowed_model_region must be "eu" or "us"/],
      ['/customer/new', { user_id: 'dm', default_model: 'not-configured' }, /default_model not-configured is not a configured model/],
      ['/customer/update', { user_id: 'dup', max_budget: -5 }, /max_budget cannot be negative/],
      ['/budget/new', { budget_id: 'neg', max_budget: -1 }, /max_budget cannot be negative/],
      ['/budget/new', { budget_id: 'my-free-tier' }, /already exists/],
      ['/budget/update', { budget_id: 'ghost', max_budget: 1 }, /ghost not found/],
    ];
    for (const [path, body, message] of cases) {
      const r = await s.rest('POST', path, body);
      expect(r.status, `${path} ${JSON.stringify(body).slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.error.message, JSON.stringify(body).slice(0, 60)).toMatch(message);
    }
    // a non-finite budget (JSON 1e999 reads as Infinity)
    const inf = await post(s, '/customer/new', '{"user_id":"inf","max_budget":1e999}', bearer(MASTER_KEY));
    expect(inf.status).toBe(400);
    expect(inf.body.error.message).toMatch(/max_budget.*finite/);
    const infBudget = await post(s, '/budget/new', '{"budget_id":"inf","max_budget":1e999}', bearer(MASTER_KEY));
    expect(infBudget.status).toBe(400);

    expect([await count(), await budgets()]).toEqual([c0, b0]);
    expect((await s.rest('GET', '/customer/info?end_user_id=dup')).body.litellm_budget_table).toBeNull();
  });

  it('admins manage, admin viewers read, internal users get 403', async () => {
    expect((await s.rest('GET', '/customer/list', undefined, viewerKey)).status).toBe(200);
    expect((await s.rest('GET', '/customer/info?end_user_id=dup', undefined, viewerKey)).status).toBe(200);
    expect((await s.rest('GET', '/budget/list', undefined, viewerKey)).status).toBe(200);
    expect((await s.rest('GET', `/customer/daily/activity?start_date=${today}&end_date=${today}`, undefined, viewerKey)).status).toBe(200);
    expect((await s.rest('POST', '/customer/new', { user_id: 'by-viewer' }, viewerKey)).status).toBe(403);
    expect((await s.rest('POST', '/budget/new', { budget_id: 'by-viewer' }, viewerKey)).status).toBe(403);
    for (const [method, path, body] of [
      ['GET', '/customer/list', undefined],
      ['GET', '/customer/info?end_user_id=dup', undefined],
      ['POST', '/customer/new', { user_id: 'by-iu' }],
      ['POST', '/customer/update', { user_id: 'dup', blocked: true }],
      ['POST', '/customer/delete', { user_ids: ['dup'] }],
      ['POST', '/budget/new', { budget_id: 'by-iu' }],
      ['POST', '/budget/info', { budgets: ['my-free-tier'] }],
      ['GET', `/customer/daily/activity?start_date=${today}&end_date=${today}`, undefined],
    ] as const)
      expect((await s.rest(method, path, body, internalKey)).status, path).toBe(403);
    const g = await s.gql(`{ customers { totalCount } }`, {}, internalKey);
    expect(g.code).toBe('FORBIDDEN');
    expect((await s.gql(`{ customers { totalCount edges { node { id spend } } } }`, {}, viewerKey)).data.customers.totalCount).toBeGreaterThan(0);
    expect((await s.rest('GET', '/customer/info?end_user_id=dup')).body.blocked).toBe(false);
  });

  it('GraphQL creates, reads, updates and deletes customers and budgets', async () => {
    const b = await s.gql(`mutation { createBudget(input: { budgetId: "gql-tier", maxBudget: 2.5, budgetDuration: "1d", rpmLimit: 10 }) { id maxBudget budgetDuration rpmLimit } }`);
    expect(b.data.createBudget).toEqual({ id: 'gql-tier', maxBudget: 2.5, budgetDuration: '1d', rpmLimit: 10 });
    const c = await s.gql(`mutation { createCustomer(input: { customerId: "gql-c", budgetId: "gql-tier", tpmLimit: 500 }) {
      id spend maxBudget budgetDuration budgetResetAt rpmLimit tpmLimit ownMaxBudget budget { id } } }`);
    expect(c.data.createCustomer).toMatchObject({ id: 'gql-c', spend: 0, maxBudget: 2.5, budgetDuration: '1d', rpmLimit: 10, tpmLimit: 500, ownMaxBudget: null, budget: { id: 'gql-tier' } });
    expect(c.data.createCustomer.budgetResetAt).not.toBeNull();
    const u = await s.gql(`mutation { updateCustomer(input: { customerId: "gql-c", maxBudget: 1 }) { maxBudget ownMaxBudget } }`);
    expect(u.data.updateCustomer).toEqual({ maxBudget: 1, ownMaxBudget: 1 });
    expect((await s.gql(`{ customer(id: "gql-c") { id } budget(id: "gql-tier") { id } budgets { totalCount } }`)).data.customer.id).toBe('gql-c');
    expect((await s.gql(`{ customer(id: "nope") { id } }`)).code).toBe('NOT_FOUND');
    expect((await s.gql(`mutation { createCustomer(input: { customerId: "neg", maxBudget: -1 }) { id } }`)).code).toBe('BAD_USER_INPUT');
    expect((await s.gql(`mutation { deleteCustomer(input: { customerId: "gql-c" }) { customerId } }`)).data.deleteCustomer.customerId).toBe('gql-c');
    expect((await s.gql(`mutation { deleteBudget(input: { budgetId: "gql-tier" }) { budgetId } }`)).data.deleteBudget.budgetId).toBe('gql-tier');
  });
});

// the reset job joins the named budget for its duration, and usage reads a new roll-up: both dialects
describe.each(['sqlite', 'postgresql'] as const)('customers at the gateway on %s', (dialect) => {
  let db: Awaited<ReturnType<typeof freshPostgres>> | null = null;
  let s: TestServer;
  let up: FakeUpstream;
  let key: string;
  const spendOf = async (id: string) => (await s.rest('GET', `/customer/info?end_user_id=${id}`)).body.spend as number;
  beforeAll(async () => {
    up = await startFakeUpstream({ usage: USAGE });
    db = dialect === 'postgresql' ? await freshPostgres() : null;
    s = await startServer({ model_list: [upstreamModel('m', up)] }, db ? { databaseUrl: db.url } : {});
    key = (await s.rest('POST', '/key/generate', {})).body.key;
  });
  afterAll(async () => {
    await s?.close();
    await up?.close();
    await db?.drop();
  });

  it('creates an unknown customer on its first call and counts its spend', async () => {
    expect((await s.rest('GET', '/customer/info?end_user_id=walk-in')).status).toBe(404);
    expect((await chat(s, key, { user: 'walk-in' })).status).toBe(200);
    expect((await chat(s, key, { user: 'walk-in' })).status).toBe(200);
    await flush(s);
    // each call costs 0.05 USD
    expect(await spendOf('walk-in')).toBe(0.1);
    // Responses names the customer by `user` too
    const r = await post(s, '/v1/responses', { model: 'm', input: 'hi', user: 'walk-in' }, bearer(key));
    expect(r.status).toBe(200);
    await flush(s);
    expect(await spendOf('walk-in')).toBe(0.15);
  });

  it('refuses a user value that cannot be a customer id, creating nothing', async () => {
    const before = (await sql(s, 'select count(*) as n from customers'))[0].n;
    const r = await chat(s, key, { user: 'x'.repeat(300) });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'invalid_request_error', param: 'user' });
    expect((await chat(s, key, { user: 'tab\there' })).status).toBe(400);
    expect((await sql(s, 'select count(*) as n from customers'))[0].n).toBe(before);
  });

  it('refuses a customer over its own budget with LiteLLM\'s error, and spends nothing', async () => {
    await s.rest('POST', '/customer/new', { user_id: 'capped', max_budget: 0.04 });
    expect((await chat(s, key, { user: 'capped' })).status).toBe(200);
    await flush(s);
    const r = await chat(s, key, { user: 'capped' });
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ type: 'budget_exceeded', message: 'ExceededBudget: End User=capped over budget. Spend=0.05, Budget=0.04' });
    await flush(s);
    expect(await spendOf('capped')).toBe(0.05);
    expect(Number((await sql(s, `select count(*) as n from spend_logs where end_user = 'capped'`))[0].n)).toBe(1);
    // raising the budget admits it again at once
    await s.rest('POST', '/customer/update', { user_id: 'capped', max_budget: 1 });
    expect((await chat(s, key, { user: 'capped' })).status).toBe(200);
  });

  it('refuses a blocked customer with LiteLLM\'s 400', async () => {
    await s.rest('POST', '/customer/new', { user_id: 'banned', blocked: true });
    const r = await chat(s, key, { user: 'banned' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('User blocked from making LLM API Calls. User=banned');
    await flush(s);
    expect(await spendOf('banned')).toBe(0);
    await s.rest('POST', '/customer/update', { user_id: 'banned', blocked: false });
    expect((await chat(s, key, { user: 'banned' })).status).toBe(200);
  });

  it('bounds customers on a named budget by it, each on its own spend, and resets them on its duration', async () => {
    await s.rest('POST', '/budget/new', { budget_id: 'tier-small', max_budget: 0.04, budget_duration: '1d' });
    await s.rest('POST', '/customer/new', { user_id: 'tier-a', budget_id: 'tier-small' });
    await s.rest('POST', '/customer/new', { user_id: 'tier-b', budget_id: 'tier-small' });
    expect((await chat(s, key, { user: 'tier-a' })).status).toBe(200);
    await flush(s);
    expect((await chat(s, key, { user: 'tier-a' })).status).toBe(429);
    // the tier is per customer: b has its own spend
    expect((await chat(s, key, { user: 'tier-b' })).status).toBe(200);
    await flush(s);
    expect((await chat(s, key, { user: 'tier-b' })).status).toBe(429);

    // the window is the tier's duration: once due, the reset job zeroes both
    // the server's dialect, not the describe's (PURSER_TEST_DB=postgresql puts both on PostgreSQL)
    await sql(s, `update customers set budget_budget_reset_at = ? where id in ('tier-a', 'tier-b')`, [sqlTime(s, Date.now() - 1000)]);
    expect(await s.running.app.gateway!.resetJob.runOnce()).toBe(2);
    expect(await spendOf('tier-a')).toBe(0);
    const info = (await s.rest('GET', '/customer/info?end_user_id=tier-a')).body;
    expect(Date.parse(info.litellm_budget_table.budget_reset_at)).toBeGreaterThan(Date.now());
    expect((await chat(s, key, { user: 'tier-a' })).status).toBe(200);
  });

  it("limits a customer's requests per minute by its named budget's rpm_limit", async () => {
    await s.rest('POST', '/budget/new', { budget_id: 'tier-rpm', rpm_limit: 1 });
    await s.rest('POST', '/customer/new', { user_id: 'rpm-c', budget_id: 'tier-rpm' });
    await freshRateWindow();
    expect((await chat(s, key, { user: 'rpm-c' })).status).toBe(200);
    const r = await chat(s, key, { user: 'rpm-c' });
    expect(r.status).toBe(429);
    expect(r.body.error.message).toMatch(/customer rpm-c/);
    // another customer with the same key is not affected
    expect((await chat(s, key, { user: 'rpm-other' })).status).toBe(200);
  });

  it('groups usage and the spend report by customer', async () => {
    await flush(s);
    const g = await s.gql(`query($f: UsageFilter!) { usage(filter: $f, groupBy: [CUSTOMER]) { rows { customerId spend requests } } }`, { f: { from: today, to: today } });
    expect(g.errors).toBeUndefined();
    const rows = Object.fromEntries(g.data.usage.rows.map((r: any) => [r.customerId ?? 'none', r]));
    expect(rows['walk-in']).toMatchObject({ spend: 0.15, requests: 3 });
    expect(rows['tier-b']).toMatchObject({ spend: 0.05 });
    const one = await s.gql(`query($f: UsageFilter!) { usage(filter: $f) { totals { spend } } }`, { f: { from: today, to: today, customerId: 'walk-in' } });
    expect(one.data.usage.totals.spend).toBe(0.15);
    const report = await s.rest('GET', `/global/spend/report?start_date=${today}&end_date=${today}&group_by=customer`);
    expect(report.status).toBe(200);
    const c = Object.fromEntries(report.body[0].customers.map((x: any) => [x.customer, x]));
    expect(c['walk-in'].total_spend).toBe(0.15);

    // LiteLLM's customer activity: per day, split by customer
    const act = await s.rest('GET', `/customer/daily/activity?start_date=${today}&end_date=${today}&end_user_ids=walk-in,tier-b`);
    expect(act.status).toBe(200);
    expect(act.body.metadata.total_spend).toBeCloseTo(0.2, 10);
    expect(act.body.results[0].breakdown.entities['walk-in'].metrics).toMatchObject({ spend: 0.15, api_requests: 3 });
    expect(Object.keys(act.body.results[0].breakdown.entities).sort()).toEqual(['tier-b', 'walk-in']);
    const all = await s.rest('GET', `/customer/daily/activity?start_date=${today}&end_date=${today}`);
    expect(Object.keys(all.body.results[0].breakdown.entities)).toEqual(expect.arrayContaining(['walk-in', 'tier-a', 'capped']));
    expect((await s.rest('GET', `/customer/daily/activity?start_date=${today}`)).status).toBe(400);
  });
});
