/**
 * The browser suites' shared steps: Debian's chromium through playwright-core, and the sign-in,
 * invitation and accessibility steps every flow starts with. Each takes the server it runs on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { seriousA11yViolations } from './axe.js';
import { UI_BUILD_DIR, type TestServer } from './server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const STRONG = 'violet-harbor-trombone-58';

/** Chromium, once the dashboard is built and the browser installed (else a clear error). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(join(UI_BUILD_DIR, 'index.html'))) throw new Error(`the dashboard is not built (${UI_BUILD_DIR}): run \`npm run build -w ui\``);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function signIn(s: TestServer, page: Page, username: string, password: string) {
  await page.goto(`${s.url}/ui/login`);
  await page.getByLabel('Email or admin').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${s.url}/ui/keys`);
}

/** Opens an invitation link, sets the password, lands on the keys page. */
export async function accept(s: TestServer, page: Page, link: string) {
  await page.goto(link);
  await page.getByLabel('New password').fill(STRONG);
  await page.getByLabel('Confirm password').fill(STRONG);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.waitForURL(`${s.url}/ui/keys`);
}

/** The server's spelling of a role enum value, by introspection. */
export async function role(s: TestServer, name: string): Promise<string> {
  const r = await s.gql(`{ __type(name: "UserRole") { enumValues { name } } }`);
  return r.data.__type.enumValues.map((v: { name: string }) => v.name).find((v: string) => v.toLowerCase() === name)!;
}

/** Invites through the API (the admin's browser flow is tested once, in the walkthrough). */
export async function invite(s: TestServer, email: string, userRole: string): Promise<{ link: string; userId: string; invitationId: string }> {
  const r = await s.gql(`mutation($i: InviteUserInput!) { inviteUser(input: $i) { link invitation { id userId } } }`, { i: { email, userRole: await role(s, userRole) } });
  expect(r.errors).toBeUndefined();
  return { link: r.data.inviteUser.link, userId: r.data.inviteUser.invitation.userId, invitationId: r.data.inviteUser.invitation.id };
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function accessible(page: Page, what: string) {
  expect({ what, violations: await seriousA11yViolations(page) }).toEqual({ what, violations: [] });
}

/** The main navigation's entries, once it is there. */
export async function navLinks(page: Page): Promise<string[]> {
  const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  await links.first().waitFor();
  return links.allInnerTexts();
}
