/**
 * Pins the dashboard's browser contract, end to end in real Chromium (Debian's /usr/bin/chromium
 * driven by playwright-core) against a real Purser serving the built SPA (ui/build) at /ui/:
 * master-key sign-in and sign-out (the cookie dies with it), accepting an invitation (server's
 * password-strength message shown; link single use), the generic wrong-password error, and the
 * auto-redirect to SSO with ?fallback=1 keeping password sign-in reachable; the dashboard runs
 * under its Content-Security-Policy with no violation and signs out with a POST.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, MASTER_KEY, startServer, UI_BUILD_DIR, type TestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const STRONG = 'violet-harbor-trombone-58';

function preflight() {
  if (!existsSync(join(UI_BUILD_DIR, 'index.html')))
    throw new Error(`the dashboard is not built (${UI_BUILD_DIR}): run \`npm run build -w ui\` (npm test does it)`);
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (npm test does it when run as root)`);
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Content-Security-Policy violations the browser reported, over every page of every test. */
const cspViolations: string[] = [];

/** A fresh browser profile (own cookies) with one page; CSP violations are collected. */
async function freshPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`);
  });
  return { context, page };
}

const sessionCookie = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === 'purser_session');
const pathOf = (page: Page) => new URL(page.url()).pathname;

async function signIn(page: Page, base: string, username: string, password: string) {
  await page.goto(`${base}/ui/login`);
  await page.getByLabel('Email or admin').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('dashboard in a real browser', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    preflight();
    s = await startServer({}, { ui: true });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('the dashboard renders under its Content-Security-Policy, with no violation reported', async () => {
    const { context, page } = await freshPage(browser);
    try {
      const res = await page.goto(`${s.url}/ui/login`);
      expect(res!.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.getByLabel('Email or admin').isVisible()).toBe(true);
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the master-key admin signs in as admin, sees proxy_admin, signs out, and the cookie stops working', async () => {
    const { context, page } = await freshPage(browser);
    try {
      await signIn(page, s.url, 'admin', MASTER_KEY);
      await page.waitForURL(`${s.url}/ui/keys`);
      const who = page.getByRole('group', { name: 'Signed in as' });
      await expect.poll(() => who.innerText()).toMatch(/Proxy admin/);
      await page.getByRole('link', { name: 'Account' }).click();
      await page.waitForURL(`${s.url}/ui/account`);
      await expect.poll(() => page.locator('main p').filter({ hasText: 'Signed in as' }).innerText()).toMatch(/^Signed in as \S+ \(Proxy admin\)$/);
      await expect(page.getByRole('heading', { name: 'Permissions' }).isVisible()).resolves.toBe(true);
      expect(await page.locator('ul.permissions li').count()).toBeGreaterThan(0);

      const cookie = await sessionCookie(context);
      expect(cookie).toMatchObject({ httpOnly: true, path: '/' });
      const asCookie = `purser_session=${cookie!.value}`;
      expect((await s.gql(`{ me { user { userRole } } }`, {}, null, { cookie: asCookie })).data.me.user.userRole).toBe('PROXY_ADMIN');

      // the dashboard signs out with the logout mutation (GET /logout stays for LiteLLM's links)
      const [signOutRequest] = await Promise.all([
        page.waitForRequest((r) => new URL(r.url()).pathname === '/graphql' && /mutation Logout\b/.test(r.postData() ?? '')),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ]);
      expect(signOutRequest.method()).toBe('POST');
      await page.waitForURL(`${s.url}/ui/login`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.getByLabel('Email or admin').isVisible()).toBe(true);
      expect(await sessionCookie(context)).toBeUndefined();
      const after = await s.gql(`{ me { user { id } } }`, {}, null, { cookie: asCookie });
      expect(after.code).toBe('UNAUTHENTICATED');

      // the home page, signed out, sends the browser back to sign in; a deep link comes back after sign-in
      await page.goto(`${s.url}/ui/usage?days=7`);
      await page.waitForURL(`${s.url}/ui/login?next=${encodeURIComponent('/ui/usage?days=7')}`);
      await page.getByLabel('Email or admin').fill('admin');
      await page.getByLabel('Password', { exact: true }).fill(MASTER_KEY);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${s.url}/ui/usage?days=7`);
      await page.getByRole('heading', { name: 'Usage' }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${s.url}/ui/login`);
      await page.goto(`${s.url}/ui/`);
      await page.waitForURL(`${s.url}/ui/login`);
    } finally {
      await context.close();
    }
  });

  it('an invited person opens the link, is refused a weak password with the server message, sets a strong one, and the link is then used', async () => {
    const inv = await s.gql(`mutation($i: InviteUserInput!) { inviteUser(input: $i) { link emailSent } }`, {
      i: { email: 'grace@example.com', userAlias: 'Grace Hopper' },
    });
    expect(inv.errors).toBeUndefined();
    const { link, emailSent } = inv.data.inviteUser;
    expect(emailSent).toBe(false);
    expect(link.startsWith(`${s.url}/ui/invite/`)).toBe(true);

    const { context, page } = await freshPage(browser);
    try {
      await page.goto(link);
      await page.getByRole('heading', { name: 'Welcome to Purser' }).waitFor();
      const intro = await page.locator('main p').filter({ hasText: 'Choose a password for' }).innerText();
      expect(intro).toBe('Choose a password for Grace Hopper (grace@example.com).');

      // weak: passes the page's own checks (length, match), refused by the server; its message is shown
      const submit = page.getByRole('button', { name: 'Set password and sign in' });
      await page.getByLabel('New password').fill('password1');
      expect(await submit.isDisabled()).toBe(true); // not confirmed yet
      await page.getByLabel('Confirm password').fill('password1');
      expect(await page.locator('ul.hints li').allInnerTexts()).toEqual([
        '✓ 8 to 128 characters',
        '○ 12 or more characters, e.g. a few unrelated words (recommended)',
        '✓ Does not contain your email or name (recommended)',
        '✓ Both entries match',
      ]);
      const [refusal] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${s.url}/graphql` && r.request().postData()!.includes('AcceptInvitation')),
        submit.click(),
      ]);
      const serverMessage: string = (await refusal.json()).errors[0].message;
      expect(serverMessage).toMatch(/too easy to guess/);
      await expect.poll(() => page.getByRole('alert').innerText()).toBe(serverMessage);
      expect(pathOf(page)).toMatch(/^\/ui\/invite\//);
      expect(await sessionCookie(context)).toBeUndefined();

      // strong: signed in, on the home page with their email
      await page.getByLabel('New password').fill(STRONG);
      await page.getByLabel('Confirm password').fill(STRONG);
      await submit.click();
      await page.waitForURL(`${s.url}/ui/keys`);
      await page.goto(`${s.url}/ui/account`);
      await expect.poll(() => page.locator('main p').filter({ hasText: 'Signed in as' }).innerText()).toMatch(/^Signed in as grace@example\.com \(/);
      expect(await page.getByRole('heading', { name: 'Change password' }).isVisible()).toBe(true);
      expect(await sessionCookie(context)).toBeDefined();

      // the same link again: already used
      await page.goto(link);
      await page.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
      expect(await page.getByRole('alert').innerText()).toMatch(/already used/);
      expect(await page.getByRole('button', { name: 'Set password and sign in' }).count()).toBe(0);
    } finally {
      await context.close();
    }

    // the password set in the browser works for a plain sign-in
    expect((await s.rest('POST', '/v2/login', { username: 'grace@example.com', password: STRONG }, null)).status).toBe(200);
  });

  it('a wrong password shows the generic error and signs nobody in', async () => {
    const { context, page } = await freshPage(browser);
    try {
      await signIn(page, s.url, 'admin', 'not-the-master-key');
      await expect.poll(() => page.getByRole('alert').innerText()).toBe('Invalid email or password.');
      expect(pathOf(page)).toBe('/ui/login');
      expect(await page.getByRole('button', { name: 'Sign in', exact: true }).isEnabled()).toBe(true);
      expect(await sessionCookie(context)).toBeUndefined();

      // an unknown email gets the very same words
      await page.getByLabel('Email or admin').fill('nobody@example.com');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toBe('Invalid email or password.');
      expect(await sessionCookie(context)).toBeUndefined();
    } finally {
      await context.close();
    }
  });

  it('no page in these flows reported a Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});

describe('dashboard sign-in page with auto_redirect_ui_login_to_sso', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    preflight();
    const closed = await freePort(); // nothing listens there: the IdP is unreachable
    s = await startServer(
      { general_settings: { auto_redirect_ui_login_to_sso: true } },
      { ui: true, env: { GENERIC_CLIENT_ID: 'purser', GENERIC_CLIENT_SECRET: 'sso-secret', GENERIC_ISSUER: `http://127.0.0.1:${closed}` } },
    );
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('/ui/login sends the browser to /sso/key/generate; the unreachable IdP gives a readable page', async () => {
    const { context, page } = await freshPage(browser);
    try {
      const ssoNavigation = page.waitForRequest((r) => r.isNavigationRequest() && new URL(r.url()).pathname === '/sso/key/generate');
      await page.goto(`${s.url}/ui/login`);
      const request = await ssoNavigation;
      expect(request.url()).toBe(`${s.url}/sso/key/generate`);
      expect(request.frame()).toBe(page.mainFrame());
      const response = await request.response();
      expect(response!.status()).toBe(502);

      await page.waitForURL(`${s.url}/sso/key/generate`);
      await page.getByRole('heading', { name: 'Identity provider unreachable' }).waitFor();
      const text = await page.locator('body').innerText();
      expect(text).not.toMatch(/ECONNREFUSED|stack|at .*\.ts:\d+/);
      expect(await page.getByRole('link', { name: 'Sign-in page' }).getAttribute('href')).toBe('/ui/login');
    } finally {
      await context.close();
    }
  });

  it('/ui/login?fallback=1 stays on the page with the SSO button and the password form', async () => {
    const { context, page } = await freshPage(browser);
    try {
      const navigations: string[] = [];
      page.on('request', (r) => {
        if (r.isNavigationRequest()) navigations.push(new URL(r.url()).pathname);
      });
      await page.goto(`${s.url}/ui/login?fallback=1`);
      await page.getByLabel('Email or admin').waitFor();
      expect(await page.getByLabel('Password', { exact: true }).isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: 'Sign in with SSO' }).getAttribute('href')).toBe('/sso/key/generate');
      // the page has settled on the form (ui-config was read), and never left for SSO
      await page.waitForLoadState('networkidle');
      expect(navigations).toEqual(['/ui/login']);
      expect(page.url()).toBe(`${s.url}/ui/login?fallback=1`);

      // and password sign-in works from there
      await page.getByLabel('Email or admin').fill('admin');
      await page.getByLabel('Password', { exact: true }).fill(MASTER_KEY);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${s.url}/ui/keys`);
      await expect.poll(() => page.getByRole('group', { name: 'Signed in as' }).innerText()).toMatch(/Proxy admin/);
    } finally {
      await context.close();
    }
  });
});
