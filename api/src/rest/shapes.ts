import type { VirtualKey } from '../keys/key.entity.js';
import type { TeamMembership } from '../teams/membership.entity.js';
import type { memberBudget } from '../teams/membership.service.js';
import type { Team } from '../teams/team.entity.js';
import type { User } from '../users/user.entity.js';
import { iso } from './common.js';

type MemberBudget = ReturnType<typeof memberBudget>;

/** LiteLLM's response field names for our entities (never a secret or a password hash). */
export const keyRow = (k: VirtualKey) => ({
  token: k.token,
  key_id: k.id,
  key_name: k.keyName,
  key_alias: k.keyAlias,
  user_id: k.user?.id ?? null,
  team_id: k.team?.id ?? null,
  models: k.models,
  spend: k.spend,
  max_budget: k.maxBudget,
  soft_budget: k.softBudget,
  budget_duration: k.budgetDuration,
  budget_reset_at: iso(k.budgetResetAt),
  expires: iso(k.expiresAt),
  tpm_limit: k.tpmLimit,
  rpm_limit: k.rpmLimit,
  max_parallel_requests: k.maxParallelRequests,
  metadata: k.metadata,
  blocked: k.blocked,
  rotating_until: iso(k.rotatingUntil()),
  auto_rotate: k.autoRotate,
  rotation_interval: k.rotationInterval,
  next_rotation_at: iso(k.nextRotationAt),
  created_by: k.createdBy,
  created_at: iso(k.createdAt),
  updated_at: iso(k.updatedAt),
  last_active: iso(k.lastUsedAt),
});

/**
 * LiteLLM's GenerateKeyResponse: the row, the secret (shown once), `token_id` (the hash, as
 * LiteLLM names it besides `token`) and the request fields it echoes.
 */
export const generatedKeyResponse = (k: VirtualKey, secret: string, req: { duration?: string | null }) => ({
  ...keyRow(k),
  key: secret,
  token_id: k.token,
  duration: req.duration ?? null,
  updated_by: k.createdBy,
  litellm_budget_table: null,
});

export const userRow = (u: User) => ({
  user_id: u.id,
  user_email: u.email,
  user_alias: u.alias,
  user_role: u.role,
  models: u.models,
  spend: u.spend,
  personal_spend: u.personalSpend,
  max_budget: u.maxBudget,
  soft_budget: u.softBudget,
  budget_duration: u.budgetDuration,
  budget_reset_at: iso(u.budgetResetAt),
  metadata: u.metadata,
  sso_user_id: u.ssoId,
  has_password: u.hasPassword,
  last_sign_in_at: iso(u.lastSignInAt),
  created_at: iso(u.createdAt),
  updated_at: iso(u.updatedAt),
});

/** `budget` comes from memberBudget(): null figures when the caller may not see them. */
export const memberRow = (m: TeamMembership, budget: MemberBudget) => ({
  user_id: m.user.id,
  user_email: m.user.email ?? null,
  team_id: m.team.id,
  role: m.role,
  source: m.source,
  spend: budget.spend,
  max_budget_in_team: budget.maxBudget,
  budget_duration: budget.budgetDuration,
});

export const teamRow = (t: Team, members: TeamMembership[] = []) => ({
  team_id: t.id,
  team_alias: t.alias,
  models: t.models,
  spend: t.spend,
  max_budget: t.maxBudget,
  soft_budget: t.softBudget,
  budget_duration: t.budgetDuration,
  budget_reset_at: iso(t.budgetResetAt),
  tpm_limit: t.tpmLimit,
  rpm_limit: t.rpmLimit,
  blocked: t.blocked,
  metadata: t.metadata,
  team_member_permissions: t.memberPermissions,
  model_aliases: t.modelAliases,
  members_with_roles: members.map((m) => ({ user_id: m.user.id, user_email: m.user.email ?? null, role: m.role })),
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
});
