/**
 * Issue 7, "Bad input and leaks": `settings` shows the effective config with secrets
 * redacted, including credentials inside URLs (userinfo, secret query parameters) wherever a
 * URL appears, while the rest of each URL stays readable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const SECRETS = ['pa55w0rd', 'K-in-query', 'SIG-value', 'T-value', 'hunter2', 'tok3n', 'sk-upstream-secret', 'AKIA-cred', 'logout-secret', 'hint-tok'];

describe('settings redaction', () => {
  let s: TestServer;
  let viewer: string;

  beforeAll(async () => {
    s = await startServer(
      {
        model_list: [
          {
            model_name: 'm1',
            litellm_params: {
              model: 'openai/m1',
              api_base: 'http://user:pa55w0rd@upstream.example:8080/v1?api_key=K-in-query&region=eu',
              api_key: 'sk-upstream-secret',
            },
            model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 },
          },
          {
            model_name: 'm2',
            litellm_params: {
              model: 'openai/m2',
              // an unencoded "@" in the password, a signed URL's parameters
              api_base: 'https://svc:hun@ter2@blob.example/v1?X-Amz-Credential=AKIA-cred&X-Amz-Signature=SIG-value&sig=SIG-value&access_token=T-value&x=1',
            },
          },
          { model_name: 'm3', litellm_params: { model: 'openai/m3', mock_response: 'Docs at https://bob:hunter2@docs.example/guide?token=tok3n&page=2 — ask.' } },
        ],
      },
      { env: { PROXY_LOGOUT_URL: 'https://sso:logout-secret@idp.example/logout?id_token_hint=hint-tok&post_logout_redirect_uri=https://purser.example/' } },
    );
    await s.rest('POST', '/user/new', { user_id: 'v', user_role: 'proxy_admin_viewer', auto_create_key: false });
    viewer = (await s.rest('POST', '/key/generate', { user_id: 'v' })).body.key;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('strips userinfo and secret query parameters from every URL, keeps the rest', async () => {
    for (const auth of [s.masterKey, viewer]) {
      const g = await s.gql(`{ settings { config logoutUrl baseUrl } }`, undefined, auth);
      expect(g.errors).toBeUndefined();
      const text = JSON.stringify(g.data);
      for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
      expect(text).not.toMatch(/hun|ter2|svc:|user:|bob:|sso:/);
      const models = g.data.settings.config.model_list;
      expect(models[0].litellm_params.api_base).toBe('http://***@upstream.example:8080/v1?api_key=***&region=eu');
      expect(models[0].litellm_params.api_key).toBe('***');
      // prices named after tokens are figures, not credentials
      expect(models[0].model_info).toMatchObject({ input_cost_per_token: 0.001, output_cost_per_token: 0.002 });
      expect(models[1].litellm_params.api_base).toBe(
        'https://***@blob.example/v1?X-Amz-Credential=***&X-Amz-Signature=***&sig=***&access_token=***&x=1',
      );
      expect(models[2].litellm_params.mock_response).toBe('Docs at https://***@docs.example/guide?token=***&page=2 — ask.');
      expect(g.data.settings.logoutUrl).toBe('https://***@idp.example/logout?id_token_hint=***&post_logout_redirect_uri=https://purser.example/');
      expect(g.data.settings.config.general_settings.master_key).toBe('***');
    }
  });
});
