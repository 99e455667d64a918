/**
 * The governance screens in real Chromium against a real Purser serving ui/build: SCIM tokens
 * (create with the secret once and the base URL, the token then provisions on /scim/v2/Users,
 * revoke after a confirmation and the IdP is refused; admin viewers read only), a key's
 * regeneration with a grace period from its page (both secrets then work on /v1/models until
 * it ends) and its rotation schedule (the API's refusal shown in the form), and the customers
 * page (spend, budget, runway, blocked; create, edit and block for proxy_admin, read only for
 * proxy_admin_viewer). Screens at 1280 and 390 px per role, each passing axe-core.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, accessible, invite, launchChromium, signIn } from '../helpers/browser.js';
import { flush } from '../helpers/gateway.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const SHOTS = join(process.cwd(), '.tmp', 'screenshots', 'governance');
const WIDTHS = [1280, 390];

let s: TestServer;
let browser: Browser;
/** signed-in sessions per role, reused across tests (cookies only) */
const states: Record<string, Awaited<ReturnType<BrowserContext['storageState']>>> = {};

async function fresh(width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP only so axe-core can be injected; dashboard.test.ts checks the CSP itself
  const context = await browser.newContext({ viewport: { width, height: 800 }, bypassCSP: true });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

/** A browser signed in as `who` (admin, viewer or user), at `width`. */
async function as(who: 'admin' | 'viewer' | 'user', width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  if (states[who]) {
    const context = await browser.newContext({ viewport: { width, height: 800 }, bypassCSP: true, storageState: states[who] });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${s.url}/ui/keys`);
    return { context, page };
  }
  const { context, page } = await fresh(width);
  if (who === 'admin') await signIn(s, page, 'admin', MASTER_KEY);
  else await accept(s, page, (await invite(s, who === 'viewer' ? 'vio@example.com' : 'uma@example.com', who === 'viewer' ? 'proxy_admin_viewer' : 'internal_user')).link);
  states[who] = await context.storageState();
  return { context, page };
}

const settled = (page: Page) => expect.poll(() => page.getByLabel('Loading').count()).toBe(0);

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}-${page.viewportSize()!.width}.png`), fullPage: true });
}

