/**
 * Owners are warned before a key expires (issue 10): by mail and the alert webhook, once per
 * warning (default 7 days and 1 day before), only the nearest one for a key already inside
 * both, again when the expiry moves, never for blocked or far-off keys, never the secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';
import { sql, until } from '../helpers/gateway.js';

const FAST = { proxy_budget_rescheduler_min_time: 1, proxy_budget_rescheduler_max_time: 1 };

describe('key expiry warnings', () => {
  let s: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: Server;
  const posts: any[] = [];
  const ticks = async (n: number) => {
    // n more complete runs of the job (each awaited): a repeat would show up in `posts`
    for (let i = 0; i < n; i++) await s.running.app.gateway!.resetJob.runOnce();
  };

  beforeAll(async () => {
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
        general_settings: { alerting: ['webhook', 'email'], ...FAST },
        environment_variables: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SENDER_EMAIL: 'purser@example.com', SMTP_TLS: 'False' },
      },
      { env: { WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` } },
    );
    await s.rest('POST', '/user/new', { user_id: 'erin', user_email: 'erin@example.com', user_role: 'internal_user', auto_create_key: false });
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
    await new Promise<void>((r) => hook.close(() => r()));
  });

  const mint = async (body: Record<string, unknown>) => {
    const r = await s.rest('POST', '/key/generate', { user_id: 'erin', ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { key: string; key_id: string };
  };
  const noticesFor = (id: string) => posts.filter((p) => p.key_id === id);

  it('warns 7 days before, then 1 day before, once each; mail and webhook, never the secret', async () => {
    const k = await mint({ key_alias: 'deploy-bot', duration: '5d' });
    await until(() => noticesFor(k.key_id).length === 1, 'the 7-day warning');
    expect(noticesFor(k.key_id)[0]).toMatchObject({ event: 'key_expiring', warning: '7d', key_id: k.key_id, key_alias: 'deploy-bot', user_id: 'erin' });
    await until(() => smtp.received.some((m) => m.to.includes('erin@example.com') && m.text.includes('deploy-bot')), 'the owner mail');
    const mail = smtp.received.find((m) => m.text.includes('deploy-bot'))!;
    expect(mail.text).toContain(`/ui/keys/${k.key_id}`);
    expect(mail.text).not.toContain(k.key);
    expect(JSON.stringify(posts)).not.toContain(k.key);

    await ticks(3);
    expect(noticesFor(k.key_id)).toHaveLength(1);

    // a day later (moved by hand: the key now expires in 20 hours): the 1-day warning, once
    await sql(s, 'update virtual_keys set expires_at = ? where id = ?', [s.running.app.orm.em.getPlatform().processDateProperty(new Date(Date.now() + 20 * 3600_000)), k.key_id]);
    await until(() => noticesFor(k.key_id).length === 2, 'the 1-day warning');
    expect(noticesFor(k.key_id)[1]).toMatchObject({ warning: '1d' });
    await ticks(3);
    expect(noticesFor(k.key_id)).toHaveLength(2);
  });

  it('a key made inside both windows gets only the nearest warning; far, blocked and unexpiring keys none', async () => {
    const soon = await mint({ duration: '12h' });
    const far = await mint({ duration: '30d' });
    const never = await mint({});
    const blocked = await mint({ duration: '2d' });
    expect((await s.rest('POST', '/key/block', { key: blocked.key })).status).toBe(200);
    await until(() => noticesFor(soon.key_id).length === 1, 'the nearest warning');
    await ticks(3);
    expect(noticesFor(soon.key_id).map((p) => p.warning)).toEqual(['1d']);
    for (const k of [far, never, blocked]) expect(noticesFor(k.key_id)).toEqual([]);
    // both warnings are remembered as done, so the farther one never follows
    const rows = await sql(s, 'select event from key_notices where key_id = ? order by event', [soon.key_id]);
    expect(rows.map((r: any) => r.event)).toEqual(['expires_in_1d', 'expires_in_7d']);
  });

  it('an extended key is warned again for its new expiry', async () => {
    const k = await mint({ duration: '3d' });
    await until(() => noticesFor(k.key_id).length === 1, 'the first warning');
    const upd = await s.rest('POST', '/key/update', { key: k.key, duration: '6d' });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    await until(() => noticesFor(k.key_id).length === 2, 'the warning for the new expiry');
    expect(noticesFor(k.key_id)[1].expires_at).not.toBe(noticesFor(k.key_id)[0].expires_at);
  });

  it('key_expiry_warnings is validated at start', async () => {
    await expect(startServer({ general_settings: { key_expiry_warnings: ['soon'] } })).rejects.toThrow(/key_expiry_warnings/);
  });
});
