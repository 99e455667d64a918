/**
 * The admin screens in real Chromium (Debian's /usr/bin/chromium via playwright-core) against a
 * real Purser serving ui/build: the audit log (filters and paging in the URL), the effective
 * settings with secrets redacted, a user's page (keys, teams, edit role and budget, password
 * reset, delete saying what goes with the user), + New user, and resending and revoking an
 * invitation (the old link stops working). Each as the roles that differ: proxy_admin writes,
 * proxy_admin_viewer reads and has no write control, internal_user has neither page. axe-core
 * finds no serious or critical violation on the new pages, at 1280 and 360 px.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, accessible, invite, launchChromium, navLinks, signIn } from '../helpers/browser.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const SHOTS = join(process.cwd(), '.tmp', 'screenshots', 'admin-screens');

let s: TestServer;
let browser: Browser;

async function fresh(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP only so axe-core can be injected; dashboard.test.ts checks the CSP itself
  const context = await browser.newContext({ viewport, bypassCSP: true });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

const rows = (page: Page, table: string) => page.getByRole('table', { name: table }).locator('tbody tr');
/** Every skeleton gone (a user page loads its user, keys and usage separately). */
const settled = (page: Page) => expect.poll(() => page.getByLabel('Loading').count()).toBe(0);

/** A screenshot under the test output folder (not the repo), at the viewport's width. */
async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}-${page.viewportSize()!.width}.png`), fullPage: true });
}

beforeAll(async () => {
  s = await startServer({}, { ui: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('admin screens in a real browser', () => {
  it('the audit log shows who did what when; filters by actor, action and object live in the URL; pages come from the server', { timeout: 60_000 }, async () => {
    const team = await s.gql(`mutation { createTeam(input: { teamAlias: "Audit team" }) { id } }`);
    const teamId = team.data.createTeam.id as string;
    await s.gql(`mutation($id: ID!) { updateTeam(input: { teamId: $id, maxBudget: 12 }) { id } }`, { id: teamId });
    for (let i = 0; i < 26; i++) expect((await s.gql(`mutation($a: String) { generateKey(input: { keyAlias: $a }) { key { id } } }`, { a: `audit-${i}` })).errors).toBeUndefined();

    const { context, page } = await fresh();
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.waitForURL(`${s.url}/ui/audit`);
      await page.getByRole('heading', { name: 'Audit', exact: true }).waitFor();
      // newest first, one server page of 25 of the 28 writes
      await expect.poll(() => rows(page, 'Audit log').count()).toBe(25);
      expect(await rows(page, 'Audit log').first().innerText()).toMatch(/key\.generate/);
      await page.getByRole('navigation', { name: 'Pages' }).getByText(/^1–25 of 28$/).waitFor();
      await accessible(page, 'audit log');
      await shot(page, 'audit');

      await page.getByRole('link', { name: 'Next' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.has('after')).toBe(true);
      await expect.poll(() => rows(page, 'Audit log').count()).toBe(3);
      expect(await rows(page, 'Audit log').last().innerText()).toMatch(/team\.create/);

      // the action filter, from the form, into the URL
      await page.getByLabel('Action', { exact: true }).fill('team.update');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(`${s.url}/ui/audit?action=team.update`);
      await expect.poll(() => rows(page, 'Audit log').count()).toBe(1);
      const row = await rows(page, 'Audit log').first().innerText();
      expect(row).toMatch(/team\.update/);
      expect(row).toMatch(/maxBudget|max_budget/);

      // a row's object narrows to that object (the action filter stays); the form follows the URL
      await page.getByRole('link', { name: `Only writes to team ${teamId}` }).click();
      await page.waitForURL((u) => u.searchParams.get('object') === teamId && u.searchParams.get('type') === 'team' && u.searchParams.get('action') === 'team.update');
      expect(await page.getByLabel('Object id').inputValue()).toBe(teamId);
      await page.getByLabel('Action', { exact: true }).fill('');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL((u) => !u.searchParams.has('action') && u.searchParams.get('object') === teamId);
      await expect.poll(() => rows(page, 'Audit log').count()).toBe(2);
      expect(await rows(page, 'Audit log').last().innerText()).toMatch(/team\.create[\s\S]*created/);
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.waitForURL(`${s.url}/ui/audit`);
      await expect.poll(() => rows(page, 'Audit log').count()).toBe(25);

      // a shared link with an actor opens filtered; an actor who wrote nothing says so
      await page.goto(`${s.url}/ui/audit?actor=nobody-at-all`);
      await page.getByText('No entry matches these filters').waitFor();
      expect(await page.getByLabel('Actor (user id)').inputValue()).toBe('nobody-at-all');
      const admin = await s.gql(`{ me { user { id } } }`);
      await page.goto(`${s.url}/ui/audit?actor=${encodeURIComponent(admin.data.me.user.id)}&action=team.create`);
      await expect.poll(() => rows(page, 'Audit log').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('the audit log names the person behind a write and links to their page', async () => {
    const { userId } = await invite(s, 'ana@example.com', 'proxy_admin');
    const key = await s.gql(`mutation($u: ID!) { generateKey(input: { userId: $u }) { secret } }`, { u: userId });
    expect((await s.gql(`mutation { createTeam(input: { teamAlias: "Ana's team" }) { id } }`, {}, key.data.generateKey.secret)).errors).toBeUndefined();
    const { context, page } = await fresh();
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.goto(`${s.url}/ui/audit?action=team.create`);
      await page.getByRole('link', { name: 'Only writes by ana@example.com' }).click();
      await page.waitForURL((u) => u.searchParams.get('actor') === userId && u.searchParams.get('action') === 'team.create');
      await expect.poll(() => rows(page, 'Audit log').count()).toBe(1);
      await page.getByRole('link', { name: 'Profile of ana@example.com' }).click();
      await page.waitForURL(`${s.url}/ui/users/${userId}`);
      await page.getByRole('heading', { name: 'ana@example.com' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('settings show the effective configuration with secrets redacted, to admins and admin viewers only', async () => {
    const { link } = await invite(s, 'vic@example.com', 'proxy_admin_viewer');
    const { link: userLink } = await invite(s, 'una@example.com', 'internal_user');
    const { context, page } = await fresh();
    try {
      await accept(s, page, link);
      expect(await navLinks(page)).toEqual(['Keys', 'Usage', 'Cache', 'Teams', 'Users', 'Invitations', 'Customers', 'Audit', 'Settings', 'SCIM', 'Account']);
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.waitForURL(`${s.url}/ui/settings`);
      const general = page.getByLabel('general_settings settings');
      await general.waitFor();
      expect(await general.innerText()).toContain('"master_key": "***"');
      expect(await page.content()).not.toContain(MASTER_KEY);
      await page.getByText('Available once an SSO provider is configured').waitFor();
      await accessible(page, 'settings');
      await shot(page, 'settings');

      // the viewer reads the audit log too, with nothing to change there
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.getByRole('table', { name: 'Audit log' }).waitFor();
    } finally {
      await context.close();
    }

    const user = await fresh();
    try {
      await accept(s, user.page, userLink);
      expect(await navLinks(user.page)).toEqual(['Keys', 'Try it', 'Usage', 'Cache', 'Teams', 'Account']);
      // opened directly, the API refuses and the page says so
      await user.page.goto(`${s.url}/ui/settings`);
      await user.page.getByRole('alert').waitFor();
      expect(await user.page.content()).not.toContain('general_settings');
      await user.page.goto(`${s.url}/ui/audit`);
      await user.page.getByRole('alert').waitFor();
      expect(await user.page.getByRole('table', { name: 'Audit log' }).count()).toBe(0);
    } finally {
      await user.context.close();
    }
  });

  it('an admin opens a user from the list, edits role and budget, issues a password reset, and deletes them with their key', { timeout: 60_000 }, async () => {
    const { userId, link: oldLink } = await invite(s, 'dora@example.com', 'internal_user');
    const team = await s.gql(`mutation { createTeam(input: { teamAlias: "Dora team" }) { id } }`);
    await s.gql(`mutation($t: ID!, $e: String!) { addTeamMember(input: { teamId: $t, email: $e }) { teamId } }`, { t: team.data.createTeam.id, e: 'dora@example.com' });
    const key = await s.gql(`mutation($u: ID!) { generateKey(input: { userId: $u, keyAlias: "doras-key" }) { secret } }`, { u: userId });
    const secret = key.data.generateKey.secret as string;

    const { context, page } = await fresh();
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('link', { name: 'dora@example.com' }).click();
      await page.waitForURL(`${s.url}/ui/users/${userId}`);
      await page.getByRole('heading', { name: 'dora@example.com' }).waitFor();
      await page.getByRole('link', { name: 'Dora team' }).waitFor();
      await page.getByRole('row').filter({ hasText: 'doras-key' }).waitFor();
      await settled(page);
      await accessible(page, 'user page');
      await shot(page, 'user');

      await page.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit user' });
      await edit.getByRole('combobox', { name: 'Role' }).click();
      await page.getByRole('option', { name: 'Internal viewer' }).click();
      await edit.getByLabel('Budget (USD)').fill('7.5');
      await accessible(page, 'edit user dialog');
      await edit.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByRole('dialog', { name: 'Edit user' }).count()).toBe(0);
      const after = await s.gql(`query($id: ID!) { user(id: $id) { userRole maxBudget } }`, { id: userId });
      expect(after.data.user.userRole.toLowerCase()).toBe('internal_user_viewer');
      expect(after.data.user.maxBudget).toBe(7.5);
      await page.getByText('Internal viewer').first().waitFor();

      // a password-reset link, shown once
      await page.getByRole('button', { name: 'Password reset' }).click();
      const reset = page.getByRole('dialog', { name: 'Password-reset link' });
      const resetLink = await reset.getByLabel('Password-reset link', { exact: true }).inputValue();
      expect(resetLink.startsWith(`${s.url}/ui/invite/`)).toBe(true);
      expect(resetLink).not.toBe(oldLink);
      await page.keyboard.press('Escape');

      // the confirmation says what goes with the user
      await page.getByRole('button', { name: 'Delete user' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete user dora@example.com?' });
      expect(await confirm.innerText()).toContain('with 1 key (calls with them stop at once) and 1 team membership');
      await confirm.getByRole('button', { name: 'Delete user' }).click();
      await page.waitForURL(`${s.url}/ui/users`);
      await page.getByRole('table', { name: 'Users' }).waitFor();
      expect(await page.getByRole('link', { name: 'dora@example.com' }).count()).toBe(0);
      const gone = await s.gql(`query($id: ID!) { user(id: $id) { id } }`, { id: userId });
      expect(gone.code).toBe('NOT_FOUND');
      const call = await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
      expect(call.status).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('an admin creates a user with + New user and lands on their page; an admin viewer sees a user page with no write control', async () => {
    const { context, page } = await fresh();
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('button', { name: 'New user' }).click();
      const dialog = page.getByRole('dialog', { name: 'New user' });
      await dialog.getByLabel('Email', { exact: true }).fill('nico@example.com');
      await dialog.getByLabel('Budget (USD)').fill('3');
      await accessible(page, 'new user dialog');
      await dialog.getByRole('button', { name: 'Create user' }).click();
      await page.getByRole('heading', { name: 'nico@example.com' }).waitFor();
      const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      const created = await s.gql(`query($id: ID!) { user(id: $id) { email maxBudget hasPassword userRole } }`, { id });
      expect(created.data.user).toMatchObject({ email: 'nico@example.com', maxBudget: 3, hasPassword: false });
      expect(created.data.user.userRole.toLowerCase()).toBe('internal_user');
      await page.getByText('No keys of this user.').waitFor();
      await page.getByText('None yet').waitFor();
    } finally {
      await context.close();
    }

    const target = await s.gql(`{ users(filter: { email: "nico@example.com" }) { edges { node { id } } } }`);
    const nicoId = target.data.users.edges[0].node.id as string;
    const { link } = await invite(s, 'wes@example.com', 'proxy_admin_viewer');
    const viewer = await fresh();
    try {
      await accept(s, viewer.page, link);
      await viewer.page.goto(`${s.url}/ui/users/${nicoId}`);
      await viewer.page.getByRole('heading', { name: 'nico@example.com' }).waitFor();
      await settled(viewer.page);
      expect(await viewer.page.getByRole('button', { name: /^(Edit|Password reset|Delete user)$/ }).count()).toBe(0);
      await viewer.page.goto(`${s.url}/ui/users`);
      await viewer.page.getByRole('table', { name: 'Users' }).waitFor();
      expect(await viewer.page.getByRole('button', { name: /^(New user|Invite user)$/ }).count()).toBe(0);
    } finally {
      await viewer.context.close();
    }
  });

  it('an admin resends an invitation (the old link stops working, the new one works) and revokes another', async () => {
    const first = await invite(s, 'rita@example.com', 'internal_user');
    const second = await invite(s, 'rex@example.com', 'internal_user');
    const { context, page } = await fresh();
    let newLink: string;
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.getByRole('link', { name: 'Invitations' }).click();
      await page.getByRole('button', { name: 'Resend invitation to rita@example.com' }).click();
      const dialog = page.getByRole('dialog', { name: 'New invitation link' });
      newLink = await dialog.getByLabel('Invitation link', { exact: true }).inputValue();
      expect(newLink).not.toBe(first.link);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Revoke invitation to rex@example.com' }).click();
      const rex = page.getByRole('row').filter({ hasText: 'rex@example.com' });
      await rex.getByText('revoked').waitFor();
      expect(await page.getByRole('button', { name: 'Revoke invitation to rex@example.com' }).count()).toBe(0);
      await accessible(page, 'invitations after revoke');
    } finally {
      await context.close();
    }

    const person = await fresh();
    try {
      await person.page.goto(first.link);
      await person.page.getByText(/can no longer be used|not valid|revoked/).waitFor();
      await person.page.goto(second.link);
      await person.page.getByText('This invitation link was revoked. Ask your admin for a new one.').waitFor();
      await accept(s, person.page, newLink);
    } finally {
      await person.context.close();
    }
  });

  it('the new pages fit a 360 px phone without horizontal scroll and pass axe there', { timeout: 60_000 }, async () => {
    const { userId } = await invite(s, 'pia@example.com', 'internal_user');
    const { context, page } = await fresh({ width: 360, height: 740 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      const pages: [string, string, string][] = [
        ['/ui/audit', 'Audit', 'audit'],
        ['/ui/settings', 'Settings', 'settings'],
        [`/ui/users/${userId}`, 'pia@example.com', 'user'],
      ];
      for (const [path, heading, name] of pages) {
        await page.goto(`${s.url}${path}`);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await settled(page);
        expect({ path, overflow: await overflow() }).toEqual({ path, overflow: 0 });
        await accessible(page, `${path} at 360 px`);
        await shot(page, name);
      }
    } finally {
      await context.close();
    }
  });
});
