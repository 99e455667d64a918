/**
 * Secret-scanner support (issue 10): keys have a documented prefix and a checksum, a mistyped
 * key is refused before any lookup, and a reported leak blocks the key, is audited, and tells
 * the owner by mail and webhook — without revealing whether the reported secret was live.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PATTERN, plausibleSecret } from '../../api/src/common/ids.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/gateway.js';

const chat = (s: TestServer, key: string) =>
  fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('leaked keys', () => {
  let s: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: Server;
  const posts: any[] = [];
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        posts.push(JSON.parse(raw));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    s = await startServer(
      {
        general_settings: { alerting: ['webhook', 'email'] },
        environment_variables: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SENDER_EMAIL: 'purser@example.com', SMTP_TLS: 'False' },
      },
      { env: { WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` } },
    );
    expect((await s.rest('POST', '/user/new', { user_id: 'lena', user_email: 'lena@example.com', user_role: 'internal_user', auto_create_key: false })).status).toBe(200);
    const k = await s.rest('POST', '/key/generate', { user_id: 'lena', key_alias: 'ci-bot' });
    expect(k.status).toBe(200);
    key = k.body.key;
    keyId = k.body.key_id;
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
    await new Promise<void>((r) => hook.close(() => r()));
  });

  it('new secrets match the documented scanner pattern and carry a valid checksum', async () => {
    expect(key).toMatch(KEY_PATTERN);
    expect(plausibleSecret(key)).toBe(true);
    const secrets = new Set<string>();
    for (let i = 0; i < 3; i++) secrets.add((await s.gql(`mutation { generateKey(input: {}) { secret } }`)).data.generateKey.secret);
    expect(secrets.size).toBe(3);
    for (const x of secrets) expect(x).toMatch(/^sk-prs_[0-9A-Za-z]{46}$/);
  });

  it('a mistyped key (one character changed) fails its checksum and gets the generic 401 everywhere', async () => {
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    const typo = key.slice(0, 20) + (key[20] === 'x' ? 'y' : 'x') + key.slice(21, -1) + last;
    expect(plausibleSecret(typo)).toBe(false);
    const gw = await chat(s, typo);
    expect(gw.status).toBe(401);
    expect(((await gw.json()) as any).error.type).toBe('auth_error');
    expect((await s.rest('GET', '/key/info', undefined, typo)).status).toBe(401);
    expect((await s.gql(`{ me { id } }`, {}, typo)).code).toBe('UNAUTHENTICATED');
    // the right key still works; keys in the older sk- format (the test master key) too
    expect((await chat(s, key)).status).toBe(200);
    expect((await s.rest('GET', '/key/list')).status).toBe(200);
  });

  it('an unknown or malformed report changes nothing and answers the same as a real one', async () => {
    const audit = async () => (await s.gql(`{ auditLog { totalCount } }`)).data.auditLog.totalCount;
    const before = await audit();
    const unknown = await s.rest('POST', '/key/revoke_leaked', { key: 'sk-prs_' + 'a'.repeat(46) }, null);
    expect([unknown.status, unknown.body]).toEqual([200, { status: 'received' }]);
    for (const body of [{}, { key: 5 }, { key: 'not-a-key' }, { key: 'sk-' + 'x'.repeat(300) }, { key: 'sk-a b' }, { key: key, url: 7 }]) {
      const r = await s.rest('POST', '/key/revoke_leaked', body, null);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.param).toBeDefined();
    }
    expect(await audit()).toBe(before);
    expect((await chat(s, key)).status).toBe(200);
    expect(posts).toEqual([]);
  });

  it('reporting a live secret (no credential needed) blocks the key, audits it and tells the owner by mail and webhook', async () => {
    const r = await s.rest('POST', '/key/revoke_leaked', { key, url: 'https://github.com/acme/app/blob/main/.env' }, null);
    expect([r.status, r.body]).toEqual([200, { status: 'received' }]);
    expect((await chat(s, key)).status).toBe(401);
    const info = await s.rest('GET', `/key/info?key=${keyId}`);
    expect(info.body.info.blocked).toBe(true);
    const log = await s.gql(`{ auditLog(filter: { action: "key.revoke_leaked" }) { edges { node { action targetId after } } } }`);
    expect(log.errors).toBeUndefined();
    expect(log.data.auditLog.edges.map((e: any) => [e.node.action, e.node.targetId])).toEqual([['key.revoke_leaked', keyId]]);
    expect(JSON.stringify(log.data.auditLog.edges)).not.toContain(key);

    await until(() => posts.length === 1, 'the webhook notice');
    expect(posts[0]).toMatchObject({ event: 'key_leaked', key_id: keyId, key_alias: 'ci-bot', user_id: 'lena', reported_where: 'https://github.com/acme/app/blob/main/.env' });
    expect(JSON.stringify(posts[0])).not.toContain(key);
    await until(() => smtp.received.some((m) => m.to.includes('lena@example.com')), 'the owner mail');
    const mail = smtp.received.find((m) => m.to.includes('lena@example.com'))!;
    expect(mail.text).toContain('was blocked as leaked');
    expect(mail.text).toContain(`/ui/keys/${keyId}`);
    expect(mail.text).not.toContain(key);

    // a second report of the same secret is a no-op: one notice, one audit entry
    expect((await s.rest('POST', '/key/revoke_leaked', { key }, null)).status).toBe(200);
    const again = await s.gql(`mutation($s: String!) { reportLeakedKey(input: { secret: $s }) }`, { s: key }, null);
    expect(again.data).toEqual({ reportLeakedKey: true });
    expect((await s.gql(`{ auditLog(filter: { action: "key.revoke_leaked" }) { totalCount } }`)).data.auditLog.totalCount).toBe(1);
    expect(posts.length).toBe(1);
  });

  it('GraphQL reportLeakedKey works without signing in', async () => {
    const k = await s.rest('POST', '/key/generate', { user_id: 'lena' });
    const g = await s.gql(`mutation($s: String!) { reportLeakedKey(input: { secret: $s, seenAt: "pastebin" }) }`, { s: k.body.key }, null);
    expect(g.data).toEqual({ reportLeakedKey: true });
    expect((await chat(s, k.body.key)).status).toBe(401);
    expect((await s.gql(`mutation { reportLeakedKey(input: { secret: "nope" }) }`, {}, null)).code).toBe('BAD_USER_INPUT');
  });
});
