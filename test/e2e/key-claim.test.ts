/**
 * The one-time link of a scheduled key rotation in real Chromium against a real Purser serving
 * ui/build: the page reveals the new secret only on a click (a mail scanner opening the link
 * uses nothing up), shows it once with a copy button, and the same link then refuses; the key's
 * page shows the grace period and the schedule.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessible, launchChromium, signIn } from '../helpers/browser.js';
import { chat, sql, until } from '../helpers/gateway.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';

let s: TestServer;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtp();
  s = await startServer(
    {
      model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m', mock_response: 'hi' } }],
      general_settings: { proxy_budget_rescheduler_min_time: 1, proxy_budget_rescheduler_max_time: 1 },
      environment_variables: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SENDER_EMAIL: 'purser@example.com', SMTP_TLS: 'False' },
    },
    { ui: true },
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  await smtp?.close();
});

describe('claiming a rotated key in the dashboard', () => {
  it('shows the new secret once, on a click, with a copy button; the link then refuses', { timeout: 60_000 }, async () => {
    expect((await s.rest('POST', '/user/new', { user_id: 'cleo', user_email: 'cleo@example.com', user_role: 'internal_user', auto_create_key: false })).status).toBe(200);
    const k = await s.rest('POST', '/key/generate', { user_id: 'cleo', key_alias: 'ci-runner', auto_rotate: true, rotation_interval: '30d' });
    expect(k.status).toBe(200);
    await sql(s, 'update virtual_keys set next_rotation_at = ? where id = ?', [s.running.app.orm.em.getPlatform().processDateProperty(new Date(Date.now() - 1000)), k.body.key_id]);
    const mail = await until(() => smtp.received.find((m) => m.to.includes('cleo@example.com')), 'the rotation mail');
    const token = /\/ui\/keys\/claim\/([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${s.url}/ui/keys/claim/${token}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Your key was rotated' }).count()).toBe(1);
    // opening the page used nothing up: the reveal is a click
    expect(Number((await sql(s, 'select count(*) as n from key_claims'))[0].n)).toBe(1);
    await page.getByRole('button', { name: 'Show the new secret' }).click();
    const secretBox = page.getByRole('textbox', { name: 'New secret' });
    await expect.poll(() => secretBox.inputValue()).toMatch(/^sk-/);
    const secret = await secretBox.inputValue();
    expect(await page.getByRole('button', { name: 'Copy new secret' }).count()).toBe(1);
    expect(await page.getByText('ci-runner').count()).toBeGreaterThan(0);
    await accessible(page, 'the claim page');
    expect((await chat(s, secret)).status).toBe(200);

    await page.reload();
    await page.getByRole('button', { name: 'Show the new secret' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'This link cannot be used' }).count()).toBe(1);
    expect(await page.getByRole('alert').textContent()).toContain('invalid, expired or already used');

    // the key's page shows the grace and the schedule
    await signIn(s, page, 'admin', MASTER_KEY);
    await page.goto(`${s.url}/ui/keys/${k.body.key_id}`);
    await expect.poll(() => page.getByText(/rotating: old secret works until/).count()).toBe(1);
    expect(await page.getByText('rotates every 30d').count()).toBe(1);
    await context.close();
  });
});
