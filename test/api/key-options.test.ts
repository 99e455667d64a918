/**
 * keyCreationOptions tells the dashboard what a caller may choose when minting a key; it must
 * agree with what generateKey then does (same role map, key_generation_settings and ceilings).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

const OPTIONS = `{ keyCreationOptions {
  personal { allowed reason models maxBudgetCeiling requiredParams }
  teams { teamId teamRole allowed reason models maxBudgetCeiling }
  forOtherUsers upperBounds { maxBudget duration rpmLimit } defaults { budgetDuration } } }`;
const MINT = `mutation($i: GenerateKeyInput!) { generateKey(input: $i) { key { id maxBudget } } }`;

describe('keyCreationOptions', () => {
  let s: TestServer;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    s = await startServer({
      litellm_settings: {
        max_internal_user_budget: 10,
        upperbound_key_generate_params: { max_budget: 100, duration: '90d', rpm_limit: 1000 },
        default_key_generate_params: { budget_duration: '1mo' },
        key_generation_settings: { team_key_generation: { allowed_team_member_roles: ['admin'], required_params: ['key_alias'] } },
      },
    });
    await s.rest('POST', '/team/new', { team_id: 'T', models: ['gpt-4o-mini'], max_budget: 50 });
    keys.member = await userWithKey(s, { user_id: 'member', user_role: 'internal_user', teams: [{ team_id: 'T', role: 'user', max_budget_in_team: 20 }] });
    keys.lead = await userWithKey(s, { user_id: 'lead', user_role: 'internal_user', teams: [{ team_id: 'T', role: 'admin' }] });
    keys.viewer = await userWithKey(s, { user_id: 'viewer', user_role: 'internal_user_viewer', teams: [{ team_id: 'T', role: 'admin' }] });
  });
  afterAll(() => s.close());

  it('an internal user: personal keys within their budget, team keys only where their team role allows', async () => {
    const o = (await s.gql(OPTIONS, {}, keys.member)).data.keyCreationOptions;
    expect(o.personal).toEqual({ allowed: true, reason: null, models: ['gpt-4o-mini', 'gpt-4o'], maxBudgetCeiling: 10, requiredParams: [] });
    expect(o.teams).toEqual([
      { teamId: 'T', teamRole: 'USER', allowed: false, reason: expect.stringMatching(/\["admin"\]/), models: ['gpt-4o-mini'], maxBudgetCeiling: 20 },
    ]);
    expect(o.forOtherUsers).toBe(false);
    expect(o.upperBounds).toEqual({ maxBudget: 100, duration: '90d', rpmLimit: 1000 });
    expect(o.defaults).toEqual({ budgetDuration: '1mo' });
    // generateKey agrees: the team key is refused, a personal key is capped at the ceiling
    expect((await s.gql(MINT, { i: { teamId: 'T', keyAlias: 'm-team' } }, keys.member)).code).toBe('FORBIDDEN');
    expect((await s.gql(MINT, { i: {} }, keys.member)).data.generateKey.key.maxBudget).toBe(10);
  });

  it('a team admin may mint team keys (ceiling: the team budget); a viewer team admin may not', async () => {
    const lead = (await s.gql(OPTIONS, {}, keys.lead)).data.keyCreationOptions;
    expect(lead.teams[0]).toMatchObject({ teamId: 'T', teamRole: 'ADMIN', allowed: true, reason: null, maxBudgetCeiling: 50 });
    expect((await s.gql(MINT, { i: { teamId: 'T', keyAlias: 'lead-team' } }, keys.lead)).data.generateKey.key.maxBudget).toBe(50);

    const viewer = (await s.gql(OPTIONS, {}, keys.viewer)).data.keyCreationOptions;
    expect(viewer.personal).toMatchObject({ allowed: false, reason: expect.stringMatching(/cannot create keys/) });
    expect(viewer.teams[0]).toMatchObject({ allowed: false, reason: expect.stringMatching(/cannot create keys/) });
    expect((await s.gql(MINT, { i: { teamId: 'T', keyAlias: 'viewer-team' } }, keys.viewer)).code).toBe('FORBIDDEN');
  });

  it('proxy_admin: no ceiling, may mint for others', async () => {
    const o = (await s.gql(OPTIONS)).data.keyCreationOptions;
    expect(o.personal).toMatchObject({ allowed: true, maxBudgetCeiling: null });
    expect(o.forOtherUsers).toBe(true);
    expect((await s.gql(OPTIONS, {}, null)).code).toBe('UNAUTHENTICATED');
  });
});
