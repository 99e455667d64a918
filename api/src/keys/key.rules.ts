import { readPositiveDuration } from './rotation.js';
import type { Ctx } from '../app/context.js';
import { readDuration, type BudgetInput } from '../budgets/budget.service.js';
import { AppError, badInput, forbidden, notFound } from '../common/errors.js';
import { nanosToUsd } from '../common/money.js';
import { checkId, checkLimit, checkMetadata, checkModels, checkMoney, checkString } from '../common/validate.js';
import { authorize, isAllowed } from '../permissions/authorize.js';
import { TEAM_ROLES } from '../permissions/roles.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { Team } from '../teams/team.entity.js';
import { User } from '../users/user.entity.js';
import { coveredBy } from '../models/model-names.js';
import { findOrProvisionUser } from '../users/user.service.js';
import { applyCallingKeyCeiling } from './calling-key.rules.js';
import type { VirtualKey } from './key.entity.js';
import { current, raises, size } from './key-limits.js';

/** Key fields as both surfaces take them (GraphQL camelCase; REST maps LiteLLM's snake_case). */
export interface KeyParams extends BudgetInput {
  keyAlias?: string | null;
  userId?: string | null;
  teamId?: string | null;
  models?: string[] | null;
  duration?: string | null;
  tpmLimit?: number | null;
  rpmLimit?: number | null;
  maxParallelRequests?: number | null;
  metadata?: Record<string, unknown> | null;
  /** USD; proxy_admin only */
  spend?: number | null;
  /** LiteLLM `auto_rotate`: rotate every rotationInterval (keys/rotation.ts) */
  autoRotate?: boolean | null;
  /** LiteLLM `rotation_interval`, e.g. 30d */
  rotationInterval?: string | null;
}

export type KeyMode = 'generate' | 'update' | 'regenerate';

/** The outcome: values to write, with the owner and team they resolve to. */
export interface ResolvedKey {
  values: KeyParams;
  owner: User | null;
  team: Team | null;
}

const BOUND_FIELDS = {
  max_budget: 'maxBudget',
  budget_duration: 'budgetDuration',
  duration: 'duration',
  max_parallel_requests: 'maxParallelRequests',
  tpm_limit: 'tpmLimit',
  rpm_limit: 'rpmLimit',
} as const;
type BoundKey = keyof typeof BOUND_FIELDS;

function checkFields(p: KeyParams) {
  checkString('keyAlias', p.keyAlias);
  checkId('userId', p.userId);
  checkId('teamId', p.teamId);
  checkModels('models', p.models);
  checkMoney('maxBudget', p.maxBudget);
  checkMoney('softBudget', p.softBudget);
  checkMoney('spend', p.spend);
  readDuration('budgetDuration', p.budgetDuration);
  readDuration('duration', p.duration);
  checkLimit('tpmLimit', p.tpmLimit);
  checkLimit('rpmLimit', p.rpmLimit);
  checkLimit('maxParallelRequests', p.maxParallelRequests);
  checkMetadata('metadata', p.metadata);
  if (p.rotationInterval !== undefined && p.rotationInterval !== null) readPositiveDuration('rotationInterval', p.rotationInterval);
  if (p.autoRotate !== undefined && p.autoRotate !== null && typeof p.autoRotate !== 'boolean') throw badInput('autoRotate: expected true or false', 'autoRotate');
  if (p.keyAlias !== undefined && p.keyAlias !== null && !p.keyAlias.trim()) throw badInput('keyAlias cannot be empty.', 'keyAlias');
}

function genSettingsRefusal(message: string) {
  return new AppError('FORBIDDEN', message, null, 'key_generation_not_allowed');
}

/**
 * The one key validation for generateKey, updateKey and regenerateKey on both surfaces
 * (ROLES.md "Key rules"): explicit values → default_key_generate_params for what is unset →
 * upper bounds → the caller's ceiling → fill what is still unset with the lower of bound and
 * ceiling. Also who may mint/change which key, key_generation_settings, team membership.
 */
