/**
 * The product's walkthrough in real Chromium (Debian's /usr/bin/chromium via playwright-core)
 * against a real Purser serving ui/build and a fake upstream: the admin invites a user and
 * copies the link; the user accepts it in a fresh browser, creates a personal key (the secret
 * shown once), calls the gateway with it, sees the spend on Usage and a cache hit on Cache,
 * opens the key's page (limits, Why can't I call?, client setup), chats on Try it, deletes the
 * key. The limits explainer names the budget the gateway then refuses with; the key page edits,
 * regenerates, blocks and deletes. An admin viewer sees every key and can change nothing; an
 * internal viewer sees only their keys and cannot create one. Every page fits a 360 px wide
 * phone, and axe-core finds no serious or critical violation on any page (360 and 1280 px).
 * Controls are found by role and accessible name.
 */
import { readFile } from 'node:fs/promises';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, accessible, invite, launchChromium, navLinks, signIn } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { chat, flush, upstreamModel, USAGE } from '../helpers/gateway.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const MODEL = 'gpt-4o-mini';

let s: TestServer;
let up: FakeUpstream;
let browser: Browser;

async function fresh(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP only so axe-core can be injected; dashboard.test.ts checks the CSP itself
  const context = await browser.newContext({ viewport, bypassCSP: true });
  context.setDefaultTimeout(10_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
  return { context, page: await context.newPage() };
}

async function mintFor(userId: string, keyAlias: string): Promise<string> {
  const r = await s.gql(`mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret } }`, { i: { userId, keyAlias } });
  expect(r.errors).toBeUndefined();
  return r.data.generateKey.secret;
}

beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE, text: 'the answer' });
  s = await startServer(
    { model_list: [upstreamModel(MODEL, up)], litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600 } } },
    { ui: true },
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  await up?.close();
});

