/**
 * The provider's prompt cache (issue 10): the cached prompt tokens each dialect's upstream
 * reports (Chat `prompt_tokens_details.cached_tokens`, Anthropic cache reads and writes,
 * Responses `input_tokens_details.cached_tokens`) land on the spend row and the roll-ups,
 * priced at `cache_read_input_token_cost` / `cache_creation_input_token_cost` to the exact
 * nano-dollar, and `cacheAnalytics` shows them by key, model, user and team, scoped by role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { PRICE, bearer, chat, flush, post, sha256, sql } from '../helpers/gateway.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

const CACHED = { ...PRICE, cache_creation_input_token_cost: 0.004, cache_read_input_token_cost: 0.0005 };
/** chat: 10 prompt (4 cached), 20 completion → 6 × 0.001 + 4 × 0.0005 + 20 × 0.002 USD; the 4 would have cost 4 × 0.001 */
const CHAT = { cost: 48_000_000, saved: 2_000_000, read: 4, write: 0 };
/** anthropic (the fake's usage): 10 input, 3 written, 5 read, 20 output */
const CLAUDE = { cost: (10 * 1000 + 3 * 4000 + 5 * 500 + 20 * 2000) * 1000, saved: 2_500_000, read: 5, write: 3 };
/** responses (the fake's usage): 18 input (8 cached), 20 output */
const RESP = { cost: (10 * 1000 + 8 * 500 + 20 * 2000) * 1000, saved: 4_000_000, read: 8, write: 0 };

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const RANGE = { from: day(-1), to: day(1) };
const FIG = 'cacheHits upstreamCalls savedSpend promptCache { hits cachedTokens writeTokens tokenRatio savedSpend }';
const CACHE = `query($f: UsageFilter!) { cacheAnalytics(filter: $f) { ${FIG}
  byKey { keyId ${FIG} } byModel { model ${FIG} } byUser { userId ${FIG} } byTeam { teamId ${FIG} } days { day ${FIG} } } }`;

let s: TestServer;
let chatUp: FakeUpstream;
let claude: FakeUpstream;
let native: FakeUpstream;
const auth: Record<string, string> = {};
const keyIds: Record<string, string> = {};

beforeAll(async () => {
  chatUp = await startFakeUpstream({ text: 'Chat answer.', usage: { prompt_tokens: 10, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 4 } } });
  claude = await startFakeUpstream({ text: 'Claude answer.' });
  native = await startFakeUpstream({ text: 'Responses answer.' });
  s = await startServer({
    model_list: [
      { model_name: 'gpt', litellm_params: { model: 'openai/gpt-4o-mini', api_base: chatUp.base, api_key: 'sk-up' }, model_info: { ...CACHED, id: 'dep-gpt', max_output_tokens: 20 } },
      { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: claude.url, api_key: 'sk-ant-up' }, model_info: { ...CACHED, id: 'dep-claude', max_output_tokens: 64 } },
      { model_name: 'native', litellm_params: { model: 'openai/gpt-4.1', api_base: native.base, api_key: 'sk-up', responses_api: 'native' }, model_info: { ...CACHED, id: 'dep-native', max_output_tokens: 64 } },
    ],
    general_settings: { proxy_batch_write_at: 30 },
  });
  expect((await s.rest('POST', '/team/new', { team_id: 'T' })).status).toBe(200);
  auth.solo = await userWithKey(s, { user_id: 'solo', user_role: 'internal_user' });
  auth.ta = await userWithKey(s, { user_id: 'ta', user_role: 'internal_user', teams: [{ team_id: 'T', role: 'admin' }] });
  const tk = await s.rest('POST', '/key/generate', { user_id: 'ta', team_id: 'T' });
  expect(tk.status).toBe(200);
  auth.team = tk.body.key;
  for (const who of ['solo', 'ta', 'team']) keyIds[who] = (await sql(s, 'select id from virtual_keys where token = ?', [sha256(auth[who]!)]))[0].id;

  // solo's personal key: chat (JSON) and Anthropic Messages; the team key: Responses and a chat stream
  expect((await chat(s, auth.solo!, { model: 'gpt' })).status).toBe(200);
  const m = await post(s, '/v1/messages', { model: 'claude', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }, bearer(auth.solo!));
  expect(m.status).toBe(200);
  const r = await post(s, '/v1/responses', { model: 'native', input: 'hi' }, bearer(auth.team!));
  expect(r.status).toBe(200);
  const st = await chat(s, auth.team!, { model: 'gpt', stream: true, stream_options: { include_usage: true } });
  expect(st.status).toBe(200);
  await flush(s);
});
afterAll(async () => {
  await s?.close();
  await chatUp?.close();
  await claude?.close();
  await native?.close();
});

const n = (v: unknown) => Number(v);
const usd = (nanos: number) => nanos / 1e9;
type Fig = { read: number; write: number; saved: number; cost: number };
const sum = (fs: Fig[]) => ({
  hits: fs.filter((f) => f.read > 0).length,
  cachedTokens: fs.reduce((a, f) => a + f.read, 0),
  writeTokens: fs.reduce((a, f) => a + f.write, 0),
  savedSpend: usd(fs.reduce((a, f) => a + f.saved, 0)),
});