export async function resolveKeyParams(
  ctx: Ctx,
  mode: KeyMode,
  input: KeyParams,
  existing?: VirtualKey,
): Promise<ResolvedKey> {
  checkFields(input);
  const p = ctx.principal!;
  // what only the map's key.* bypass operations allow (proxy_admin), asked once
  const pastTeamRules = isAllowed(p, 'key.team.rules.bypass');
  const pastCeiling = isAllowed(p, 'key.ceiling.bypass');
  const ls = ctx.app.settings.config.litellm_settings;
  const v: KeyParams = { ...input };

  // owner and team
  let owner: User | null;
  let team: Team | null;
  if (mode === 'generate') {
    // spend starts at 0: a new key cannot arrive with spend already counted (both surfaces)
    if (v.spend !== undefined) throw badInput('spend cannot be set when generating a key.', 'spend');
    team = v.teamId ? await ctx.em.findOne(Team, { id: v.teamId }) : null;
    if (v.teamId && !team) throw notFound(`Team ${v.teamId} not found.`, 'teamId');
    // a key without owner (service account) only for admins minting team keys
    const ownerId = v.userId ?? (team && pastTeamRules ? null : p.userId);
    // an unknown user_id is created when the caller may create users (LiteLLM does the same)
    owner = ownerId ? await findOrProvisionUser(ctx, ownerId) : null;
    const target = { kind: 'key' as const, ownerId: owner?.id ?? null, teamId: team?.id ?? null };
    if (!team) authorize(p, owner?.id === p.userId ? 'key.generate.self' : 'key.generate.other', target);
    else {
      authorize(p, 'key.generate.team', target);
      if (owner && owner.id !== p.userId) authorize(p, 'key.generate.other', target);
    }
    checkGenerationSettings(ctx, v, team);
  } else {
    owner = existing!.user ?? null;
    team = existing!.team ?? null;
    const moves = (v.userId !== undefined && v.userId !== (owner?.id ?? null)) || (v.teamId !== undefined && v.teamId !== (team?.id ?? null));
    if (moves || v.spend !== undefined) authorize(p, 'key.owner.change');
    if (v.teamId !== undefined && v.teamId !== (team?.id ?? null)) {
      team = v.teamId ? await ctx.em.findOne(Team, { id: v.teamId }) : null;
      if (v.teamId && !team) throw notFound(`Team ${v.teamId} not found.`, 'teamId');
    }
    if (v.userId !== undefined && v.userId !== (owner?.id ?? null)) {
      owner = v.userId ? await ctx.em.findOne(User, { id: v.userId }) : null;
      if (v.userId && !owner) throw notFound(`User ${v.userId} not found.`, 'userId');
    }
  }

  // a team key's owner must belong to the team
  let membership: TeamMembership | null = null;
  if (team && owner) {
    membership = await ctx.em.findOne(TeamMembership, { team: team.id, user: owner.id });
    if (!membership) throw badInput(`User ${owner.id} is not a member of team ${team.id}.`, 'userId');
  }

  // defaults fill what is unset (generate only)
  if (mode === 'generate') {
    const d = ls.default_key_generate_params ?? {};
    if (v.maxBudget === undefined && d.max_budget !== undefined) v.maxBudget = d.max_budget;
    if (v.softBudget === undefined && d.soft_budget !== undefined) v.softBudget = d.soft_budget;
    if (v.budgetDuration === undefined && d.budget_duration !== undefined) v.budgetDuration = d.budget_duration;
    if (v.duration === undefined && d.duration !== undefined) v.duration = d.duration;
    if (v.maxParallelRequests === undefined && d.max_parallel_requests !== undefined) v.maxParallelRequests = d.max_parallel_requests;
    if (v.tpmLimit === undefined && d.tpm_limit !== undefined) v.tpmLimit = d.tpm_limit;
    if (v.rpmLimit === undefined && d.rpm_limit !== undefined) v.rpmLimit = d.rpm_limit;
    if (!v.models?.length && d.models?.length) v.models = [...d.models];
    if ((v.metadata === undefined || v.metadata === null) && d.metadata) v.metadata = { ...d.metadata };
  }

  // upper bounds: every caller, admins included; on update only a raise is checked
  const bounds = ls.upperbound_key_generate_params ?? {};
  for (const [bk, field] of Object.entries(BOUND_FIELDS) as Array<[BoundKey, (typeof BOUND_FIELDS)[BoundKey]]>) {
    const bound = bounds[bk];
    if (bound === undefined || v[field] === undefined) continue;
    if (mode !== 'generate' && !raises(field, v[field], current(existing!, field))) continue;
    if (size(field, v[field]) > size(field, bound))
      throw badInput(
        `${field} ${v[field] === null ? '(none)' : JSON.stringify(v[field])} is above the upper bound ${JSON.stringify(bound)} (litellm_settings.upperbound_key_generate_params.${bk}).`,
        field,
      );
  }

  // the caller's ceiling (non-admins): what the owner or the team may have
  const ceiling = pastCeiling ? null : ceilingOf(owner, team, membership);
  if (ceiling) {
    if (v.models?.length && ceiling.models.length) {
      // wildcard entries count as the names they cover (`openrouter/*` allows `openrouter/a`)
      const outside = v.models.filter((m) => !coveredBy(ceiling.models, m) && m !== 'all-team-models');
      if (outside.length)
        throw forbidden(`models ${JSON.stringify(outside)} are outside what ${ceiling.of} may use (${JSON.stringify(ceiling.models)}).`);
    }
    for (const field of ['maxBudget', 'tpmLimit', 'rpmLimit'] as const) {
      const cap = ceiling[field];
      if (cap === null || v[field] === undefined) continue;
      if (mode !== 'generate' && !raises(field, v[field], current(existing!, field))) continue;
      if (size(field, v[field]) > cap)
        throw forbidden(`${field} ${v[field] === null ? '(none)' : v[field]} is above ${ceiling.of}'s ${field} ${cap}.`);
    }
  }

  // fill what is still unset with the lower of bound and ceiling (generate only)
  if (mode === 'generate') {
    for (const [bk, field] of Object.entries(BOUND_FIELDS) as Array<[BoundKey, (typeof BOUND_FIELDS)[BoundKey]]>) {
      if (v[field] !== undefined && v[field] !== null) continue;
      if (v[field] === null && mode === 'generate' && bounds[bk] === undefined) continue;
      const bound = bounds[bk];
      const cap = ceiling && field in ceiling ? (ceiling as unknown as Record<string, number | null>)[field] : null;
      if (bound === undefined && (cap === null || cap === undefined)) continue;
      if (typeof bound === 'string') (v as Record<string, unknown>)[field] = bound;
      else {
        const candidates = [bound, cap].filter((x): x is number => typeof x === 'number');
        (v as Record<string, unknown>)[field] = Math.min(...candidates);
      }
    }
  }
  // a key used on the management API acts only within itself, whoever owns it
  await applyCallingKeyCeiling(ctx, mode, input, v, existing);
  return { values: v, owner, team };
}

