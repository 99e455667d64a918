/**
 * The cache page shows the provider's prompt cache beside Purser's response cache (issue 10),
 * in real Chromium against a real Purser serving ui/build: an Anthropic upstream that reports
 * cache reads and writes, a chat upstream that reports `cached_tokens`, the response cache on.
 * The cards and tables carry the prompt-cache figures, at 1280 and 390 px (no sideways scroll
 * on a phone), and axe-core finds no serious or critical violation.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessible, launchChromium, signIn } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { PRICE, bearer, chat, flush, mintKey, post } from '../helpers/gateway.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const SHOTS = join(process.cwd(), '.tmp', 'screenshots', 'prompt-cache');
const CACHED = { ...PRICE, cache_creation_input_token_cost: 0.004, cache_read_input_token_cost: 0.0005 };

let s: TestServer;
let chatUp: FakeUpstream;
let claude: FakeUpstream;
let browser: Browser;

beforeAll(async () => {
  chatUp = await startFakeUpstream({ text: 'Chat answer.', usage: { prompt_tokens: 1000, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 800 } } });
  claude = await startFakeUpstream({ text: 'Claude answer.' });
  s = await startServer(
    {
      model_list: [
        { model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o-mini', api_base: chatUp.base, api_key: 'sk-up' }, model_info: { ...CACHED, max_output_tokens: 20 } },
        { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: claude.url, api_key: 'sk-ant-up' }, model_info: { ...CACHED, max_output_tokens: 64 } },
      ],
      litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600 } },
    },
    { ui: true },
  );
  const k = await mintKey(s, { key_alias: 'agent-prod' });
  for (const content of ['one', 'two', 'one']) expect((await chat(s, k.key, { model: 'gpt', messages: [{ role: 'user', content }] })).status).toBe(200); // the third: a response-cache hit
  expect((await post(s, '/v1/messages', { model: 'claude', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }, bearer(k.key))).status).toBe(200);
  await flush(s);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  await chatUp?.close();
  await claude?.close();
});

const settled = (page: Page) => expect.poll(() => page.getByLabel('Loading').count()).toBe(0);
const card = (page: Page, label: string) => page.locator('div', { has: page.getByText(label, { exact: true }) }).last();

describe('the cache page in a real browser', () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    it(`shows the response cache and the provider prompt cache side by side at ${viewport.width} px`, { timeout: 60_000 }, async () => {
      const context = await browser.newContext({ viewport, bypassCSP: true });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      try {
        await signIn(s, page, 'admin', MASTER_KEY);
        await page.goto(`${s.url}/ui/cache`);
        await settled(page);
        await page.getByRole('heading', { name: 'Prompt cache (provider)' }).waitFor();
        await page.getByRole('heading', { name: 'Response cache (Purser)' }).waitFor();
        // 2 chat upstream calls with 800 cached each, 1 Anthropic call with 5 read and 3 written
        await expect.poll(() => card(page, 'Prompt-cache hits').innerText()).toContain('3');
        await expect.poll(() => card(page, 'Cached prompt tokens').innerText()).toMatch(/1\.6K|1,605/);
        await expect.poll(() => card(page, 'Cache writes').innerText()).toContain('3');
        // saved: 2 × 800 × 0.0005 + 5 × 0.0005 USD = $0.8025
        await expect.poll(() => card(page, 'Saved spend').last().innerText()).toMatch(/\$0\.80/);
        const table = page.getByRole('table', { name: 'Cache by model' });
        await expect.poll(() => table.locator('thead').innerText()).toMatch(/prompt cached/i);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        await accessible(page, `cache page with prompt cache, ${viewport.width}`);
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, `cache-${viewport.width}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
