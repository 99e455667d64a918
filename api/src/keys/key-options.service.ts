import type { Ctx } from '../app/context.js';
import { configuredModels, narrow } from '../models/model.service.js';
import { authorize, isAllowed, mayAttempt } from '../permissions/authorize.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { User } from '../users/user.entity.js';
import { ceilingOf, generationRefusal } from './key.rules.js';
import { rotationOptions } from './rotation.js';

export interface KeyScopeOption {
  allowed: boolean;
  reason: string | null;
  models: string[];
  maxBudgetCeiling: number | null;
  requiredParams: string[];
}

export interface KeyLimits {
  maxBudget: number | null;
  budgetDuration: string | null;
  duration: string | null;
  maxParallelRequests: number | null;
  tpmLimit: number | null;
  rpmLimit: number | null;
}

const limits = (o: Record<string, unknown> | undefined): KeyLimits => ({
  maxBudget: (o?.max_budget as number) ?? null,
  budgetDuration: (o?.budget_duration as string) ?? null,
  duration: (o?.duration as string) ?? null,
  maxParallelRequests: (o?.max_parallel_requests as number) ?? null,
  tpmLimit: (o?.tpm_limit as number) ?? null,
  rpmLimit: (o?.rpm_limit as number) ?? null,
});

/**
 * What the caller may choose when minting a key, from the same rules generateKey applies: the
 * role map, key_generation_settings and the caller's ceiling (key.rules.ts).
 */
export async function keyCreationOptions(ctx: Ctx) {
  authorize(ctx.principal, 'me.read');
  const p = ctx.principal!;
  const ls = ctx.app.settings.config.litellm_settings;
  const kgs = ls.key_generation_settings;
  const all = configuredModels(ctx);
  // the same map operations the key rules ask (key.rules.ts)
  const pastCeiling = isAllowed(p, 'key.ceiling.bypass');
  const pastTeamRules = isAllowed(p, 'key.team.rules.bypass');
  const user = await ctx.em.findOneOrFail(User, { id: p.userId! });
  const cannot = `Your role (${p.role}) cannot create keys.`;
  const personalRefusal = mayAttempt(p, 'key.generate.self') ? generationRefusal(ctx, null) : cannot;
  const personalCeiling = pastCeiling ? null : ceilingOf(user, null, null);
  const ms = await ctx.em.find(TeamMembership, { user: user.id }, { populate: ['team'] });
  const teams = ms.map((m) => {
    const allowedByMap = isAllowed(p, 'key.generate.team', { kind: 'key', ownerId: p.userId, teamId: m.team.id });
    const refusal = allowedByMap ? generationRefusal(ctx, m.team) : cannot;
    const ceiling = pastCeiling ? null : ceilingOf(user, m.team, m);
    return {
      teamId: m.team.id,
      teamAlias: m.team.alias,
      teamRole: m.role,
      allowed: !refusal,
      reason: refusal,
      models: narrow(all, m.team.models),
      maxBudgetCeiling: ceiling?.maxBudget ?? null,
      requiredParams: pastTeamRules ? [] : (kgs?.team_key_generation?.required_params ?? []),
    };
  });
  const personal: KeyScopeOption = {
    allowed: !personalRefusal,
    reason: personalRefusal,
    models: narrow(all, user.models),
    maxBudgetCeiling: personalCeiling?.maxBudget ?? null,
    requiredParams: kgs?.personal_key_generation?.required_params ?? [],
  };
  return {
    personal,
    teams,
    forOtherUsers: mayAttempt(p, 'key.generate.other'),
    upperBounds: limits(ls.upperbound_key_generate_params),
    defaults: limits(ls.default_key_generate_params),
    rotation: rotationOptions(ctx),
  };
}