interface Ceiling {
  of: string;
  models: string[];
  maxBudget: number | null;
  tpmLimit: number | null;
  rpmLimit: number | null;
}

export function ceilingOf(owner: User | null, team: Team | null, m: TeamMembership | null): Ceiling | null {
  if (team) {
    const budgets = [team.maxBudget, m ? nanosToUsd(m.budget.maxBudget) : null].filter((x): x is number => x !== null);
    return {
      of: `team ${team.id}`,
      models: team.models.filter((x) => x !== 'all-team-models'),
      maxBudget: budgets.length ? Math.min(...budgets) : null,
      tpmLimit: team.tpmLimit,
      rpmLimit: team.rpmLimit,
    };
  }
  if (!owner) return null;
  return {
    of: `user ${owner.id}`,
    models: owner.models.filter((x) => x !== 'no-default-models'),
    maxBudget: owner.maxBudget,
    tpmLimit: null,
    rpmLimit: null,
  };
}

/**
 * litellm_settings.key_generation_settings: why the caller may not mint a personal key
 * (team = null) or a key in `team`, or null when they may. The dashboard asks the same.
 */
export function generationRefusal(ctx: Ctx, team: Team | null): string | null {
  const p = ctx.principal!;
  const s = ctx.app.settings.config.litellm_settings.key_generation_settings;
  if (!team) {
    const roles = s?.personal_key_generation?.allowed_user_roles;
    if (roles && !roles.includes(p.role!))
      return `Personal key creation has been restricted by admin. Allowed roles=${JSON.stringify(roles)}. Your role=${p.role}.`;
    return null;
  }
  if (isAllowed(p, 'key.team.rules.bypass')) return null; // ROLES.md: proxy_admin bypasses team rules
  const allowed: readonly string[] = s?.team_key_generation?.allowed_team_member_roles ?? TEAM_ROLES; // default: every team role (self-serve)
  const teamRole = p.teams.get(team.id);
  if (!teamRole || !allowed.includes(teamRole))
    return `Team key creation in team ${team.id} is limited to team roles ${JSON.stringify(allowed)}; your team role is ${teamRole ?? 'none'}.`;
  return null;
}

function checkGenerationSettings(ctx: Ctx, v: KeyParams, team: Team | null) {
  const refusal = generationRefusal(ctx, team);
  if (refusal) throw genSettingsRefusal(refusal);
  const s = ctx.app.settings.config.litellm_settings.key_generation_settings;
  if (team && isAllowed(ctx.principal, 'key.team.rules.bypass')) return;
  requireParams(v, team ? s?.team_key_generation?.required_params : s?.personal_key_generation?.required_params);
}

const SNAKE: Record<string, keyof KeyParams> = {
  key_alias: 'keyAlias',
  user_id: 'userId',
  team_id: 'teamId',
  models: 'models',
  max_budget: 'maxBudget',
  soft_budget: 'softBudget',
  budget_duration: 'budgetDuration',
  duration: 'duration',
  tpm_limit: 'tpmLimit',
  rpm_limit: 'rpmLimit',
  max_parallel_requests: 'maxParallelRequests',
  metadata: 'metadata',
};

function requireParams(v: KeyParams, required: string[] | undefined) {
  for (const name of required ?? []) {
    const field = SNAKE[name] ?? (name as keyof KeyParams);
    if (v[field] === undefined || v[field] === null)
      throw genSettingsRefusal(`Required param ${name} is missing (litellm_settings.key_generation_settings).`);
  }
}
