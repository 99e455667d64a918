/**
 * Pins streaming and the response cache (issue 3 "Streaming and the response cache"): the
 * upstream is always asked for usage, the client gets the usage chunk only if it asked; no
 * usage → an estimated row; a client that disconnects stops the upstream call and pays for what
 * was streamed. Cache: a hit never reaches the upstream, costs 0 and logs what it saved; hits
 * replay as SSE; `cache: {"no-cache": true}` opts out; the key holds everything sent upstream
 * (`user`, `metadata` too) but not the framing (`stream`); answers are shared only within
 * `cache_params.scope` (default team: a team's keys share, a personal key has its own); the
 * lookup comes after the budget check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, USAGE, admin, bearer, chat, flush, mintKey, sdk, sql, sseContent, sseEvents, until, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let up: FakeUpstream;
let noUsage: FakeUpstream;
let slowStream: FakeUpstream;

const TEXT = 'A fairly long streamed answer, cut into pieces.';
const LONG = 'abcd'.repeat(60); // 240 characters = 60 tokens by the chars/4 rule

beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE, text: TEXT });
  noUsage = await startFakeUpstream({ usage: null, text: 'twelve chars' });
  slowStream = await startFakeUpstream({ usage: 'auto', text: LONG, chunks: 30, chunkDelayMs: 150 });
  s = await startServer({
    model_list: [upstreamModel('m', up), upstreamModel('nousage', noUsage), upstreamModel('slowstream', slowStream)],
    litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600 } },
  });
});
afterAll(async () => {
  await s?.close();
  for (const u of [up, noUsage, slowStream]) await u?.close();
});

const streamRaw = (key: string, body: Record<string, unknown>) => chat(s, key, { stream: true, ...body, cache: { 'no-cache': true } });

describe('streaming', () => {
  it('forwards the usage chunk only when the client asked; always asks the upstream', async () => {
    const k = await mintKey(s);
    const { client } = sdk(s, k.key);
    // LiteLLM's per-request cache control is not in the SDK's types; the SDK sends it as given
    const params = { model: 'm', messages: [{ role: 'user' as const, content: 'with usage' }], stream: true as const, stream_options: { include_usage: true }, cache: { 'no-cache': true } };
    const stream = await client.chat.completions.create(params);
    let text = '';
    const usages: unknown[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usages.push(chunk.usage);
    }
    expect(text).toBe(TEXT);
    expect(usages).toEqual([{ ...USAGE, total_tokens: 30 }]);
    expect(up.received.at(-1)!.body.stream_options).toEqual({ include_usage: true });

    const plain = await streamRaw(k.key, { messages: [{ role: 'user', content: 'without usage' }] });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = sseEvents(plain.text);
    expect(sseContent(events)).toBe(TEXT);
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.some((e) => e !== '[DONE]' && e.usage)).toBe(false);
    // the gateway asked anyway, and billed from it
    expect(up.received.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    await flush(s);
    const rows = await sql(s, 'select prompt_tokens, completion_tokens, cost_nanos, estimated, status from spend_logs where key_id = ?', [k.id]);
    expect(rows).toEqual([
      { prompt_tokens: 10, completion_tokens: 20, cost_nanos: CALL_NANOS, estimated: 0, status: 'success' },
      { prompt_tokens: 10, completion_tokens: 20, cost_nanos: CALL_NANOS, estimated: 0, status: 'success' },
    ]);
  });

  it('an upstream that sends no usage gives an estimated row, counted from the content', async () => {
    const k = await mintKey(s);
    const prompt = 'count me: 16 chr';
    const r = await streamRaw(k.key, { model: 'nousage', messages: [{ role: 'user', content: prompt }], stream_options: { include_usage: true } });
    expect(sseContent(sseEvents(r.text))).toBe('twelve chars');
    await flush(s);
    const [row] = await sql(s, 'select prompt_tokens, completion_tokens, cost_nanos, estimated from spend_logs where key_id = ?', [k.id]);
    // characters / 4, rounded up: 16 → 4 prompt tokens, 12 → 3 completion tokens
    expect(row).toEqual({ prompt_tokens: 4, completion_tokens: 3, cost_nanos: 4 * 1_000_000 + 3 * 2_000_000, estimated: 1 });
  });

  it('a client that disconnects stops the upstream call and pays for what was streamed', async () => {
    const k = await mintKey(s);
    const abortedBefore = slowStream.aborted;
    const ac = new AbortController();
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(k.key), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slowstream', stream: true, messages: [{ role: 'user', content: 'go slowly' }] }),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let seen = '';
    while (!sseContent(sseEvents(seen)).length) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    expect(sseContent(sseEvents(seen)).length).toBeGreaterThan(0);
    ac.abort();
    await reader.read().catch(() => undefined);

    await until(() => slowStream.aborted > abortedBefore, 'the upstream stream to be aborted');
    const gw = s.running.app.gateway!;
    const row = await until(async () => {
      await flush(s);
      return (await sql(s, 'select * from spend_logs where key_id = ?', [k.id]))[0];
    }, 'the row of the interrupted call');
    const fullCompletion = Math.ceil(LONG.length / 4);
    expect(row.status).toBe('failure');
    expect(row.http_status).toBe(499);
    expect(row.estimated).toBe(1);
    expect(row.completion_tokens).toBeGreaterThan(0);
    expect(row.completion_tokens).toBeLessThan(fullCompletion);
    expect(row.cost_nanos).toBe(row.prompt_tokens * 1_000_000 + row.completion_tokens * 2_000_000);
    expect(row.cost_nanos).toBeGreaterThan(0);
    expect((await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]))[0].budget_spend).toBe(row.cost_nanos);
    expect(gw.ledger.peek({ kind: 'key', keyId: k.id })).toMatchObject({ spend: row.cost_nanos, reserved: 0 });
  });
});

describe('response cache', () => {
  it('a hit skips the upstream, costs 0, logs the saving, and replays as SSE', async () => {
    const k = await mintKey(s);
    const messages = [{ role: 'user', content: 'cache me' }];
    const before = up.received.length;
    const first = await chat(s, k.key, { messages });
    expect(first.status).toBe(200);
    expect(up.received.length).toBe(before + 1);

    const second = await chat(s, k.key, { messages });
    expect(second.status).toBe(200);
    expect(second.body.choices[0].message.content).toBe(TEXT);
    expect(up.received.length).toBe(before + 1);

    // the same prompt streamed: replayed from the cache as server-sent events
    const { client } = sdk(s, k.key);
    const stream = await client.chat.completions.create({ model: 'm', messages: messages as any, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: any = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(TEXT);
    expect(usage).toMatchObject(USAGE);
    const raw = await chat(s, k.key, { messages, stream: true });
    expect(raw.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = sseEvents(raw.text);
    expect(sseContent(events)).toBe(TEXT);
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.some((e) => e !== '[DONE]' && e.usage)).toBe(false);
    expect(up.received.length).toBe(before + 1);

    await flush(s);
    const rows = await sql(s, 'select cost_nanos, cache_hit, saved_nanos, deployment from spend_logs where key_id = ? order by start_time', [k.id]);
    expect(rows.map((r) => [r.cost_nanos, r.cache_hit, r.saved_nanos])).toEqual([
      [CALL_NANOS, 0, 0],
      [0, 1, CALL_NANOS],
      [0, 1, CALL_NANOS],
      [0, 1, CALL_NANOS],
    ]);
    expect((await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]))[0].budget_spend).toBe(CALL_NANOS);
  });

  it('the key holds user and metadata (sent upstream) but not stream; cache: {"no-cache": true} opts out', async () => {
    const k = await mintKey(s);
    const messages = [{ role: 'user', content: 'cache key test' }];
    const before = up.received.length;
    expect((await chat(s, k.key, { messages, user: 'a', metadata: { tag: 'x' } })).status).toBe(200);
    expect((await chat(s, k.key, { messages, user: 'a', metadata: { tag: 'x' } })).status).toBe(200);
    expect(up.received.length).toBe(before + 1);
    // an answer produced for user "a" is not served for user "b", nor for other metadata
    expect((await chat(s, k.key, { messages, user: 'b', metadata: { tag: 'x' } })).status).toBe(200);
    expect(up.received.at(-1)!.body.user).toBe('b');
    expect((await chat(s, k.key, { messages, user: 'a', metadata: { tag: 'y' } })).status).toBe(200);
    expect(up.received.length).toBe(before + 3);
    // the framing is not part of the key: the same request streamed is a hit
    expect((await chat(s, k.key, { messages, user: 'a', metadata: { tag: 'x' }, stream: true, stream_options: { include_usage: false } })).status).toBe(200);
    expect(up.received.length).toBe(before + 3);
    // a different parameter is a different entry
    expect((await chat(s, k.key, { messages, user: 'a', metadata: { tag: 'x' }, temperature: 0.5 })).status).toBe(200);
    expect(up.received.length).toBe(before + 4);
    // opt-out: goes upstream although cached, and is not sent upstream as a parameter
    const opt = await chat(s, k.key, { messages, user: 'a', metadata: { tag: 'x' }, cache: { 'no-cache': true } });
    expect(opt.status).toBe(200);
    expect(up.received.length).toBe(before + 5);
    expect(up.received.at(-1)!.body.cache).toBeUndefined();
    await flush(s);
    const hits = await sql(s, 'select cache_hit, count(*) as n from spend_logs where key_id = ? group by cache_hit order by cache_hit', [k.id]);
    expect(hits).toEqual([{ cache_hit: 0, n: 5 }, { cache_hit: 1, n: 2 }]);
  });

  it('default scope team: a team\'s keys share answers; a personal key\'s answers are its own, streamed replays too', async () => {
    await admin(s, '/team/new', { team_id: 'cache-team-a' });
    await admin(s, '/team/new', { team_id: 'cache-team-b' });
    const a1 = await mintKey(s, { team_id: 'cache-team-a' });
    const a2 = await mintKey(s, { team_id: 'cache-team-a' });
    const b1 = await mintKey(s, { team_id: 'cache-team-b' });
    const p1 = await mintKey(s);
    const p2 = await mintKey(s);
    const messages = [{ role: 'user', content: 'scoped cache' }];
    const before = up.received.length;
    expect((await chat(s, a1.key, { messages })).status).toBe(200);
    expect((await chat(s, a2.key, { messages })).status).toBe(200);
    expect(up.received.length).toBe(before + 1);
    for (const other of [b1, p1]) expect((await chat(s, other.key, { messages })).status).toBe(200);
    expect(up.received.length).toBe(before + 3);
    // p1's answer is not replayed to p2, streamed or not
    expect((await chat(s, p2.key, { messages, stream: true })).status).toBe(200);
    expect(up.received.length).toBe(before + 4);
    expect((await chat(s, p1.key, { messages, stream: true })).status).toBe(200);
    expect(up.received.length).toBe(before + 4);
  });

  it('the cache is looked up after the budget check: a key over budget gets 429 for a cached prompt', async () => {
    await admin(s, '/team/new', { team_id: 'cache-budget-team' });
    const k = await mintKey(s, { max_budget: 0.01, team_id: 'cache-budget-team' });
    const messages = [{ role: 'user', content: 'cached but over budget' }];
    expect((await chat(s, k.key, { messages })).status).toBe(200);
    // another key of the team sees the cached answer ...
    const other = await mintKey(s, { team_id: 'cache-budget-team' });
    const before = up.received.length;
    expect((await chat(s, other.key, { messages })).status).toBe(200);
    expect(up.received.length).toBe(before);
    // ... the key over its budget does not
    const r = await chat(s, k.key, { messages });
    expect(r.status).toBe(429);
    expect(r.body.error.type).toBe('budget_exceeded');
    const unknown = await chat(s, 'sk-not-a-key-at-all-000000000000', { messages });
    expect(unknown.status).toBe(401);
  });
});

describe('cache_params.scope', () => {
  it('global shares across personal keys; key shares with nothing else, not even the same team', async () => {
    const messages = [{ role: 'user', content: 'scope setting' }];
    for (const [scope, shared] of [['global', true], ['key', false]] as const) {
      const srv = await startServer({
        model_list: [upstreamModel('m', up)],
        litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600, scope } },
      });
      try {
        await admin(srv, '/team/new', { team_id: 'scope-team' });
        const t1 = await mintKey(srv, { team_id: 'scope-team' });
        const t2 = await mintKey(srv, { team_id: 'scope-team' });
        const p = await mintKey(srv);
        const before = up.received.length;
        for (const k of [t1, t2, p]) expect((await chat(srv, k.key, { messages })).status).toBe(200);
        expect(up.received.length - before, scope).toBe(shared ? 1 : 3);
      } finally {
        await srv.close();
      }
    }
  });

  it('an unknown scope is a config error naming the key', async () => {
    await expect(startServer({ litellm_settings: { cache: true, cache_params: { scope: 'everyone' } } })).rejects.toThrow(/litellm_settings\.cache_params\.scope/);
  });
});
