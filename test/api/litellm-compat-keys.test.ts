/**
 * Issue 11: LiteLLM scripts read `/key/generate`'s answer by LiteLLM's field names, `token_id`
 * (the key's hash) included, and may go on to use that hash with `/key/info`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('/key/generate answers in LiteLLM shape', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s?.close());

  it('returns key, token, token_id (the hash), key_name, expires and the echoed request fields', async () => {
    const res = await s.rest('POST', '/key/generate', { key_alias: 'compat-1', duration: '1h', models: ['gpt-4o'], max_budget: 5 });
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b.key).toMatch(/^sk-/);
    expect(b.token_id).toBe(sha256(b.key));
    expect(b.token).toBe(b.token_id);
    expect(b.key_name).toBe(`sk-...${b.key.slice(-4)}`);
    expect(b).toMatchObject({ key_alias: 'compat-1', duration: '1h', models: ['gpt-4o'], max_budget: 5, user_id: 'default_user_id' });
    expect(new Date(b.expires).getTime()).toBeGreaterThan(Date.now());
    for (const f of ['created_by', 'updated_by', 'created_at', 'updated_at', 'litellm_budget_table', 'soft_budget', 'team_id', 'metadata'])
      expect(b).toHaveProperty(f);
    // the hash names the key in later management calls
    const info = await s.rest('GET', `/key/info?key=${b.token_id}`);
    expect(info.status).toBe(200);
    expect(info.body.info.key_alias).toBe('compat-1');
  });

  it('regenerate answers with the same shape and a new token_id', async () => {
    const first = (await s.rest('POST', '/key/generate', { key_alias: 'compat-2' })).body;
    const res = await s.rest('POST', `/key/${first.token_id}/regenerate`, {});
    expect(res.status).toBe(200);
    expect(res.body.token_id).toBe(sha256(res.body.key));
    expect(res.body.token_id).not.toBe(first.token_id);
  });
});
