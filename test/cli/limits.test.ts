import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { USAGE, admin, chat, flush, mintKey, upstreamModel } from '../helpers/gateway.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { buildCli, purser } from './run.js';

/**
 * `purser limits KEY_ID`: the limits explainer as a table. Spend a key to its personal user
 * budget through the gateway; the CLI then names that cap as refusing, with the gateway's words.
 */
let s: TestServer;
let up: FakeUpstream;
let cleanup: () => void;

beforeAll(async () => {
  cleanup = await buildCli();
  up = await startFakeUpstream({ usage: USAGE });
  s = await startServer({ model_list: [upstreamModel('m', up)] });
});
afterAll(async () => {
  await s?.close();
  await up?.close();
  cleanup?.();
});

describe('purser limits', () => {
  it('lists every cap, marks the one that refuses, and says what the gateway answers', async () => {
    await admin(s, '/user/new', { user_id: 'cli-lim', user_email: 'cli-lim@example.com', user_role: 'internal_user', max_budget: 0.1, budget_duration: '1mo', auto_create_key: false });
    const k = await mintKey(s, { user_id: 'cli-lim', key_alias: 'cli-lim-key', max_budget: 1, rpm_limit: 100 });
    const owner = { url: s.url, key: k.key };

    const fresh = await purser(['limits', k.id], owner);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('user cli-lim');
    expect(fresh.stdout).toContain('rpm');
    expect(fresh.stdout).toContain('may call now');

    expect((await chat(s, k.key)).status).toBe(200);
    expect((await chat(s, k.key)).status).toBe(200);
    await flush(s);
    const refused = await chat(s, k.key);
    expect(refused.status).toBe(429);
    const gatewayMessage = (refused.body as { error: { message: string } }).error.message;

    const spent = await purser(['limits', k.id, '--json'], owner);
    expect(spent.code, spent.stderr).toBe(0);
    const json = JSON.parse(spent.stdout);
    expect(json.callable).toBe(false);
    expect(json.refusal).toBe(gatewayMessage);
    expect(json.caps[0]).toMatchObject({ kind: 'BUDGET', scope: 'USER', refuses: true, remaining: 0 });

    const table = await purser(['limits', k.id], owner);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/refuses.*budget.*user cli-lim/);
    expect(table.stdout).toContain(`is refused now: ${gatewayMessage}`);
  });

  it('another user cannot read the key: NOT_FOUND, exit 1', async () => {
    const k = await mintKey(s, { key_alias: 'admin-only' });
    const bob = await userWithKey(s, { user_id: 'cli-bob', user_email: 'cli-bob@example.com', user_role: 'internal_user' });
    const r = await purser(['limits', k.id], { url: s.url, key: bob });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^NOT_FOUND: /);
  });

  it('a missing key id is a usage error before any request', async () => {
    const r = await purser(['limits'], { url: 'http://127.0.0.1:9', key: 'sk-x' });
    expect(r.code).toBe(2);
  });
});
