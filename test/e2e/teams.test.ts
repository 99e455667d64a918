/**
 * Teams, SSO and sign-out in real Chromium (Debian's /usr/bin/chromium via playwright-core)
 * against a real Purser serving ui/build, with the test OpenID provider: an admin creates a team, edits a
 * team's budget and blocks it (the API shows both); a team admin adds a member by email,
 * changes their team role and removes them, and sees no team-settings control; SSO sign-in
 * from the sign-in page lands the person in their IdP group's team; sign-out ends at
 * PROXY_LOGOUT_URL. Each page passes axe-core (no serious or critical violation).
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, accessible, invite, launchChromium, signIn } from '../helpers/browser.js';
import { freePort, MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';
import { CLIENT_ID, CLIENT_SECRET, startIdp, type TestIdp } from '../sso/idp.js';

const SHOTS = join(process.cwd(), '.tmp', 'screenshots', 'teams');

let s: TestServer;
let idp: TestIdp;
let browser: Browser;
/** where PROXY_LOGOUT_URL points: a page of its own origin, as an IdP's logout would be */
let goodbye: Server;
let logoutUrl = '';

async function fresh(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP only so axe-core can be injected; dashboard.test.ts checks the CSP itself
  const context = await browser.newContext({ viewport, bypassCSP: true });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

const settled = (page: Page) => expect.poll(() => page.getByLabel('Loading').count()).toBe(0);
const members = (page: Page) => page.getByRole('table', { name: 'Members' }).locator('tbody tr');

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}-${page.viewportSize()!.width}.png`), fullPage: true });
}

const team = async (id: string) => (await s.gql(`query($id: ID!) { team(id: $id) { maxBudget budgetDuration blocked members { userId role } } }`, { id })).data.team;

beforeAll(async () => {
  goodbye = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!doctype html><html lang="en"><title>Signed out</title><main><h1>You are signed out</h1></main></html>');
  });
  await new Promise<void>((r) => goodbye.listen(0, '127.0.0.1', r));
  logoutUrl = `http://127.0.0.1:${(goodbye.address() as AddressInfo).port}/goodbye?from=purser`;

  let port = 0;
  idp = await startIdp(async () => `http://127.0.0.1:${(port = await freePort())}`, [
    { sub: 'sami', email: 'sami@example.com', email_verified: true, name: 'Sami', groups: ['team-eng', 'Everyone'] },
  ]);
  s = await startServer(
    { general_settings: { litellm_jwtauth: { team_ids_jwt_field: 'groups' }, sso_team_id_pattern: '^team-' } },
    {
      port,
      ui: true,
      env: {
        PROXY_BASE_URL: `http://127.0.0.1:${port}`,
        GENERIC_ISSUER: idp.issuer,
        GENERIC_CLIENT_ID: CLIENT_ID,
        GENERIC_CLIENT_SECRET: CLIENT_SECRET,
        GENERIC_SCOPE: 'openid email profile groups',
        PROXY_LOGOUT_URL: logoutUrl,
      },
    },
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  await idp?.close();
  await new Promise((r) => goodbye?.close(r));
});

