/**
 * Pins issue 7: everything the dashboard serves under /ui/ (its files and the single-page
 * fallback for client routes) carries security headers: a Content-Security-Policy whose
 * script-src allows exactly SvelteKit's inline bootstrap by hash, frame-ancestors 'none' and
 * X-Frame-Options DENY, nosniff and a Referrer-Policy. (test/e2e/dashboard.test.ts checks that
 * the page still renders under it in Chromium.)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, UI_BUILD_DIR, type TestServer } from '../helpers/server.js';

/** the CSP directives as a map: name → sources */
const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([name, ...v]) => [name!, v]));

describe('dashboard security headers', () => {
  let s: TestServer;
  let index: string;
  beforeAll(async () => {
    if (!existsSync(join(UI_BUILD_DIR, 'index.html'))) throw new Error(`the dashboard is not built (${UI_BUILD_DIR}): run \`npm run build -w ui\``);
    index = readFileSync(join(UI_BUILD_DIR, 'index.html'), 'utf8');
    s = await startServer({}, { ui: true });
  });
  afterAll(() => s?.close());

  it('on the index, a client route (SPA fallback), an invitation link and a built asset', async () => {
    const asset = /href="(\/ui\/_app\/immutable\/[^"]+\.js)"/.exec(index)![1]!;
    for (const path of ['/ui/', '/ui/login', '/ui/invite/some-token-0123456789abcdef', asset]) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status, path).toBe(200);
      const h = res.headers;
      const csp = directives(h.get('content-security-policy') ?? '');
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(csp.get('default-src'), path).toEqual(["'self'"]);
      expect(csp.get('object-src'), path).toEqual(["'none'"]);
      expect(csp.get('script-src'), path).not.toContain("'unsafe-inline'");
      expect(h.get('x-frame-options'), path).toBe('DENY');
      expect(h.get('x-content-type-options'), path).toBe('nosniff');
      expect(h.get('referrer-policy'), path).toBe('same-origin');
    }
  });

  it('script-src allows the inline bootstrap of the built index.html by its hash', async () => {
    const inline = [...index.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
    expect(inline.length).toBeGreaterThan(0);
    const res = await fetch(`${s.url}/ui/`);
    expect(await res.text()).toBe(index);
    const scriptSrc = directives(res.headers.get('content-security-policy')!).get('script-src')!;
    expect(scriptSrc).toEqual(["'self'", ...inline]);
  });

  it('a non-GET under /ui/ is a JSON 404, as elsewhere', async () => {
    const res = await fetch(`${s.url}/ui/login`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect((await res.json()).error.type).toBe('not_found_error');
  });
});
