/**
 * Issue 11: team model_aliases and wildcard model entries, through a running server and a
 * real fake upstream: what the caller sends, what the upstream receives, who may call what.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { chat, sql, upstreamModel } from '../helpers/gateway.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

describe('team model_aliases and wildcard model entries', () => {
  let s: TestServer;
  let up: FakeUpstream;
  let wild: FakeUpstream;
  beforeAll(async () => {
    up = await startFakeUpstream();
    wild = await startFakeUpstream();
    s = await startServer({
      model_list: [
        upstreamModel('gpt-3.5-turbo', up),
        upstreamModel('gpt-4o', up),
        { model_name: 'openrouter/*', litellm_params: { model: 'openai/*', api_base: wild.base, api_key: 'sk-or-secret' } },
      ],
    });
  });
  afterAll(async () => {
    await s?.close();
    await up?.close();
    await wild?.close();
  });

  describe('model_aliases', () => {
    let teamKey: string;
    beforeAll(async () => {
      const t = await s.rest('POST', '/team/new', { team_id: 'aliased', models: ['gpt-3.5-turbo'], model_aliases: { 'cheap-model': 'gpt-3.5-turbo' } });
      expect(t.status).toBe(200);
      expect(t.body.model_aliases).toEqual({ 'cheap-model': 'gpt-3.5-turbo' });
      teamKey = (await s.rest('POST', '/key/generate', { team_id: 'aliased' })).body.key;
    });

    it('a team key sending the alias reaches the target model', async () => {
      const before = up.received.length;
      const res = await chat(s, teamKey, { model: 'cheap-model' });
      expect(res.status).toBe(200);
      expect(up.received.slice(before).map((r) => r.body.model)).toEqual(['gpt-4o-mini']);
    });

    it('keys of other teams and personal keys do not know the alias', async () => {
      const personal = await userWithKey(s, { user_id: 'solo', user_role: 'internal_user' });
      const res = await chat(s, personal, { model: 'cheap-model' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('Invalid model name passed in model=cheap-model');
    });

    it('/team/info and GraphQL show the aliases; /team/update and GraphQL change them', async () => {
      const info = await s.rest('GET', '/team/info?team_id=aliased');
      expect(info.body.team_info.model_aliases).toEqual({ 'cheap-model': 'gpt-3.5-turbo' });
      const upd = await s.rest('POST', '/team/update', { team_id: 'aliased', model_aliases: { 'cheap-model': 'gpt-3.5-turbo', fast: 'gpt-3.5-turbo' } });
      expect(upd.status).toBe(200);
      expect(upd.body.data.model_aliases).toEqual({ 'cheap-model': 'gpt-3.5-turbo', fast: 'gpt-3.5-turbo' });
      const gq = await s.gql('mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { modelAliases } }', {
        input: { teamId: 'aliased', modelAliases: { 'cheap-model': 'gpt-3.5-turbo' } },
      });
      expect(gq.errors).toBeUndefined();
      expect(gq.data.updateTeam.modelAliases).toEqual({ 'cheap-model': 'gpt-3.5-turbo' });
      const created = await s.gql('mutation($i: CreateTeamInput!) { createTeam(input: $i) { id modelAliases } }', {
        i: { teamId: 'gql-aliased', models: ['gpt-4o'], modelAliases: { big: 'gpt-4o' } },
      });
      expect(created.errors).toBeUndefined();
      expect(created.data.createTeam.modelAliases).toEqual({ big: 'gpt-4o' });
      const refused = await s.gql('mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }', {
        i: { teamId: 'gql-bad', models: ['gpt-4o'], modelAliases: { small: 'gpt-3.5-turbo' } },
      });
      expect(refused.code).toBe('BAD_USER_INPUT');
      const read = await s.gql('query { team(id: "aliased") { modelAliases } }');
      expect(read.data.team.modelAliases).toEqual({ 'cheap-model': 'gpt-3.5-turbo' });
      expect((await chat(s, teamKey, { model: 'fast' })).status).toBe(400);
    });

    it('refuses a target the team may not use, or one not configured, and changes nothing', async () => {
      for (const [aliases, msg] of [
        [{ x: 'gpt-4o' }, 'the team may not use model gpt-4o'],
        [{ x: 'no-such-model' }, 'model no-such-model is not configured'],
        [{ x: 5 }, 'model_aliases.x must be a model name'],
        [{ x: 'gpt-3.5-turbo\u0007' }, 'control characters'],
      ] as const) {
        const res = await s.rest('POST', '/team/update', { team_id: 'aliased', model_aliases: aliases });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(msg);
      }
      const created = await s.rest('POST', '/team/new', { team_id: 'bad-alias', models: ['gpt-4o'], model_aliases: { c: 'gpt-3.5-turbo' } });
      expect(created.status).toBe(400);
      expect((await s.rest('GET', '/team/info?team_id=bad-alias')).status).toBe(404);
      const [row] = await sql(s, 'select model_aliases from teams where id = ?', ['aliased']);
      expect(JSON.parse(row.model_aliases)).toEqual({ 'cheap-model': 'gpt-3.5-turbo' });
    });
  });

  describe('wildcards', () => {
    it('a request under the prefix goes to the wildcard deployment with the rest as upstream model', async () => {
      const key = (await s.rest('POST', '/key/generate', {})).body.key;
      const before = wild.received.length;
      const res = await chat(s, key, { model: 'openrouter/anthropic/claude-3.5-haiku' });
      expect(res.status).toBe(200);
      const got = wild.received.slice(before);
      expect(got.map((r) => r.body.model)).toEqual(['anthropic/claude-3.5-haiku']);
      expect(got[0]!.headers.authorization).toBe('Bearer sk-or-secret');
      expect((await chat(s, key, { model: 'openrouter' })).status).toBe(400);
      expect((await chat(s, key, { model: 'openrouter/' })).status).toBe(400);
    });

    it('key, user and team model lists may hold the wildcard', async () => {
      const k = (await s.rest('POST', '/key/generate', { models: ['openrouter/*'] })).body.key;
      expect((await chat(s, k, { model: 'openrouter/meta/llama-3' })).status).toBe(200);
      const denied = await chat(s, k, { model: 'gpt-4o' });
      expect(denied.status).toBe(403);
      expect(denied.body.error.type).toBe('key_model_access_denied');

      const t = await s.rest('POST', '/team/new', { team_id: 'wild-team', models: ['openrouter/*'], members_with_roles: [{ user_id: 'wm', role: 'admin' }] });
      expect(t.status).toBe(200);
      const tk = (await s.rest('POST', '/key/generate', { team_id: 'wild-team', models: ['openrouter/anthropic/claude-3.5-haiku'] }));
      expect(tk.status).toBe(200);
      expect((await chat(s, tk.body.key, { model: 'openrouter/anthropic/claude-3.5-haiku' })).status).toBe(200);
      expect((await chat(s, tk.body.key, { model: 'openrouter/meta/llama-3' })).status).toBe(403);
      expect((await chat(s, tk.body.key, { model: 'gpt-4o' })).status).toBe(403);

      expect((await s.rest('POST', '/user/new', { user_id: 'wild-user', user_role: 'internal_user', models: ['openrouter/*'], auto_create_key: false })).status).toBe(200);
      const uk = (await s.rest('POST', '/key/generate', { user_id: 'wild-user' })).body.key;
      expect((await chat(s, uk, { model: 'openrouter/x/y' })).status).toBe(200);
      expect((await chat(s, uk, { model: 'gpt-3.5-turbo' })).status).toBe(403);
      // the user's key mints keys inside its wildcard, not outside it
      const narrower = await s.rest('POST', '/key/generate', { models: ['openrouter/x/y'] }, uk);
      expect(narrower.status).toBe(200);
      expect((await chat(s, narrower.body.key, { model: 'openrouter/x/y' })).status).toBe(200);
      expect((await chat(s, narrower.body.key, { model: 'openrouter/x/z' })).status).toBe(403);
      expect((await s.rest('POST', '/key/generate', { models: ['gpt-4o'] }, uk)).status).toBe(403);
    });
  });
});