describe('teams in a real browser', () => {
  it('an admin creates a team, edits its budget and blocks it; the API shows each change', { timeout: 60_000 }, async () => {
    const { context, page } = await fresh();
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.getByRole('link', { name: 'Teams' }).click();
      await page.getByRole('button', { name: 'Create team' }).click();
      const create = page.getByRole('dialog', { name: 'Create team' });
      await create.getByLabel('Team name').fill('Budget team');
      await create.getByLabel('Budget (USD)').fill('10');
      await create.getByLabel('Tokens per minute').fill('5000');
      await accessible(page, 'create team dialog');
      await create.getByRole('button', { name: 'Create team' }).click();
      await page.getByRole('link', { name: 'Budget team' }).click();
      await page.waitForURL(/\/ui\/teams\/[^/]+$/);
      const teamId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      expect((await s.gql(`query($id: ID!) { team(id: $id) { teamAlias maxBudget tpmLimit } }`, { id: teamId })).data.team).toEqual({ teamAlias: 'Budget team', maxBudget: 10, tpmLimit: 5000 });
      await page.getByRole('heading', { name: 'Budget team' }).waitFor();
      await settled(page);

      await page.getByRole('button', { name: 'Edit team' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit team' });
      expect(await dialog.getByLabel('Budget (USD)').inputValue()).toBe('10');
      await dialog.getByLabel('Budget (USD)').fill('42.5');
      await dialog.getByLabel('Budget resets every').fill('1mo');
      await dialog.getByLabel('Requests per minute').fill('60');
      await accessible(page, 'edit team dialog');
      await shot(page, 'edit-team');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByRole('dialog', { name: 'Edit team' }).count()).toBe(0);
      expect(await team(teamId)).toMatchObject({ maxBudget: 42.5, budgetDuration: '1mo', blocked: false });
      await page.getByText('Resets every 1mo').waitFor();
      await page.getByText(/60 requests\/min/).waitFor();

      // a bad value is refused by the API, shown in the toast, and changes nothing
      await page.getByRole('button', { name: 'Edit team' }).click();
      await dialog.getByLabel('Budget resets every').fill('fortnightly');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.locator('[data-sonner-toast][data-type="error"]').first().waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect((await team(teamId)).budgetDuration).toBe('1mo');

      await page.getByRole('button', { name: 'Block team' }).click();
      await page.getByRole('button', { name: 'Unblock team' }).waitFor();
      // the button follows the click at once; the API state is the event to wait for
      await expect.poll(async () => (await team(teamId)).blocked).toBe(true);
      await accessible(page, 'blocked team page');
      await shot(page, 'team-admin-view');
      await page.getByRole('button', { name: 'Unblock team' }).click();
      await page.getByRole('button', { name: 'Block team' }).waitFor();
      await expect.poll(async () => (await team(teamId)).blocked).toBe(false);
    } finally {
      await context.close();
    }
  });

  it('a team admin adds a member by email, changes their role and removes them; team settings are read-only', { timeout: 90_000 }, async () => {
    const created = await s.gql(`mutation { createTeam(input: { teamAlias: "Crew", maxBudget: 20 }) { id } }`);
    const teamId = created.data.createTeam.id as string;
    const lead = await invite(s, 'lead@example.com', 'internal_user');
    const mate = await invite(s, 'mate@example.com', 'internal_user');
    expect((await s.gql(`mutation($t: ID!, $u: ID!) { addTeamMember(input: { teamId: $t, userId: $u, role: ADMIN }) { role } }`, { t: teamId, u: lead.userId })).errors).toBeUndefined();

    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const { context, page } = await fresh(viewport);
      try {
        if (viewport.width === 1280) await accept(s, page, lead.link);
        else await signIn(s, page, 'lead@example.com', 'violet-harbor-trombone-58');
        await page.goto(`${s.url}/ui/teams/${teamId}`);
        await page.getByRole('heading', { name: 'Crew' }).waitFor();
        await settled(page);
        // people, not settings: no edit or block control, and the page says who changes them
        expect(await page.getByRole('button', { name: 'Edit team' }).count()).toBe(0);
        expect(await page.getByRole('button', { name: /Block team|Unblock team/ }).count()).toBe(0);
        await page.getByText('Team settings are changed by a proxy admin.').waitFor();
        if (viewport.width === 390) {
          expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
          await accessible(page, 'team page as team admin, phone');
          await shot(page, 'team-admin-members');
          continue;
        }

        await page.getByLabel('Add member by email').fill('mate@example.com');
        await page.getByRole('button', { name: 'Add member' }).click();
        await expect.poll(() => members(page).filter({ hasText: 'mate@example.com' }).count()).toBe(1);
        expect((await team(teamId)).members).toContainEqual({ userId: mate.userId, role: 'USER' });

        await page.getByRole('combobox', { name: 'Team role of mate@example.com' }).click();
        await page.getByRole('option', { name: 'Team admin' }).click();
        await expect.poll(async () => (await team(teamId)).members.find((m: { userId: string }) => m.userId === mate.userId)?.role).toBe('ADMIN');
        await accessible(page, 'team page as team admin');
        await shot(page, 'team-admin-members');

        await page.getByRole('button', { name: 'Remove mate@example.com' }).click();
        const confirm = page.getByRole('dialog', { name: 'Remove mate@example.com from the team?' });
        await accessible(page, 'remove member dialog');
        await confirm.getByRole('button', { name: 'Remove member' }).click();
        await expect.poll(() => members(page).filter({ hasText: 'mate@example.com' }).count()).toBe(0);
        expect((await team(teamId)).members.map((m: { userId: string }) => m.userId)).toEqual([lead.userId]);

        // the API refuses the settings change the page does not offer
        const refused = await s.gql(`mutation($t: ID!) { updateTeam(input: { teamId: $t, maxBudget: 999 }) { id } }`, { t: teamId }, null, { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') });
        expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect((await team(teamId)).maxBudget).toBe(20);
      } finally {
        await context.close();
      }
    }
  });

  it('SSO sign-in from the sign-in page lands the person in their IdP group’s team', { timeout: 60_000 }, async () => {
    expect((await s.gql(`mutation { createTeam(input: { teamId: "team-eng", teamAlias: "Engineering" }) { id } }`)).errors).toBeUndefined();
    idp.nextAccountId = 'sami';
    const { context, page } = await fresh();
    try {
      await page.goto(`${s.url}/ui/login`);
      await accessible(page, 'sign-in page with SSO');
      await page.getByRole('link', { name: 'Sign in with SSO' }).click();
      await page.waitForURL(`${s.url}/ui/keys`);
      await page.getByRole('link', { name: 'Teams' }).click();
      await page.getByRole('link', { name: 'Engineering' }).click();
      await page.waitForURL(`${s.url}/ui/teams/team-eng`);
      await expect.poll(() => members(page).filter({ hasText: 'sami@example.com' }).count()).toBe(1);
      expect(await members(page).filter({ hasText: 'sami@example.com' }).innerText()).toMatch(/SSO/);
      await settled(page);
      await accessible(page, 'team page after SSO');
      await shot(page, 'sso-team');
      const t = await s.gql(`{ team(id: "team-eng") { members { userId source } } }`);
      expect(t.data.team.members).toEqual([{ userId: 'sami', source: 'SSO' }]);
    } finally {
      await context.close();
    }
  });

  it('sign-out ends at PROXY_LOGOUT_URL and the session is gone', { timeout: 60_000 }, async () => {
    const { context, page } = await fresh();
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(logoutUrl);
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      await shot(page, 'signed-out');
      await accessible(page, 'logout page');
      // the dashboard asks for sign-in again
      await page.goto(`${s.url}/ui/keys`);
      await page.waitForURL(/\/ui\/login/);
    } finally {
      await context.close();
    }
  });
});
