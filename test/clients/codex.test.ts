/**
 * Codex CLI (the real CLI from npm, test/clients/package.json) pointed at a real Purser with a key
 * through a custom model provider (`wire_api = "responses"`), headless (`codex exec`): a prompt
 * with a tool call (its own exec_command tool reading a file in a temp working directory)
 * completes through Purser, on a Responses-native deployment (pass-through) and on a
 * Chat-Completions-only one (translated); the calls are charged to the key; a spent key's
 * refusal is printed and not retried.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { bearer, flush, mintKey, post, sql } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { codexBin, recordingProxy, run, type Recorder } from './run.js';

/** prices per token in micro-dollars (1 µ$ = 0.000001 USD); costs below in nano-dollars */
const PRICE = { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, cache_read_input_token_cost: 0.000001 };
/** the fake's Responses usage (18 in of which 8 cached, 20 out) at PRICE, in µ$ */
const NATIVE_CALL_NANOS = (10 * 1 + 8 * 1 + 20 * 2) * 1000;
/** the fake chat upstream's usage (10 prompt, 20 completion) at PRICE, in µ$ */
const CHAT_CALL_NANOS = (10 * 1 + 20 * 2) * 1000;
const SECRET = 'the secret word is pomegranate';
const ANSWER = 'notes.txt says the secret word is pomegranate.';

let s: TestServer;
let proxy: Recorder;
let native: FakeUpstream;
let chatUp: FakeUpstream;
let cwd: string;

const hasToolOutput = (body: any) =>
  (body.messages ?? []).some((m: any) => m.role === 'tool') || (Array.isArray(body.input) && body.input.some((i: any) => i?.type === 'function_call_output'));

/** first turn: call Codex's exec_command tool to read notes.txt; once its output is in the conversation: the answer */
const readThenAnswer = (req: { body: any }) =>
  hasToolOutput(req.body) ? { text: ANSWER, tool: null } : { text: 'Let me read it.', tool: { name: 'exec_command', input: { cmd: 'cat notes.txt' } } };

beforeAll(async () => {
  native = await startFakeUpstream();
  chatUp = await startFakeUpstream({ usage: { prompt_tokens: 10, completion_tokens: 20 } });
  native.script = readThenAnswer;
  chatUp.script = readThenAnswer;
  s = await startServer({
    model_list: [
      { model_name: 'gpt-4.1', litellm_params: { model: 'openai/gpt-4.1', api_base: native.base, api_key: 'sk-upstream', responses_api: 'native' }, model_info: { ...PRICE, max_output_tokens: 32_768 } },
      { model_name: 'chat-only', litellm_params: { model: 'openai/some-chat-model', api_base: chatUp.base, api_key: 'sk-upstream' }, model_info: { ...PRICE, max_output_tokens: 32_768 } },
    ],
  });
  proxy = await recordingProxy(s.url);
  cwd = mkdtempSync(join(tmpdir(), 'purser-codex-cwd-'));
  writeFileSync(join(cwd, 'notes.txt'), `${SECRET}\n`);
});
afterAll(async () => {
  await proxy?.close();
  await s?.close();
  await native?.close();
  await chatUp?.close();
});

/** `codex exec` as a user would run it: a config.toml with Purser as the model provider, the key in PURSER_API_KEY */
function codex(key: string, model: string, prompt: string) {
  const home = mkdtempSync(join(tmpdir(), 'purser-codex-home-'));
  writeFileSync(
    join(home, 'config.toml'),
    [
      `model = "${model}"`,
      'model_provider = "purser"',
      '[model_providers.purser]',
      'name = "Purser"',
      `base_url = "${proxy.url}/v1"`,
      'env_key = "PURSER_API_KEY"',
      'wire_api = "responses"',
      '',
    ].join('\n'),
  );
  return run(codexBin(), ['exec', '--skip-git-repo-check', '--sandbox', 'read-only', prompt], { cwd, env: { HOME: home, CODEX_HOME: home, PURSER_API_KEY: key } });
}

const keySpend = async (keyId: string) => (await sql(s, 'select budget_spend from virtual_keys where id = ?', [keyId]))[0].budget_spend;

describe('Codex CLI 0.169.0', () => {
  for (const [model, up, callNanos, how] of [
    ['gpt-4.1', () => native, NATIVE_CALL_NANOS, 'passed through to a Responses deployment'],
    ['chat-only', () => chatUp, CHAT_CALL_NANOS, 'translated to Chat Completions'],
  ] as const) {
    it(`completes a prompt with an exec_command tool call, ${how}, charged to the key`, { timeout: 120_000 }, async () => {
      const k = await mintKey(s, { max_budget: 10 });
      const before = up().received.length;
      const from = proxy.calls.length;
      const r = await codex(k.key, model, 'What does notes.txt say?');
      expect(r.stdout).toContain(ANSWER);
      expect(r.code).toBe(0);
      expect(proxy.calls.slice(from).filter((c) => c.status !== 200)).toEqual([]);
      const got = up().received.slice(before);
      expect(got.length).toBe(2);
      // the command ran in Codex and its output reached the upstream
      expect(JSON.stringify(got[1]!.body)).toContain(SECRET);
      expect(JSON.stringify(got[0]!.body)).not.toContain(SECRET);
      await flush(s);
      expect(await keySpend(k.id)).toBe(2 * callNanos);
    });
  }

  // Codex shows no 429 body but its own text for OpenAI's insufficient_quota code, which Purser
  // sends on /v1/responses for a budget stop (other 429s: "exceeded retry limit, last status: 429")
  it('a spent key: Codex prints "Quota exceeded", exits non-zero and does not retry', { timeout: 120_000 }, async () => {
    const k = await mintKey(s, { max_budget: 0.00004, key_alias: 'spent-codex' });
    // one call spends more than the whole budget (50 µ$ > 40 µ$)
    const first = await post(s, '/v1/chat/completions', { model: 'chat-only', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, bearer(k.key));
    expect(first.status).toBe(200);
    await flush(s);
    const before = native.received.length;
    const from = proxy.calls.length;
    const r = await codex(k.key, 'gpt-4.1', 'What does notes.txt say?');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('ERROR: Quota exceeded. Check your plan and billing details.');
    expect(proxy.calls.slice(from).map((c) => c.status)).toEqual([429]);
    expect(native.received.length).toBe(before);
    expect(await keySpend(k.id)).toBe(CHAT_CALL_NANOS);
  });
});