describe('the walkthrough in a real browser', () => {
  it('admin invites an internal user; they accept, create a key, call the gateway, see usage and a cache hit, use Try it, delete the key', { timeout: 90_000 }, async () => {
    // the admin invites from the Users page and copies the link
    const admin = await fresh();
    let link: string;
    try {
      await signIn(s, admin.page, 'admin', MASTER_KEY);
      await admin.page.getByRole('link', { name: 'Users' }).click();
      await admin.page.getByRole('button', { name: 'Invite user' }).click();
      const dialog = admin.page.getByRole('dialog', { name: 'Invite user' });
      await dialog.getByLabel('Email', { exact: true }).fill('ines@example.com');
      await dialog.getByLabel('Name').fill('Ines Duarte');
      // the role picker offers the four roles and starts on internal user
      expect(await dialog.getByRole('combobox', { name: 'Role' }).innerText()).toBe('Internal user');
      await dialog.getByRole('button', { name: 'Send invitation' }).click();

      const ready = admin.page.getByRole('dialog', { name: 'Invitation ready' });
      expect(await ready.getByRole('status').innerText()).toMatch(/No email was sent/);
      link = await ready.getByLabel('Invitation link', { exact: true }).inputValue();
      expect(link.startsWith(`${s.url}/ui/invite/`)).toBe(true);
      await ready.getByRole('button', { name: 'Copy invitation link' }).click();
      expect(await admin.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
      await ready.getByRole('button', { name: 'Done' }).click();
      await admin.page.getByRole('cell', { name: 'ines@example.com' }).waitFor();
    } finally {
      await admin.context.close();
    }

    const { context, page } = await fresh();
    try {
      await accept(s, page, link);
      // an internal user's navigation: no Users, no Invitations
      expect(await navLinks(page)).toEqual(['Keys', 'Try it', 'Usage', 'Cache', 'Teams', 'Account']);
      await page.getByText('No keys yet').waitFor();

      // creates a personal key: the secret is shown once
      await page.getByRole('button', { name: 'Create key' }).click();
      const create = page.getByRole('dialog', { name: 'Create key' });
      expect(await create.getByRole('combobox', { name: 'Owner' }).innerText()).toBe('Personal key (just me)');
      await accessible(page, 'create key dialog');
      await create.getByLabel('Alias', { exact: true }).fill('ines-laptop');
      await create.getByRole('button', { name: 'Create key' }).click();
      const created = page.getByRole('dialog', { name: 'Your new key' });
      const secret = await created.getByLabel('Secret key', { exact: true }).inputValue();
      expect(secret).toMatch(/^sk-/);
      await accessible(page, 'one-time secret view');
      await created.getByRole('button', { name: 'Copy secret key' }).click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      // client setup, with the secret and this server's URL, only in this one-time view
      const claude = await created.getByLabel('Claude Code setup', { exact: true }).innerText();
      expect(claude).toContain(`ANTHROPIC_BASE_URL=${s.url}`);
      expect(claude).toContain(`ANTHROPIC_AUTH_TOKEN=${secret}`);
      await created.getByRole('tab', { name: 'Codex' }).click();
      const codex = await created.getByLabel('Codex setup', { exact: true }).innerText();
      expect(codex).toContain(`base_url = "${s.url}/v1"`);
      expect(codex).toContain('wire_api = "responses"');
      await created.getByRole('button', { name: 'Copy Codex setup' }).click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codex);
      await created.getByRole('button', { name: 'Done' }).click();
      const row = page.getByRole('row').filter({ hasText: 'ines-laptop' });
      await row.waitFor();
      expect(await row.innerText()).toMatch(/active/);
      // never shown again: not on the page, not after a reload
      await page.reload();
      await row.waitFor();
      expect(await page.content()).not.toContain(secret);

      // a real call through the gateway with that secret, then the same call again (cache hit)
      const body = { model: MODEL, messages: [{ role: 'user', content: 'hello' }] };
      expect((await chat(s, secret, body)).status).toBe(200);
      expect((await chat(s, secret, body)).status).toBe(200);
      await flush(s);

      await page.getByRole('link', { name: 'Usage' }).click();
      await page.waitForURL(`${s.url}/ui/usage`);
      await page.getByRole('link', { name: '7 days' }).click();
      await page.waitForURL(`${s.url}/ui/usage?days=7`);
      await page.getByLabel('Spend: $0.05').waitFor();
      await page.getByLabel('Requests: 2').waitFor();
      expect(await page.getByRole('table', { name: 'Top keys' }).innerText()).toMatch(/ines-laptop/);

      await page.getByRole('link', { name: 'Cache' }).click();
      await page.getByLabel('Cache hits: 1').waitFor();
      await page.getByLabel('Hit ratio: 50%').waitFor();

      // the key's own page: limits, what stops a call first, its usage, setup without the secret
      await page.getByRole('link', { name: 'Keys' }).click();
      await page.getByRole('link', { name: 'ines-laptop' }).click();
      await page.getByRole('heading', { name: 'ines-laptop' }).waitFor();
      const limits = page.getByTestId('limits');
      await limits.getByText('Calls are admitted').waitFor();
      await page.getByText('$0.05 · 2 requests').waitFor();
      expect(await page.getByLabel('Claude Code setup', { exact: true }).innerText()).toContain('ANTHROPIC_AUTH_TOKEN=sk-...your-key');
      expect(await page.content()).not.toContain(secret);

      // Try it: a temporary key, the answer streamed from the fake upstream through the gateway
      await page.getByRole('link', { name: 'Try it' }).click();
      await page.waitForURL(`${s.url}/ui/playground`);
      expect(await page.getByRole('combobox', { name: 'Model' }).innerText()).toBe(MODEL);
      await page.getByLabel('Message').fill('What is the answer?');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByTestId('chat-log').locator('[data-role="assistant"]').getByText('the answer').waitFor();
      await accessible(page, 'Try it with an answer');
      // the temporary key is nobody's to manage: not in the key list
      await page.getByRole('link', { name: 'Keys' }).click();
      await page.getByRole('row').filter({ hasText: 'ines-laptop' }).waitFor();
      expect(await page.getByRole('table', { name: 'Keys' }).getByRole('row').count()).toBe(2);

      // deletes the key, after confirming; the gateway refuses it from then on
      await page.getByRole('link', { name: 'Keys' }).click();
      await page.getByRole('button', { name: 'Delete key ines-laptop' }).click();
      await page.getByRole('dialog', { name: 'Delete key ines-laptop?' }).getByRole('button', { name: 'Delete key' }).click();
      await page.getByText('No keys yet').waitFor();
      expect((await chat(s, secret, body)).status).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('the limits explainer names the budget the gateway then enforces', async () => {
    const { link, userId } = await invite(s, 'lena@example.com', 'internal_user');
    const r = await s.gql(`mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret } }`, { i: { userId, keyAlias: 'lena-small', maxBudget: 0.1 } });
    const secret = r.data.generateKey.secret as string;
    const body = { model: MODEL, messages: [{ role: 'user', content: 'spend' }], cache: { 'no-cache': true } };
    const { context, page } = await fresh();
    try {
      await accept(s, page, link);
      await page.getByRole('link', { name: 'lena-small' }).click();
      const limits = page.getByTestId('limits');
      await limits.getByText('Calls are admitted').waitFor();
      expect(await limits.getByTestId('limit-cap').first().innerText()).toMatch(/Key budget[\s\S]*stops first[\s\S]*\$0\.10 left/);
      // the runway forecast: nothing spent yet, so no forecast
      expect(await limits.getByTestId('limit-runway').first().innerText()).toBe('No spend in the last 7 days');

      expect((await chat(s, secret, body)).status).toBe(200);
      expect((await chat(s, secret, body)).status).toBe(200);
      await page.reload();
      await limits.getByText('Calls are refused').waitFor();
      const refusal = await limits.getByTestId('limits-refusal').innerText();
      await accessible(page, 'key page of a refused key');
      expect(refusal).toMatch(/^Budget has been exceeded! Key lena-small/);
      expect(await limits.getByTestId('limit-cap').first().innerText()).toMatch(/Key budget[\s\S]*stops calls now/);
      const refused = await chat(s, secret, body);
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toBe(refusal);

      // the same answer behind the sidebar's budget meter, for each of the person's keys
      await page.getByRole('button', { name: 'Why can’t I call?' }).click();
      const popover = page.getByTestId('why-cant-i-call');
      await popover.getByRole('link', { name: 'lena-small' }).waitFor();
      expect(await popover.innerText()).toContain(refusal);
      await accessible(page, 'Why can’t I call? popover');
    } finally {
      await context.close();
    }
  });

  it('the key page edits limits, regenerates (new secret once), blocks, unblocks and deletes', { timeout: 60_000 }, async () => {
    const r = await s.gql(`mutation { generateKey(input: { keyAlias: "ops-key" }) { secret key { id } } }`);
    const old = r.data.generateKey.secret as string;
    const body = { model: MODEL, messages: [{ role: 'user', content: 'ops' }], cache: { 'no-cache': true } };
    const { context, page } = await fresh();
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.getByRole('link', { name: 'ops-key' }).click();
      await page.getByRole('heading', { name: 'ops-key' }).waitFor();

      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      const edit = page.getByRole('dialog', { name: 'Edit key' });
      await edit.getByLabel('Alias', { exact: true }).fill('ops-key-2');
      await edit.getByLabel('Requests per minute').fill('7');
      await accessible(page, 'edit key dialog');
      await edit.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'ops-key-2' }).waitFor();
      await page.getByTestId('limits').getByText('Key requests per minute').waitFor();
      const info = await s.gql(`query($id: ID!) { key(id: $id) { keyAlias rpmLimit } }`, { id: r.data.generateKey.key.id });
      expect(info.data.key).toEqual({ keyAlias: 'ops-key-2', rpmLimit: 7 });

      await page.getByRole('button', { name: 'Regenerate' }).click();
      await page.getByRole('dialog', { name: 'Regenerate ops-key-2?' }).getByRole('button', { name: 'Regenerate' }).click();
      const shown = page.getByRole('dialog', { name: 'New secret for ops-key-2' });
      const secret = await shown.getByLabel('Secret key', { exact: true }).inputValue();
      expect(secret).toMatch(/^sk-/);
      expect(secret).not.toBe(old);
      expect(await shown.getByLabel('Claude Code setup', { exact: true }).innerText()).toContain(secret);
      await shown.getByRole('button', { name: 'Done' }).click();
      expect(await page.content()).not.toContain(secret);
      expect((await chat(s, old, body)).status).toBe(401);
      expect((await chat(s, secret, body)).status).toBe(200);

      await page.getByRole('button', { name: 'Block' }).click();
      await page.getByTestId('limits-refusal').getByText('The key is blocked.').waitFor();
      expect((await chat(s, secret, body)).status).toBe(401);
      await page.getByRole('button', { name: 'Unblock' }).click();
      await page.getByTestId('limits').getByText('Calls are admitted').waitFor();
      expect((await chat(s, secret, body)).status).toBe(200);

      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog', { name: 'Delete key ops-key-2?' }).getByRole('button', { name: 'Delete key' }).click();
      await page.waitForURL(`${s.url}/ui/keys`);
      expect((await chat(s, secret, body)).status).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('a proxy_admin_viewer sees every key, user and usage, and has no create, invite or delete control', async () => {
    const someone = await invite(s, 'owner@example.com', 'internal_user');
    await mintFor(someone.userId, 'owners-key');
    const { link } = await invite(s, 'vera@example.com', 'proxy_admin_viewer');
    const { context, page } = await fresh();
    try {
      await accept(s, page, link);
      expect(await navLinks(page)).toEqual(['Keys', 'Usage', 'Cache', 'Teams', 'Users', 'Invitations', 'Customers', 'Audit', 'Settings', 'SCIM', 'Account']);
      const row = page.getByRole('row').filter({ hasText: 'owners-key' });
      await row.waitFor();
      expect(await row.innerText()).toMatch(/owner@example\.com/);
      expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Delete key/ }).count()).toBe(0);

      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('cell', { name: /owner@example\.com/ }).waitFor();
      expect(await page.getByRole('button', { name: 'Invite user' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Invitations' }).click();
      await page.getByRole('table', { name: 'Invitations' }).waitFor();
      expect(await page.getByRole('button', { name: /^(Resend|Revoke)/ }).count()).toBe(0);
      await page.getByRole('link', { name: 'Usage' }).click();
      await page.getByLabel(/^Spend: /).waitFor();
      // everyone's usage, by user with emails (the walkthrough's calls were Ines's)
      await page.getByRole('table', { name: 'By user' }).getByRole('cell', { name: 'ines@example.com' }).waitFor();
      await page.getByRole('table', { name: 'By team' }).waitFor();
      // a custom range lives in the URL; the page reads it back
      await page.getByRole('button', { name: 'Custom' }).click();
      const today = new Date().toISOString().slice(0, 10);
      await page.getByLabel('First day').fill(today);
      await page.getByLabel('Last day').fill(today);
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL((u) => u.searchParams.get('from') === today && u.searchParams.get('to') === today);
      await page.getByText(`${today} to ${today}`).waitFor();
      // the CSV holds what is on screen
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      const csv = await readFile((await download.path())!, 'utf8');
      expect(csv.split('\r\n')[0]).toBe('table,scope,from,to,day,name,spend_usd,requests,tokens');
      expect(csv).toMatch(new RegExp(`^By user,all,${today},${today},,ines@example\\.com,0\\.\\d+,\\d+,\\d+$`, 'm'));
      // her own keys only: nobody's calls
      await page.getByRole('combobox', { name: 'Scope' }).click();
      await page.getByRole('option', { name: 'My keys' }).click();
      await page.waitForURL((u) => u.searchParams.get('scope') === 'me');
      await page.getByLabel('Spend: $0.00').waitFor();
      expect(await page.getByRole('table', { name: 'By user' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Teams' }).click();
      await page.getByRole('heading', { name: 'Teams' }).waitFor();
      expect(await page.getByRole('button', { name: 'Create team' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('an internal_user_viewer sees only their own keys, has no create control, and chats on Try it only with a pasted key', async () => {
    const { link, userId } = await invite(s, 'ivo@example.com', 'internal_user_viewer');
    const ivosKey = await mintFor(userId, 'ivos-key');
    const { context, page } = await fresh();
    try {
      await accept(s, page, link);
      expect(await navLinks(page)).toEqual(['Keys', 'Usage', 'Cache', 'Teams', 'Account']);
      await page.getByRole('row').filter({ hasText: 'ivos-key' }).waitFor();
      expect(await page.getByRole('row').filter({ hasText: 'owners-key' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Delete key/ }).count()).toBe(0);
      await page.getByRole('link', { name: 'Usage' }).click();
      await page.getByLabel('Spend: $0.00').waitFor();

      // no Try it in the navigation; opened directly it offers no temporary key, only a pasted one
      await page.goto(`${s.url}/ui/playground`);
      await page.getByLabel('API key').fill(ivosKey);
      await page.getByLabel('API key').blur();
      expect(await page.getByRole('combobox', { name: 'Key' }).count()).toBe(0);
      await page.getByText(/^No temporary key: /).waitFor();
      expect(await page.getByRole('combobox', { name: 'Model' }).innerText()).toBe(MODEL);
      await page.getByLabel('Message').fill('Viewer question');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByTestId('chat-log').locator('[data-role="assistant"]').getByText('the answer').waitFor();
    } finally {
      await context.close();
    }
  });

  it('every page fits a 360 px wide phone without horizontal scroll; the menu opens the navigation; no page has a serious axe violation', { timeout: 120_000 }, async () => {
    const team = await s.gql(`mutation { createTeam(input: { teamAlias: "Phone team" }) { id } }`);
    const teamId = team.data.createTeam.id;
    const key = await s.gql(`mutation { generateKey(input: { keyAlias: "phone-key", maxBudget: 5, rpmLimit: 10 }) { key { id } } }`);
    const keyId = key.data.generateKey.key.id;
    const { link, userId: phoneUserId } = await invite(s, 'phone@example.com', 'internal_user');
    const { context, page } = await fresh({ width: 360, height: 740 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    try {
      await page.goto(link);
      await page.getByRole('heading', { name: 'Welcome to Purser' }).waitFor();
      expect(await overflow()).toBe(0);
      await accessible(page, 'accept invitation');
      await page.goto(`${s.url}/ui/login`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await overflow()).toBe(0);
      await accessible(page, 'sign in');
      await signIn(s, page, 'admin', MASTER_KEY);
      const pages: [string, string][] = [
        ['/ui/keys', 'Keys'],
        [`/ui/keys/${keyId}`, 'phone-key'],
        ['/ui/playground', 'Try it'],
        ['/ui/usage', 'Usage'],
        ['/ui/cache', 'Cache'],
        ['/ui/teams', 'Teams'],
        [`/ui/teams/${teamId}`, 'Phone team'],
        ['/ui/users', 'Users'],
        ['/ui/invitations', 'Invitations'],
        [`/ui/users/${phoneUserId}`, 'phone@example.com'],
        ['/ui/audit', 'Audit'],
        ['/ui/settings', 'Settings'],
        ['/ui/account', 'Account'],
      ];
      for (const [path, heading] of pages) {
        await page.goto(`${s.url}${path}`);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await expect.poll(() => page.getByLabel('Loading').count()).toBe(0);
        expect({ path, overflow: await overflow() }).toEqual({ path, overflow: 0 });
        await accessible(page, `${path} at 360 px`);
      }
      // the navigation is a menu at this width
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Open menu' }).click();
      await page.getByRole('dialog').getByRole('link', { name: 'Usage' }).click();
      await page.waitForURL(`${s.url}/ui/usage`);
      await page.getByRole('heading', { name: 'Usage', exact: true }).waitFor();
      expect(await page.getByRole('dialog').count()).toBe(0);

      // the same pages at desktop width, with the sidebar
      await page.setViewportSize({ width: 1280, height: 800 });
      for (const [path, heading] of pages) {
        await page.goto(`${s.url}${path}`);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await expect.poll(() => page.getByLabel('Loading').count()).toBe(0);
        await accessible(page, `${path} at 1280 px`);
      }
    } finally {
      await context.close();
    }
  });
});
