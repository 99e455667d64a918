/**
 * The cache page's key and model filters, and Try it keys in analytics, in real Chromium
 * (Debian's /usr/bin/chromium via playwright-core) against a real Purser serving ui/build with
 * the fake upstream and the response cache on: filters live in the URL (a shared link opens the
 * same view), the pickers offer only what the caller may see, and playgroundKey's keys show as
 * one "Try it" row on Usage and Cache rather than as keys nobody made. axe-core finds no
 * serious or critical violation.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessible, launchChromium, signIn } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { admin, chat, flush, USAGE, upstreamModel } from '../helpers/gateway.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const SHOTS = join(process.cwd(), '.tmp', 'screenshots', 'cache-filters');

let s: TestServer;
let up: FakeUpstream;
let browser: Browser;

async function fresh(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}
async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}-${page.viewportSize()!.width}.png`), fullPage: true });
}
const settled = (page: Page) => expect.poll(() => page.getByLabel('Loading').count()).toBe(0);
const rowNames = (page: Page, table: string) => page.getByRole('table', { name: table }).locator('tbody tr td:first-child').allInnerTexts();

async function mintFor(userId: string, keyAlias: string): Promise<string> {
  const r = await s.gql(`mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret } }`, { i: { userId, keyAlias } });
  expect(r.errors).toBeUndefined();
  return r.data.generateKey.secret;
}
/** the same call twice: an upstream call, then a cache hit */
async function twice(key: string, model: string, content: string) {
  for (let i = 0; i < 2; i++) expect((await chat(s, key, { model, messages: [{ role: 'user', content }] })).status).toBe(200);
}

beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE, text: 'cached answer' });
  s = await startServer(
    { model_list: [upstreamModel('alpha', up), upstreamModel('beta', up)], litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600 } } },
    { ui: true },
  );
  await admin(s, '/user/new', { user_id: 'cara', user_email: 'cara@example.com', user_role: 'internal_user', password: 'violet-harbor-trombone-58', auto_create_key: false });
  await admin(s, '/user/new', { user_id: 'otto', user_email: 'otto@example.com', user_role: 'internal_user', auto_create_key: false });
  const caraKey = await mintFor('cara', 'cara-ci');
  const ottoKey = await mintFor('otto', 'otto-secret-project');
  await twice(caraKey, 'alpha', 'one');
  await twice(caraKey, 'beta', 'two');
  await twice(ottoKey, 'alpha', 'three');
  // two Try it sessions of cara's: both count, as one "Try it" row
  for (const content of ['four', 'five']) {
    const pg = await s.gql(`mutation { playgroundKey(input: {}) { secret } }`, {}, caraKey);
    expect(pg.errors).toBeUndefined();
    expect((await chat(s, pg.data.playgroundKey.secret, { model: 'alpha', messages: [{ role: 'user', content }] })).status).toBe(200);
  }
  await flush(s);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  await up?.close();
});

describe('cache filters and Try it keys in a real browser', () => {
  it('an internal user filters the cache page by key and model; the URL holds the view; only own keys are offered; Try it is one row', { timeout: 60_000 }, async () => {
    const { context, page } = await fresh();
    try {
      await signIn(s, page, 'cara@example.com', 'violet-harbor-trombone-58');
      await page.getByRole('link', { name: 'Cache' }).click();
      await page.waitForURL(`${s.url}/ui/cache`);
      await settled(page);
      await expect.poll(() => rowNames(page, 'Cache by key')).toEqual(expect.arrayContaining(['cara-ci', 'Try it']));
      expect(await rowNames(page, 'Cache by key')).toHaveLength(2);

      await page.getByRole('combobox', { name: 'Key' }).click();
      const offered = await page.getByRole('option').allInnerTexts();
      expect(offered.map((o) => o.trim()).sort()).toEqual(['All keys', 'Try it', 'cara-ci']);
      await page.getByRole('option', { name: 'cara-ci' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('key')).not.toBeNull();
      await page.getByRole('combobox', { name: 'Model' }).click();
      await page.getByRole('option', { name: 'beta' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBe('beta');
      await page.getByRole('status').filter({ hasText: 'Showing calls with key cara-ci and to beta.' }).waitFor();
      await expect.poll(() => rowNames(page, 'Cache by model')).toEqual(['beta']);
      await expect.poll(() => rowNames(page, 'Cache by key')).toEqual(['cara-ci']);
      await page.getByText('50%').first().waitFor();
      await settled(page);
      await accessible(page, 'cache page filtered');
      await shot(page, 'cache-filtered');

      // the link alone opens the same view
      const link = page.url();
      const other = await context.newPage();
      await other.goto(link);
      await expect.poll(() => rowNames(other, 'Cache by model')).toEqual(['beta']);
      await other.close();

      // another user's key id in the URL shows nothing of theirs
      const ottoId = (await s.gql(`{ keys(filter: { userId: "otto" }) { edges { node { id } } } }`)).data.keys.edges[0].node.id;
      await page.goto(`${s.url}/ui/cache?key=${ottoId}`);
      await page.getByText(/No calls matching these filters/).waitFor();

      await page.getByRole('link', { name: 'Usage' }).click();
      await page.waitForURL(/\/ui\/usage/);
      await expect.poll(() => rowNames(page, 'Top keys')).toEqual(expect.arrayContaining(['cara-ci', 'Try it']));
      expect(await rowNames(page, 'Top keys')).toHaveLength(2);
      await shot(page, 'usage-try-it');
    } finally {
      await context.close();
    }
  });

  it('the admin sees every key in the picker, filters by model, and clears the filters', { timeout: 60_000 }, async () => {
    const { context, page } = await fresh({ width: 390, height: 844 });
    try {
      await signIn(s, page, 'admin', MASTER_KEY);
      await page.goto(`${s.url}/ui/cache?model=alpha`);
      await settled(page);
      await expect.poll(() => rowNames(page, 'Cache by model')).toEqual(['alpha']);
      await expect.poll(async () => (await rowNames(page, 'Cache by key')).sort()).toEqual(['Try it', 'cara-ci', 'otto-secret-project']);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await accessible(page, 'cache page as admin, phone');
      await shot(page, 'cache-admin');
      await page.getByRole('link', { name: 'Clear filters' }).click();
      await expect.poll(() => new URL(page.url()).search).toBe('');
      await expect.poll(async () => (await rowNames(page, 'Cache by model')).sort()).toEqual(['alpha', 'beta']);
    } finally {
      await context.close();
    }
  });
});
