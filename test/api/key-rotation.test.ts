/**
 * Key rotation (issue 10): a regenerated key's old secret keeps working for its grace period
 * (same key: id, spend, budget), on the gateway, REST and GraphQL, then only the new one does;
 * the grace is bounded by general_settings.key_rotation_max_grace_period. Scheduled rotation
 * (auto_rotate + rotation_interval) mails the owner a one-time link, never the secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';
import { chat, flush, sql, until } from '../helpers/gateway.js';

const FAST = { proxy_budget_rescheduler_min_time: 1, proxy_budget_rescheduler_max_time: 1 };
const KEY = 'query($id: ID!) { key(id: $id) { id rotatingUntil maxBudget spend } }';
const REGEN = 'mutation($input: RegenerateKeyInput!) { regenerateKey(input: $input) { secret key { id rotatingUntil } } }';
const CLAIM = 'mutation($token: String!) { claimRotatedKey(input: { token: $token }) { secret key { id keyName } } }';

describe('key rotation with a grace period', () => {
  let s: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    smtp = await startSmtp();
    s = await startServer({
      model_list: [{ model_name: 'm', litellm_params: { model: 'openai/gpt-4o-mini', mock_response: 'hi' }, model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }],
      general_settings: { ...FAST, key_rotation_grace_period: '1h' },
      environment_variables: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SENDER_EMAIL: 'purser@example.com', SMTP_TLS: 'False' },
    });
    for (const [id, email] of [['ada', 'ada@example.com'], ['bob', 'bob@example.com']])
      expect((await s.rest('POST', '/user/new', { user_id: id, user_email: email, user_role: 'internal_user', auto_create_key: false })).status).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  const mint = async (body: Record<string, unknown> = {}) => {
    const r = await s.rest('POST', '/key/generate', { user_id: 'ada', ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { key: string; key_id: string };
  };
  /** whether a secret works on each surface: gateway, REST, GraphQL */
  const works = async (secret: string, id: string) => {
    const g = (await chat(s, secret)).status;
    const r = (await s.rest('GET', '/key/info', undefined, secret)).status;
    const q = await s.gql(KEY, { id }, secret);
    return [g, r, q.errors ? q.code : 200];
  };

  it('both secrets work until the grace ends, then only the new one; same key, spend and budget', async () => {
    const k = await mint({ max_budget: 10 });
    expect((await chat(s, k.key)).status).toBe(200);
    await flush(s);
    const spentBefore = (await s.rest('GET', `/key/info?key=${k.key_id}`)).body.info.spend;
    expect(spentBefore).toBeGreaterThan(0);

    const r = await s.rest('POST', '/key/regenerate', { key: k.key, grace_period: '3s' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const fresh = r.body.key as string;
    expect(fresh).not.toBe(k.key);
    expect(r.body.key_id).toBe(k.key_id);
    expect(r.body.max_budget).toBe(10);
    expect(Date.parse(r.body.rotating_until)).toBeGreaterThan(Date.now());

    expect(await works(k.key, k.key_id)).toEqual([200, 200, 200]);
    expect(await works(fresh, k.key_id)).toEqual([200, 200, 200]);
    const shown = await s.gql(KEY, { id: k.key_id });
    expect(shown.data.key.rotatingUntil).toBe(r.body.rotating_until);
    await flush(s);
    // the calls of both secrets count on the one key
    const info = (await s.rest('GET', `/key/info?key=${k.key_id}`)).body.info;
    expect(info.spend).toBeGreaterThan(spentBefore);
    expect(info.max_budget).toBe(10);
    expect(info.rotating_until).toBe(r.body.rotating_until);

    await until(async () => (await chat(s, k.key)).status === 401, 'the old secret stops after the grace');
    expect(await works(k.key, k.key_id)).toEqual([401, 401, 'UNAUTHENTICATED']);
    expect(await works(fresh, k.key_id)).toEqual([200, 200, 200]);
    expect((await s.gql(KEY, { id: k.key_id })).data.key.rotatingUntil).toBeNull();
    // the job forgets the ended grace (audited), so nothing of the old hash is left
    await until(async () => (await sql(s, 'select previous_token from virtual_keys where id = ?', [k.key_id]))[0].previous_token === null, 'the grace forgotten');
    expect(await sql(s, "select action from audit_log where target_id = ? and action = 'key.rotation_grace_end'", [k.key_id])).toHaveLength(1);

    const audits = await sql(s, "select action, after from audit_log where target_id = ? and action = 'key.regenerate'", [k.key_id]);
    expect(audits).toHaveLength(1);
    const after = typeof audits[0].after === 'string' ? JSON.parse(audits[0].after) : audits[0].after;
    expect(after).toMatchObject({ id: k.key_id, gracePeriod: '3s', rotatingUntil: r.body.rotating_until });
    expect(JSON.stringify(audits)).not.toContain(fresh);
  });

  it('without a grace the old secret stops at once; a second rotation ends the first grace', async () => {
    const k = await mint();
    const a = await s.gql(REGEN, { input: { id: k.key_id, gracePeriod: '1h' } });
    expect(a.errors).toBeUndefined();
    const second = a.data.regenerateKey.secret;
    expect(await works(k.key, k.key_id)).toEqual([200, 200, 200]);
    expect(a.data.regenerateKey.key.rotatingUntil).not.toBeNull();
    // rotating again (with its own grace): only the secret just replaced keeps working
    const b = await s.gql(REGEN, { input: { id: k.key_id, gracePeriod: '1h' } });
    const third = b.data.regenerateKey.secret;
    expect((await chat(s, k.key)).status).toBe(401);
    expect((await chat(s, second)).status).toBe(200);
    expect((await chat(s, third)).status).toBe(200);
    // and without one, everything but the newest stops at once
    const c = await s.rest('POST', `/key/${k.key_id}/regenerate`, {});
    expect(c.status).toBe(200);
    expect(c.body.rotating_until).toBeNull();
    for (const old of [k.key, second, third]) expect((await chat(s, old)).status).toBe(401);
    expect((await chat(s, c.body.key)).status).toBe(200);
  });

  it('a grace over the ceiling, negative, zero or not a duration is refused and changes nothing', async () => {
    const k = await mint();
    const token = (await sql(s, 'select token from virtual_keys where id = ?', [k.key_id]))[0].token;
    for (const g of ['8d', '-1h', '0s', 'soon', '']) {
      const r = await s.rest('POST', '/key/regenerate', { key: k.key, grace_period: g });
      expect(r.status, `${g}: ${JSON.stringify(r.body)}`).toBe(400);
      const q = await s.gql(REGEN, { input: { id: k.key_id, gracePeriod: g } });
      expect(q.code, g).toBe('BAD_USER_INPUT');
    }
    expect((await s.rest('POST', '/key/regenerate', { key: k.key, grace_period: 3 })).status).toBe(400);
    // what the dashboard offers stays within the ceiling (default 7d), which is the last choice
    const o = await s.gql('{ keyCreationOptions { rotation { maxGracePeriod gracePeriodChoices scheduledGracePeriod } } }', {}, k.key);
    expect(o.data.keyCreationOptions.rotation).toEqual({ maxGracePeriod: '7d', gracePeriodChoices: ['1h', '24h', '7d'], scheduledGracePeriod: '1h' });
    expect((await sql(s, 'select token, previous_token from virtual_keys where id = ?', [k.key_id]))[0]).toEqual({ token, previous_token: null });
    expect((await chat(s, k.key)).status).toBe(200);
  });

  it('a scheduled rotation mails a one-time link (never the secret); the link gives the new secret once', async () => {
    const k = await mint({ key_alias: 'nightly', auto_rotate: true, rotation_interval: '30d' });
    const row = (await s.rest('GET', `/key/info?key=${k.key_id}`)).body.info;
    expect(row).toMatchObject({ auto_rotate: true, rotation_interval: '30d' });
    expect(Date.parse(row.next_rotation_at)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    // due now (a month later, moved by hand)
    await sql(s, 'update virtual_keys set next_rotation_at = ? where id = ?', [s.running.app.orm.em.getPlatform().processDateProperty(new Date(Date.now() - 1000)), k.key_id]);
    const mail = await until(() => smtp.received.find((m) => m.to.includes('ada@example.com') && m.text.includes('nightly')), 'the rotation mail');
    const token = /\/ui\/keys\/claim\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(token).toBeTruthy();
    expect(mail.text).not.toMatch(/sk-[A-Za-z0-9_-]{20,}/);
    const after = (await s.rest('GET', `/key/info?key=${k.key_id}`)).body.info;
    expect(after.key_id).toBe(k.key_id);
    expect(Date.parse(after.next_rotation_at)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(Date.parse(after.rotating_until)).toBeGreaterThan(Date.now() + 3500_000);

    // someone else signed in cannot take it; nothing is used up
    const bobKey = (await s.rest('POST', '/key/generate', { user_id: 'bob' })).body.key;
    expect((await s.gql(CLAIM, { token }, bobKey)).code).toBe('NOT_FOUND');
    expect((await s.gql(CLAIM, { token: 'x' }, null)).code).toBe('BAD_USER_INPUT');

    const c = await s.gql(CLAIM, { token }, null);
    expect(c.errors).toBeUndefined();
    const secret = c.data.claimRotatedKey.secret as string;
    expect(secret).toMatch(/^sk-/);
    expect(mail.text).not.toContain(secret);
    expect((await chat(s, secret)).status).toBe(200);
    // the old secret keeps its grace (key_rotation_grace_period)
    expect((await chat(s, k.key)).status).toBe(200);
    // once only
    expect((await s.gql(CLAIM, { token }, null)).code).toBe('NOT_FOUND');
    const actions = (await sql(s, 'select action from audit_log where target_id = ? order by at', [k.key_id])).map((r: any) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['key.rotate_scheduled', 'key.rotation_claim']));
    expect(JSON.stringify(await sql(s, 'select * from key_claims'))).not.toContain(secret);
  });

  it('auto_rotate needs a valid rotation_interval; the ceiling is validated at start', async () => {
    expect((await s.rest('POST', '/key/generate', { user_id: 'ada', auto_rotate: true })).status).toBe(400);
    expect((await s.rest('POST', '/key/generate', { user_id: 'ada', auto_rotate: true, rotation_interval: 'weekly' })).status).toBe(400);
    await expect(startServer({ general_settings: { key_rotation_max_grace_period: 'long' } })).rejects.toThrow(/key_rotation_max_grace_period/);
  });
});
