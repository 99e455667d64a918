/**
 * Budget alerts by email (general_settings.alerting: ["email"] with SMTP settings): the key
 * owner gets one mail per event and budget window, through a real SMTP server on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';
import { chat, sleep, until } from '../helpers/gateway.js';

describe('budget alerts by email', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let s: TestServer;
  let key: string;
  beforeAll(async () => {
    smtp = await startSmtp();
    s = await startServer(
      {
        model_list: [
          { model_name: 'm', litellm_params: { model: 'openai/m', mock_response: 'a reply of some length' }, model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } },
        ],
        general_settings: { alerting: ['email'] },
      },
      { env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SENDER_EMAIL: 'purser@example.com' } },
    );
    await s.rest('POST', '/user/new', { user_id: 'owner', user_email: 'owner@example.com', user_role: 'internal_user', auto_create_key: false });
    const k = await s.rest('POST', '/key/generate', { user_id: 'owner', max_budget: 0.03, key_alias: 'owner-key' });
    key = k.body.key;
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('mails the owner when the key crosses 80% and exceeds its budget, once each', async () => {
    // each call costs 0.013 USD (1 prompt token, 6 completion tokens): the second crosses 80%, the third exceeds
    for (let i = 0; i < 3; i++) await chat(s, key);
    const mails = await until(() => {
      const m = smtp.received.filter((x) => x.to.includes('owner@example.com'));
      return m.length >= 2 ? m : null;
    }, 'two alert mails');
    const texts = mails!.map((m) => m.text);
    expect(texts.some((t) => t.includes('reached 80% of its budget'))).toBe(true);
    expect(texts.some((t) => t.includes('exceeded its budget'))).toBe(true);
    expect(texts.every((t) => t.includes('key owner-key') && !t.includes('sk-'))).toBe(true);
    // more calls in the same window send nothing new
    await chat(s, key);
    await sleep(300);
    expect(smtp.received.filter((x) => x.to.includes('owner@example.com'))).toHaveLength(mails!.length);
  });
});