describe('cached prompt tokens on the spend row and roll-ups', () => {
  it('each dialect: cached tokens, cache writes, exact cost at the cache prices and the saving', async () => {
    const rows = await sql(s, 'select key_id, model, call_type, prompt_tokens, cached_prompt_tokens, cache_write_tokens, cost_nanos, prompt_cache_saved_nanos from spend_logs order by start_time, request_id');
    const got = rows.map((r) => ({ key: r.key_id, model: r.model, prompt: n(r.prompt_tokens), read: n(r.cached_prompt_tokens), write: n(r.cache_write_tokens), cost: n(r.cost_nanos), saved: n(r.prompt_cache_saved_nanos) }));
    expect(got).toEqual([
      { key: keyIds.solo, model: 'gpt', prompt: 10, ...CHAT },
      { key: keyIds.solo, model: 'claude', prompt: 18, ...CLAUDE },
      { key: keyIds.team, model: 'native', prompt: 18, ...RESP },
      { key: keyIds.team, model: 'gpt', prompt: 10, ...CHAT },
    ]);
  });

  it('every roll-up table adds them up', async () => {
    for (const table of ['daily_model_spend', 'daily_team_spend', 'daily_user_spend', 'daily_key_spend', 'daily_key_model_spend', 'daily_customer_spend', 'weekly_team_spend', 'weekly_user_spend', 'weekly_key_spend', 'weekly_key_model_spend']) {
      const [t] = await sql(s, `select sum(prompt_cache_hits) as h, sum(cached_prompt_tokens) as r, sum(cache_write_tokens) as w, sum(prompt_cache_saved_nanos) as sv, sum(spend_nanos) as c from ${table}`);
      expect({ table, h: n(t.h), r: n(t.r), w: n(t.w), sv: n(t.sv), c: n(t.c) }).toEqual({
        table, h: 4, r: 4 + 5 + 8 + 4, w: 3, sv: CHAT.saved * 2 + CLAUDE.saved + RESP.saved, c: CHAT.cost * 2 + CLAUDE.cost + RESP.cost,
      });
    }
    const [k] = await sql(s, 'select cached_prompt_tokens, prompt_cache_saved_nanos from daily_key_model_spend where key_id = ? and model = ?', [keyIds.solo, 'claude']);
    expect([n(k.cached_prompt_tokens), n(k.prompt_cache_saved_nanos)]).toEqual([5, CLAUDE.saved]);
  });
});

describe('cacheAnalytics: the provider prompt cache beside the response cache', () => {
  it('an admin sees totals and every split by key, model, user and team', async () => {
    const r = await s.gql(CACHE, { f: RANGE });
    expect(r.errors).toBeUndefined();
    const d = r.data.cacheAnalytics;
    expect(d.cacheHits).toBe(0);
    expect(d.promptCache).toEqual({ ...sum([CHAT, CLAUDE, RESP, CHAT]), tokenRatio: 21 / (10 + 18 + 18 + 10) });
    const pc = (rows: any[], dim: string) => Object.fromEntries(rows.map((x) => [x[dim], (({ tokenRatio: _t, ...rest }) => rest)(x.promptCache)]));
    expect(pc(d.byModel, 'model')).toEqual({ gpt: sum([CHAT, CHAT]), claude: sum([CLAUDE]), native: sum([RESP]) });
    expect(pc(d.byKey, 'keyId')).toEqual({ [keyIds.solo!]: sum([CHAT, CLAUDE]), [keyIds.team!]: sum([RESP, CHAT]) });
    expect(pc(d.byUser, 'userId')).toEqual({ solo: sum([CHAT, CLAUDE]), ta: sum([RESP, CHAT]) });
    expect(pc(d.byTeam, 'teamId')).toEqual({ null: sum([CHAT, CLAUDE]), T: sum([RESP, CHAT]) });
    expect(d.days.map((x: any) => x.promptCache.cachedTokens)).toEqual([21]);
  });

  it('an internal user sees only their own prompt-cache figures', async () => {
    const r = await s.gql(CACHE, { f: RANGE }, auth.solo);
    expect(r.errors).toBeUndefined();
    const d = r.data.cacheAnalytics;
    expect(d.promptCache).toMatchObject(sum([CHAT, CLAUDE]));
    expect(d.byUser.map((x: any) => x.userId)).toEqual(['solo']);
    expect(d.byKey.map((x: any) => x.keyId)).toEqual([keyIds.solo]);
    expect(d.byTeam.map((x: any) => x.teamId)).toEqual([null]);
    expect(d.byModel.map((x: any) => x.model).sort()).toEqual(['claude', 'gpt']);
    // another user's or a foreign team's figures are refused
    expect((await s.gql(CACHE, { f: { ...RANGE, userId: 'ta' } }, auth.solo)).code).toBe('FORBIDDEN');
    expect((await s.gql(CACHE, { f: { ...RANGE, teamId: 'T' } }, auth.solo)).code).toBe('FORBIDDEN');
  });

  it("a team admin reads the team's figures", async () => {
    const d = (await s.gql(CACHE, { f: { ...RANGE, teamId: 'T' } }, auth.ta)).data.cacheAnalytics;
    expect(d.promptCache).toMatchObject(sum([RESP, CHAT]));
    expect(d.byTeam.map((x: any) => x.teamId)).toEqual(['T']);
  });

  it('the LiteLLM REST reads carry the cache tokens', async () => {
    const c = await s.rest('GET', `/global/activity/cache_hits?start_date=${RANGE.from}&end_date=${RANGE.to}`);
    expect(c.status).toBe(200);
    expect(c.body.totals).toMatchObject({ prompt_cache_hits: 4, cached_prompt_tokens: 21, cache_write_tokens: 3, prompt_cache_saved_spend: sum([CHAT, CLAUDE, RESP, CHAT]).savedSpend });
    const a = await s.rest('GET', `/user/daily/activity?start_date=${RANGE.from}&end_date=${RANGE.to}`);
    expect(a.status).toBe(200);
    expect(a.body.metadata).toMatchObject({ total_cache_read_input_tokens: 21, total_cache_creation_input_tokens: 3 });
  });
});
