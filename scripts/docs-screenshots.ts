/**
 * `npm run docs:screenshots`: starts a seeded Purser (teams, users, keys, real gateway calls to
 * a fake upstream, some answered from the cache) serving the built dashboard, signs in as the
 * master-key admin in Debian's Chromium and saves the README's screenshots (keys, create key, key
 * page, Try it, usage, cache, users, invite, teams, customers, SCIM) into docs/ at desktop
 * (1280 px) and phone (390 px) width. Run `npm run build` first.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { startFakeUpstream } from '../test/helpers/fake-upstream.js';
import { chat, flush, upstreamModel, USAGE } from '../test/helpers/gateway.js';
import { MASTER_KEY, startServer } from '../test/helpers/server.js';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../docs');
mkdirSync(OUT, { recursive: true });

const up = await startFakeUpstream({ usage: USAGE, text: 'Hello from the fake upstream.' });
const s = await startServer(
  {
    model_list: [upstreamModel('gpt-4o', up), upstreamModel('gpt-4o-mini', up), upstreamModel('claude-sonnet', up), upstreamModel('llama-3-70b', up)],
    litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600 }, max_internal_user_budget: 25, upperbound_key_generate_params: { max_budget: 100, rpm_limit: 600 } },
  },
  { ui: true },
);

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const r = await s.gql(query, variables);
  if (r.errors) throw new Error(`${query.slice(0, 60)}: ${r.errors[0]!.message}`);
  return r.data;
}

try {
  const teams: Record<string, string> = {};
  for (const [alias, budget] of [['Research', 500], ['Platform', 200], ['Support', 50]] as const)
    teams[alias] = (await gql(`mutation($a: String!, $b: Float) { createTeam(input: { teamAlias: $a, maxBudget: $b, budgetDuration: "1mo" }) { id } }`, { a: alias, b: budget })).createTeam.id;
  const people = [
    { email: 'ada@example.com', alias: 'Ada Lovelace', role: 'internal_user', team: 'Research' },
    { email: 'lin@example.com', alias: 'Lin Chen', role: 'internal_user', team: 'Platform' },
    { email: 'sam@example.com', alias: 'Sam Ortiz', role: 'proxy_admin_viewer', team: null },
    { email: 'kim@example.com', alias: 'Kim Park', role: 'internal_user_viewer', team: 'Support' },
  ];
  const secrets: string[] = [];
  for (const p of people) {
    const user = (await gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { email: p.email, userAlias: p.alias, userRole: p.role.toUpperCase(), maxBudget: 25, ...(p.team ? { teams: [{ teamId: teams[p.team], role: 'ADMIN' }] } : {}) },
    })).createUser.id;
    for (const [i, alias] of [`${p.alias.split(' ')[0]!.toLowerCase()}-laptop`, `${p.alias.split(' ')[0]!.toLowerCase()}-ci`].entries()) {
      const k = await gql(`mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret } }`, {
        i: { userId: user, keyAlias: alias, maxBudget: 10 + i * 15, ...(i === 1 && p.team ? { teamId: teams[p.team] } : {}) },
      });
      secrets.push(k.generateKey.secret);
    }
  }
  // the admin's own key, with limits, for the key page (its Connect a client is the owner's)
  const own = await gql(`mutation { generateKey(input: { keyAlias: "admin-notebook", maxBudget: 2, budgetDuration: "1mo", rpmLimit: 60, tpmLimit: 20000, maxParallelRequests: 4, models: ["gpt-4o", "claude-sonnet"] }) { secret } }`);
  for (const model of ['gpt-4o', 'claude-sonnet', 'gpt-4o'])
    await chat(s, own.generateKey.secret, { model, messages: [{ role: 'user', content: `notebook ${model}` }], cache: { 'no-cache': true } });
  await gql(`mutation { inviteUser(input: { email: "new.hire@example.com", userRole: INTERNAL_USER }) { link } }`);
  const models = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet', 'llama-3-70b'];
  for (let n = 0; n < 60; n++) {
    const key = secrets[n % secrets.length]!;
    // the calls name three customers (LiteLLM end users), as an application's would
    const body = { model: models[(n * 7) % models.length], user: ['acme-corp', 'globex', 'initech'][n % 3], messages: [{ role: 'user', content: `question ${n}` }] };
    // every third call is asked twice with the same key: the second is answered from the cache
    for (let r = 0; r < (n % 3 === 0 ? 2 : 1); r++) {
      const res = await chat(s, key, body);
      if (res.status !== 200 && res.status !== 429) throw new Error(`gateway ${res.status}: ${res.text}`);
    }
  }
  await flush(s);
  await gql(`mutation { updateCustomer(input: { customerId: "acme-corp", alias: "Acme Corp", maxBudget: 0.05, budgetDuration: "1mo" }) { id } }`);
  await gql(`mutation { updateCustomer(input: { customerId: "globex", alias: "Globex", maxBudget: 10 }) { id } }`);
  await gql(`mutation { updateCustomer(input: { customerId: "initech", blocked: true }) { id } }`);
  for (const name of ['Okta production', 'Entra ID staging']) await gql(`mutation($n: String!) { createScimToken(input: { name: $n }) { secret } }`, { n: name });

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const [suffix, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: suffix === 'phone' ? 2 : 1, colorScheme: 'light' });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${s.url}/ui/login`);
      await page.getByLabel('Email or admin').fill('admin');
      await page.getByLabel('Password', { exact: true }).fill(MASTER_KEY);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('table', { name: 'Keys' }).waitFor();
      const shot = async (name: string) => {
        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: join(OUT, `${name}-${suffix}.png`), fullPage: suffix === 'desktop' });
      };
      await shot('keys');
      await page.getByRole('button', { name: 'Create key' }).click();
      const createKey = page.getByRole('dialog', { name: 'Create key' });
      await createKey.getByLabel('Alias', { exact: true }).fill('notebook');
      await createKey.getByLabel('Budget (USD)').fill('20');
      await shot('create-key');
      await page.keyboard.press('Escape');
      await page.getByRole('link', { name: 'admin-notebook' }).click();
      await page.getByRole('heading', { name: 'Why can’t I call?' }).waitFor();
      await page.locator('figure svg').first().waitFor();
      await shot('key');
      await visit(page, `${s.url}/ui/usage?days=7`, 'Daily spend by model');
      await shot('usage');
      await visit(page, `${s.url}/ui/cache?days=7`, 'Cache hits vs upstream calls');
      await shot('cache');
      await page.goto(`${s.url}/ui/users`);
      await page.getByRole('table', { name: 'Users' }).waitFor();
      await shot('users');
      await page.getByRole('button', { name: 'Invite user' }).click();
      const invite = page.getByRole('dialog', { name: 'Invite user' });
      await invite.getByLabel('Email', { exact: true }).fill('grace@example.com');
      await invite.getByLabel('Name').fill('Grace Hopper');
      await shot('invite-user');
      await page.keyboard.press('Escape');
      await page.goto(`${s.url}/ui/teams`);
      await page.getByRole('table', { name: 'Teams' }).waitFor();
      await shot('teams');
      await page.getByRole('table', { name: 'Teams' }).getByRole('link').first().click();
      await page.getByRole('table', { name: 'Members' }).waitFor();
      await page.getByRole('button', { name: 'Edit team' }).waitFor();
      await shot('team');
      await page.goto(`${s.url}/ui/users`);
      await page.getByRole('link', { name: 'ada@example.com' }).click();
      await page.getByRole('heading', { name: 'ada@example.com' }).waitFor();
      await page.locator('figure svg').first().waitFor();
      await shot('user');
      await page.goto(`${s.url}/ui/audit`);
      await page.getByRole('table', { name: 'Audit log' }).waitFor();
      await shot('audit');
      await page.goto(`${s.url}/ui/settings`);
      await page.getByRole('heading', { name: 'Effective configuration' }).waitFor();
      await shot('settings');
      await page.goto(`${s.url}/ui/customers`);
      await page.getByRole('table', { name: 'Customers' }).waitFor();
      await shot('customers');
      await page.goto(`${s.url}/ui/scim`);
      await page.getByRole('table', { name: 'SCIM tokens' }).waitFor();
      await shot('scim');
      // last: its temporary key would show up in usage by key
      await page.goto(`${s.url}/ui/playground`);
      await page.getByLabel('Message').fill('Write a haiku about budgets.');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('[data-role="assistant"]').getByText('Hello from the fake upstream.').waitFor();
      await shot('try-it');
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots written to ${OUT}`);
} finally {
  await s.close();
  await up.close();
}

async function visit(page: Page, url: string, heading: string) {
  await page.goto(url);
  await page.getByRole('heading', { name: heading }).waitFor();
  await page.locator('figure svg').first().waitFor();
}
