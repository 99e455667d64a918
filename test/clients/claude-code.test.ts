/**
 * Claude Code (the real CLI from npm, test/clients/package.json) pointed at a real Purser with a
 * key, headless (`claude -p`): a prompt with a tool call (its own Read tool on a file in a temp
 * working directory) completes through Purser, on an `anthropic/` deployment (pass-through) and on
 * a Chat-Completions-only one (translated); the calls are charged to the key; a spent key's
 * refusal is printed and not retried.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { flush, mintKey, post, bearer, sql } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { claudeBin, recordingProxy, run, type Recorder } from './run.js';

/** prices per token in micro-dollars (1 µ$ = 0.000001 USD; costs below in nano-dollars), so Claude Code's 32000-token reservations stay small */
const PRICE = { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, cache_creation_input_token_cost: 0.000004, cache_read_input_token_cost: 0.000001 };
/** the fake's Anthropic usage (10 in, 20 out, 3 cache writes, 5 cache reads) at PRICE, in µ$ */
const NATIVE_CALL_NANOS = (10 * 1 + 20 * 2 + 3 * 4 + 5 * 1) * 1000;
/** the fake chat upstream's usage (10 prompt, 20 completion) at PRICE, in µ$ */
const CHAT_CALL_NANOS = (10 * 1 + 20 * 2) * 1000;
const SECRET = 'the secret word is pomegranate';
const ANSWER = 'notes.txt says the secret word is pomegranate.';

let s: TestServer;
let proxy: Recorder;
let native: FakeUpstream;
let chatUp: FakeUpstream;
let cwd: string;

const hasToolResult = (body: any) =>
  (body.messages ?? []).some((m: any) => m.role === 'tool' || (Array.isArray(m.content) && m.content.some((b: any) => b?.type === 'tool_result')));

/** first turn: call Claude Code's Read tool on notes.txt; once its result is in the conversation: the answer */
const readThenAnswer = () => (req: { body: any }) =>
  hasToolResult(req.body) ? { text: ANSWER, tool: null } : { text: 'Let me read it.', tool: { name: 'Read', input: { file_path: join(cwd, 'notes.txt') } } };

beforeAll(async () => {
  native = await startFakeUpstream();
  chatUp = await startFakeUpstream({ usage: { prompt_tokens: 10, completion_tokens: 20 } });
  native.script = readThenAnswer();
  chatUp.script = readThenAnswer();
  s = await startServer({
    model_list: [
      { model_name: 'claude-sonnet-4-5', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: native.url, api_key: 'sk-ant-upstream' }, model_info: { ...PRICE, max_output_tokens: 64_000 } },
      { model_name: 'gpt-4.1', litellm_params: { model: 'openai/gpt-4.1', api_base: chatUp.base, api_key: 'sk-upstream' }, model_info: { ...PRICE, max_output_tokens: 32_768 } },
    ],
  });
  proxy = await recordingProxy(s.url);
  cwd = mkdtempSync(join(tmpdir(), 'purser-claude-cwd-'));
  writeFileSync(join(cwd, 'notes.txt'), `${SECRET}\n`);
});
afterAll(async () => {
  await proxy?.close();
  await s?.close();
  await native?.close();
  await chatUp?.close();
});

/** `claude -p` as a user would run it against Purser: base URL and key from the environment, a fresh HOME, no traffic to Anthropic */
function claude(key: string, model: string, prompt: string) {
  return run(claudeBin(), ['-p', prompt, '--model', model, '--allowedTools', 'Read'], {
    cwd,
    env: {
      HOME: mkdtempSync(join(tmpdir(), 'purser-claude-home-')),
      ANTHROPIC_BASE_URL: proxy.url,
      ANTHROPIC_AUTH_TOKEN: key,
      ANTHROPIC_SMALL_FAST_MODEL: model,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
    },
  });
}

const keySpend = async (keyId: string) => (await sql(s, 'select budget_spend from virtual_keys where id = ?', [keyId]))[0].budget_spend;
const messagesCalls = (from: number) => proxy.calls.slice(from).filter((c) => c.path.startsWith('/v1/messages'));

describe('Claude Code 2.1.328', () => {
  for (const [model, up, callNanos, how] of [
    ['claude-sonnet-4-5', () => native, NATIVE_CALL_NANOS, 'passed through to an anthropic/ deployment'],
    ['gpt-4.1', () => chatUp, CHAT_CALL_NANOS, 'translated to Chat Completions'],
  ] as const) {
    it(`completes a prompt with a Read tool call, ${how}, charged to the key`, { timeout: 120_000 }, async () => {
      const k = await mintKey(s, { max_budget: 10 });
      const before = up().received.length;
      const from = proxy.calls.length;
      const r = await claude(k.key, model, 'What does notes.txt say?');
      expect(r.stdout).toContain(ANSWER);
      expect(r.code).toBe(0);
      // every call Claude Code made was answered
      expect(proxy.calls.slice(from).filter((c) => c.status !== 200)).toEqual([]);
      const got = up().received.slice(before);
      expect(got.length).toBe(2);
      // the tool ran in Claude Code and its output reached the upstream
      expect(JSON.stringify(got[1]!.body)).toContain(SECRET);
      expect(JSON.stringify(got[0]!.body)).not.toContain(SECRET);
      await flush(s);
      expect(await keySpend(k.id)).toBe(2 * callNanos);
    });
  }

  it('a spent key: Claude Code prints the budget refusal, exits non-zero and does not retry', { timeout: 120_000 }, async () => {
    const k = await mintKey(s, { max_budget: 0.00005, key_alias: 'spent-claude' });
    // one call spends more than the whole budget (67 µ$ > 50 µ$)
    const first = await post(s, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, bearer(k.key));
    expect(first.status).toBe(200);
    await flush(s);
    const before = native.received.length;
    const from = proxy.calls.length;
    const r = await claude(k.key, 'claude-sonnet-4-5', 'What does notes.txt say?');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Budget has been exceeded! Key spent-claude/);
    expect(messagesCalls(from).map((c) => c.status)).toEqual([429]);
    expect(native.received.length).toBe(before);
    expect(await keySpend(k.id)).toBe(NATIVE_CALL_NANOS);
  });
});
