import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

describe('smoke: the README flow', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      litellm_settings: { max_internal_user_budget: 10, upperbound_key_generate_params: { max_budget: 100 } },
    });
  });
  afterAll(() => s.close());

  it('creates a team with the README curl, users of each role, and an internal user mints and deletes a key', async () => {
    const team = await s.rest('POST', '/team/new', { team_alias: 'team_1', team_id: 'team_id_1' });
    expect(team.status).toBe(200);
    expect(team.body.team_id).toBe('team_id_1');

    const alice = await userWithKey(s, { user_id: 'alice', user_role: 'internal_user', user_email: 'alice@example.com' });
    const minted = await s.gql(
      `mutation { generateKey(input: { keyAlias: "alice-laptop" }) { secret key { id keyName maxBudget userId } } }`,
      {},
      alice,
    );
    expect(minted.errors).toBeUndefined();
    expect(minted.data.generateKey.secret).toMatch(/^sk-/);
    // no budget given: capped at the user's own budget (10), not the upper bound (100)
    expect(minted.data.generateKey.key.maxBudget).toBe(10);
    expect(minted.data.generateKey.key.userId).toBe('alice');

    const del = await s.gql(`mutation($id: ID!) { deleteKey(input: { id: $id }) { id } }`, { id: minted.data.generateKey.key.id }, alice);
    expect(del.errors).toBeUndefined();

    const forbidden = await s.rest('POST', '/team/new', { team_alias: 'nope' }, alice);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toMatch(/role/);
  });
});