/** Opens a screen by URL at each width, checks it and keeps a screenshot. */
async function screens(who: 'admin' | 'viewer' | 'user', path: string, name: string, ready: (page: Page) => Promise<unknown>) {
  for (const width of WIDTHS) {
    const { context, page } = await as(who, width);
    try {
      await page.goto(`${s.url}/ui${path}`);
      await ready(page);
      await settled(page);
      await accessible(page, `${name} as ${who} at ${width}`);
      // nothing wider than the screen
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${name} at ${width}`).toBe(true);
      await shot(page, `${name}-${who}`);
    } finally {
      await context.close();
    }
  }
}

const models = (key: string) => fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
const scimUsers = (token: string) => fetch(`${s.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  s = await startServer({ model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m', mock_response: 'hi' }, model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }], general_settings: { key_rotation_max_grace_period: '24h' } }, { ui: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('SCIM tokens in a real browser', () => {
  it('an admin creates a token (secret once, base URL), it provisions, then is revoked after a confirmation', { timeout: 90_000 }, async () => {
    const { context, page } = await as('admin');
    try {
      await page.getByRole('link', { name: 'SCIM' }).click();
      await page.waitForURL(`${s.url}/ui/scim`);
      expect(await page.getByRole('textbox', { name: 'SCIM base URL' }).inputValue()).toBe(`${s.url}/scim/v2`);
      await page.getByRole('button', { name: 'Create token' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create SCIM token' });
      // a blank name is refused by the API, in the form, and creates nothing
      await dialog.getByRole('button', { name: 'Create token' }).click();
      await dialog.getByText('name must be a non-empty line of text.').waitFor();
      expect((await s.gql('{ scimTokens { id } }')).data.scimTokens).toEqual([]);
      await dialog.getByLabel('Name').fill('Okta production');
      await dialog.getByRole('button', { name: 'Create token' }).click();
      const secretBox = dialog.getByRole('textbox', { name: 'SCIM token' });
      await expect.poll(() => secretBox.inputValue()).toMatch(/^scim_/);
      const secret = await secretBox.inputValue();
      expect(await dialog.getByRole('button', { name: 'Copy scim token' }).count()).toBe(1);
      expect(await dialog.getByText(`${s.url}/scim/v2`).count()).toBe(1);
      await accessible(page, 'the new SCIM token');
      await shot(page, 'scim-created');
      await dialog.getByRole('button', { name: 'Done' }).click();

      // the token works where an IdP uses it
      const res = await scimUsers(secret);
      expect(res.status).toBe(200);
      expect((await res.json()).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      const row = page.getByRole('table', { name: 'SCIM tokens' }).locator('tbody tr').filter({ hasText: 'Okta production' });
      await row.getByText('active').waitFor();
      expect(await row.textContent()).toContain(`scim_…${secret.slice(-4)}`);
      expect(await row.textContent()).toContain('admin (master key)');

      // revoke asks first; cancelling changes nothing
      await row.getByRole('button', { name: 'Revoke SCIM token Okta production' }).click();
      const confirm = page.getByRole('dialog', { name: 'Revoke SCIM token Okta production?' });
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect((await scimUsers(secret)).status).toBe(200);
      await row.getByRole('button', { name: 'Revoke SCIM token Okta production' }).click();
      await confirm.getByRole('button', { name: 'Revoke token' }).click();
      await row.getByText('revoked').waitFor();
      expect((await scimUsers(secret)).status).toBe(401);
      expect(await row.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
    await screens('admin', '/scim', 'scim', (p) => p.getByRole('table', { name: 'SCIM tokens' }).waitFor());
  });

  it('an admin viewer sees the tokens and the base URL with no write control; an internal user has no SCIM page', { timeout: 90_000 }, async () => {
    await screens('viewer', '/scim', 'scim', async (p) => {
      await p.getByRole('table', { name: 'SCIM tokens' }).waitFor();
      expect(await p.getByRole('button', { name: /Create token|Revoke/ }).count()).toBe(0);
      expect(await p.getByRole('textbox', { name: 'SCIM base URL' }).inputValue()).toBe(`${s.url}/scim/v2`);
    });
    const { context, page } = await as('user');
    try {
      expect(await page.getByRole('link', { name: 'SCIM' }).count()).toBe(0);
      await page.goto(`${s.url}/ui/scim`);
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/does not allow/);
    } finally {
      await context.close();
    }
  });
});

describe('key rotation from the key page', () => {
  it('the owner regenerates with a grace period: both secrets work until it ends, the page says until when', { timeout: 90_000 }, async () => {
    const { context, page } = await as('user');
    const me = (await s.gql('{ users(first: 100) { edges { node { id email } } } }')).data.users.edges.find((e: any) => e.node.email === 'uma@example.com').node.id;
    const k = await s.rest('POST', '/key/generate', { user_id: me, key_alias: 'uma-ci' });
    expect(k.status).toBe(200);
    const old = k.body.key as string;
    try {
      await page.goto(`${s.url}/ui/keys/${k.body.key_id}`);
      await page.getByRole('heading', { name: 'uma-ci' }).waitFor();
      await page.getByRole('button', { name: 'Regenerate' }).click();
      const dialog = page.getByRole('dialog', { name: 'Regenerate uma-ci?' });
      // the choices stay within key_rotation_max_grace_period (24h here)
      await expect.poll(() => dialog.getByRole('radio').count()).toBe(3);
      expect(await dialog.getByRole('radio').evaluateAll((els) => els.map((e) => (e.parentElement?.textContent ?? '').trim()))).toEqual([
        'stops working at once',
        'keeps working for 1h',
        'keeps working for 24h',
      ]);
      await dialog.getByRole('radio', { name: 'keeps working for 1h' }).check();
      await accessible(page, 'the regenerate dialog');
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 800 });
        await shot(page, 'regenerate-user');
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      await dialog.getByRole('button', { name: 'Regenerate' }).click();
      const secretDialog = page.getByRole('dialog', { name: 'New secret for uma-ci' });
      const box = secretDialog.getByRole('textbox', { name: 'Secret key' });
      await expect.poll(() => box.inputValue()).toMatch(/^sk-/);
      const fresh = await box.inputValue();
      expect(fresh).not.toBe(old);
      await expect.poll(() => secretDialog.getByTestId('old-secret-until').textContent()).toMatch(/The previous secret keeps working until/);
      // both secrets work through the real server
      expect(await models(fresh)).toBe(200);
      expect(await models(old)).toBe(200);
      const until = (await s.gql('query($id: ID!) { key(id: $id) { rotatingUntil } }', { id: k.body.key_id })).data.key.rotatingUntil;
      expect(new Date(until).getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
      await secretDialog.getByRole('button', { name: 'Done' }).click();
      await page.getByTestId('rotating-until').waitFor();

      // the schedule: a bad interval is refused in the form and changes nothing; then on
      await page.getByRole('button', { name: 'Edit schedule' }).click();
      const sched = page.getByRole('dialog', { name: 'Scheduled rotation' });
      await sched.getByLabel('Rotate automatically').check();
      await sched.getByLabel('Rotate every').fill('soon');
      await sched.getByRole('button', { name: 'Save' }).click();
      await sched.getByText(/rotationInterval/).waitFor();
      expect((await s.gql('query($id: ID!) { key(id: $id) { autoRotate } }', { id: k.body.key_id })).data.key.autoRotate).toBe(false);
      await sched.getByLabel('Rotate every').fill('30d');
      // off the Save button: its hover tint is not what the colours are checked on
      await page.mouse.move(0, 0);
      await accessible(page, 'the schedule dialog');
      await sched.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByRole('dialog', { name: 'Scheduled rotation' }).count()).toBe(0);
      const after = (await s.gql('query($id: ID!) { key(id: $id) { autoRotate rotationInterval nextRotationAt } }', { id: k.body.key_id })).data.key;
      expect(after).toMatchObject({ autoRotate: true, rotationInterval: '30d' });
      expect(new Date(after.nextRotationAt).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
      await page.getByTestId('next-rotation').waitFor();
    } finally {
      await context.close();
    }
    await screens('user', `/keys/${k.body.key_id}`, 'key-rotation', (p) => p.getByTestId('next-rotation').waitFor());
    // the admin viewer sees the rotation state, with no control
    await screens('viewer', `/keys/${k.body.key_id}`, 'key-rotation', async (p) => {
      await p.getByTestId('rotating-until').waitFor();
      expect(await p.getByRole('button', { name: /Regenerate|Edit schedule/ }).count()).toBe(0);
    });
  });
});

describe('customers in a real browser', () => {
  it('an admin creates, edits and blocks customers; the list shows spend, budget and runway', { timeout: 90_000 }, async () => {
    // a customer comes to exist on its first call, with spend
    const key = (await s.rest('POST', '/key/generate', { key_alias: 'app' })).body.key as string;
    const call = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'm', user: 'acme-42', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(call.status).toBe(200);
    await flush(s);
    const { context, page } = await as('admin');
    try {
      await page.getByRole('link', { name: 'Customers' }).click();
      await page.waitForURL(`${s.url}/ui/customers`);
      const rows = page.getByRole('table', { name: 'Customers' }).locator('tbody tr');
      await rows.filter({ hasText: 'acme-42' }).getByText('No budget').waitFor();

      await page.getByRole('button', { name: 'New customer' }).click();
      const dialog = page.getByRole('dialog', { name: 'New customer' });
      await dialog.getByLabel('Customer id').fill('globex');
      await dialog.getByLabel('Alias').fill('Globex');
      await dialog.getByLabel('Budget (USD)').fill('-5');
      await dialog.getByRole('button', { name: 'Create customer' }).click();
      // refused in the form, nothing created
      await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/negative/);
      expect((await s.gql('{ customers(first: 100) { totalCount } }')).data.customers.totalCount).toBe(1);
      await dialog.getByLabel('Budget (USD)').fill('20');
      await dialog.getByLabel('Budget resets every').fill('30d');
      await accessible(page, 'the new customer dialog');
      await dialog.getByRole('button', { name: 'Create customer' }).click();
      const globex = rows.filter({ hasText: 'Globex' });
      await globex.getByText('No spend in the last 7 days').waitFor();
      expect((await s.gql('{ customer(id: "globex") { alias maxBudget budgetDuration blocked } }')).data.customer).toEqual({ alias: 'Globex', maxBudget: 20, budgetDuration: '30d', blocked: false });

      // a budget on the one with spend: its runway now says when it runs out
      await rows.filter({ hasText: 'acme-42' }).getByRole('button', { name: 'Edit customer acme-42' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit customer acme-42' });
      await edit.getByLabel('Budget (USD)').fill('1');
      await edit.getByRole('button', { name: 'Save' }).click();
      await rows.filter({ hasText: 'acme-42' }).getByText(/it runs out in/).waitFor();

      await globex.getByRole('button', { name: 'Block customer Globex' }).click();
      await globex.getByText('blocked').waitFor();
      expect((await s.gql('{ customer(id: "globex") { blocked } }')).data.customer.blocked).toBe(true);
      await shot(page, 'customers-admin-actions');
    } finally {
      await context.close();
    }
    await screens('admin', '/customers', 'customers', (p) => p.getByRole('table', { name: 'Customers' }).getByText('blocked').waitFor());
    await screens('viewer', '/customers', 'customers', async (p) => {
      await p.getByRole('table', { name: 'Customers' }).getByText('Globex', { exact: true }).waitFor();
      expect(await p.getByRole('button', { name: /New customer|Edit|Block|Unblock/ }).count()).toBe(0);
    });
    const { context: c2, page: p2 } = await as('user');
    try {
      expect(await p2.getByRole('link', { name: 'Customers' }).count()).toBe(0);
    } finally {
      await c2.close();
    }
  });
});
