import type { MikroORM } from '@mikro-orm/core';
import { DEFAULT_USER_ID } from '../auth/principal.js';
import { VirtualKey } from './key.entity.js';
import type { Role, TeamRole } from '../permissions/roles.js';
import type { ChangeEvent } from '../shared-state/events.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { User } from '../users/user.entity.js';
import { intersectNames } from '../models/model-names.js';
import { budgetsOf, type BudgetView } from '../budgets/counted.js';
import { databaseUnavailable, isConnectionError, type DatabaseHealth } from '../db/outage.js';

/** While the database is away, an expired snapshot is served again for this long before the next load is tried. */
const STALE_RETRY_MS = 1_000;

/** Everything the hot path needs about a key, read once and then served from memory. */
export interface KeySnapshot {
  keyId: string | null;
  token: string;
  keyAlias: string | null;
  keyName: string;
  blocked: boolean;
  teamBlocked: boolean;
  expiresAt: number | null;
  userId: string | null;
  /** the owner's email, for alert mail */
  userEmail: string | null;
  role: Role | null;
  teamId: string | null;
  /** model names the key may call; null = every configured model */
  allowedModels: Set<string> | null;
  /** the team's model_aliases: alias the caller sends → the team's model it stands for */
  modelAliases: Record<string, string>;
  rpmLimit: number | null;
  tpmLimit: number | null;
  maxParallelRequests: number | null;
  teamRpmLimit: number | null;
  teamTpmLimit: number | null;
  /** the budgets a call counts against (budgets/counted.ts) */
  budgets: BudgetView[];
  /** window of the owner's total spend (moves on every call, blocks nothing) */
  userWindow: number | null;
  /** found by the secret before a rotation: valid only until this instant (ms), then a miss */
  graceUntil?: number;
}

/** A models list narrows; empty = all; `all-team-models` = whatever the team allows. */
function intersect(a: Set<string> | null, list: string[]): Set<string> | null {
  const clean = list.filter((m) => m !== 'all-team-models');
  if (!clean.length) return a;
  // wildcard entries (`openrouter/*`) narrow as the names they cover
  return a ? intersectNames(a, clean) : new Set(clean);
}

export function buildSnapshot(key: VirtualKey, member: TeamMembership | null): KeySnapshot {
  const user = key.user ?? null;
  const team = key.team ?? null;
  // personal key = key ∩ user models; team key = key ∩ team models (ROLES/LiteLLM)
  let allowed: Set<string> | null = intersect(null, key.models);
  if (team) allowed = intersect(allowed, team.models);
  else if (user) {
    if (user.models.includes('no-default-models')) allowed = new Set();
    else allowed = intersect(allowed, user.models);
  }
  return {
    keyId: key.id,
    token: key.token,
    keyAlias: key.keyAlias,
    keyName: key.keyName,
    // a team key whose owner left the team has no member budget bounding it: it stops
    blocked: key.blocked || (team !== null && user !== null && member === null),
    teamBlocked: team?.blocked ?? false,
    expiresAt: key.expiresAt?.getTime() ?? null,
    userId: user?.id ?? null,
    userEmail: user?.email ?? null,
    role: user?.role ?? null,
    teamId: team?.id ?? null,
    allowedModels: allowed,
    modelAliases: team?.modelAliases ?? {},
    rpmLimit: key.rpmLimit,
    tpmLimit: key.tpmLimit,
    maxParallelRequests: key.maxParallelRequests,
    teamRpmLimit: team?.rpmLimit ?? null,
    teamTpmLimit: team?.tpmLimit ?? null,
    budgets: budgetsOf(key, team, user, member),
    userWindow: user?.budget.budgetResetAt?.getTime() ?? null,
  };
}

/** A user's team memberships as a Principal reads them: team id → role. */
export type TeamRoles = ReadonlyMap<string, TeamRole>;

/**
 * token hash → immutable snapshot, with a TTL and a negative cache for unknown hashes; and
 * user id → team roles, for the Principal of a REST or GraphQL call. Change events
 * (shared-state/events.ts) purge exactly the entries they name; the TTL bounds how long an
 * entry can outlive a change whose event was lost (Redis away).
 */
export class KeyCache {
  private readonly hits = new Map<string, { snap: KeySnapshot; until: number }>();
  private readonly misses = new Map<string, number>();
  private readonly loading = new Map<string, Promise<KeySnapshot | null>>();
  private readonly teams = new Map<string, { roles: TeamRoles; until: number }>();
  private readonly teamsLoading = new Map<string, Promise<TeamRoles>>();
  /** bumped by every purge: a load that was in flight then may have read the old rows */
  private generation = 0;
  /** told when a load finds the database away or back (set by bootstrap) */
  health: DatabaseHealth | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly masterTokenHash: string,
    private readonly ttlMs = 60_000,
    private readonly negativeTtlMs = 5_000,
  ) {}

  /** cached snapshots (for /metrics and tests) */
  get size(): number {
    return this.hits.size;
  }

  async get(token: string): Promise<KeySnapshot | null> {
    const now = Date.now();
    const hit = this.hits.get(token);
    if (hit && hit.until > now) return hit.snap;
    const miss = this.misses.get(token);
    if (miss && miss > now) return null;
    let p = this.loading.get(token);
    if (!p) {
      const gen = this.generation;
      p = this.load(token).then((snap) => {
        this.loading.delete(token);
        this.health?.ok();
        // a change landed while loading: do not cache what may be stale
        if (gen === this.generation) {
          // a previous secret's snapshot never outlives its grace period
          if (snap) this.hits.set(token, { snap, until: Math.min(Date.now() + this.ttlMs, snap.graceUntil ?? Infinity) });
          else this.misses.set(token, Date.now() + this.negativeTtlMs);
          if (this.misses.size > 100_000) this.misses.clear();
        }
        return snap;
      }, (e) => {
        this.loading.delete(token);
        if (!isConnectionError(e)) throw e;
        this.health?.down();
        // database away: a key seen before keeps working on its last snapshot until it answers
        // (change events still purge it); a key never seen cannot be checked, so 503, not 401
        const stale = this.hits.get(token);
        if (!stale) throw databaseUnavailable();
        stale.until = Date.now() + STALE_RETRY_MS;
        return stale.snap;
      });
      this.loading.set(token, p);
    }
    return p;
  }

  /** The user's team roles (a Principal's `teams`), cached like snapshots and purged by the same events. */
  async teamsOf(userId: string): Promise<TeamRoles> {
    const hit = this.teams.get(userId);
    if (hit && hit.until > Date.now()) return hit.roles;
    let p = this.teamsLoading.get(userId);
    if (!p) {
      const gen = this.generation;
      p = this.orm.em
        .fork()
        .find(TeamMembership, { user: userId }, { fields: ['team', 'role'] })
        .then((ms) => {
          this.teamsLoading.delete(userId);
          const roles: TeamRoles = new Map(ms.map((m) => [m.team.id, m.role as TeamRole]));
          if (gen === this.generation) this.teams.set(userId, { roles, until: Date.now() + this.ttlMs });
          return roles;
        }, (e) => {
          this.teamsLoading.delete(userId);
          if (!isConnectionError(e)) throw e;
          this.health?.down();
          const stale = this.teams.get(userId);
          if (!stale) throw databaseUnavailable();
          stale.until = Date.now() + STALE_RETRY_MS;
          return stale.roles;
        });
      this.teamsLoading.set(userId, p);
    }
    return p;
  }

  /** Drops exactly the entries a change can have made stale. */
  apply(e: ChangeEvent): void {
    // customers and named budgets are no part of a key snapshot (gateway/customer-cache.ts)
    if (e.kind === 'customer' || e.kind === 'namedBudget') return;
    this.generation++;
    switch (e.kind) {
      case 'all':
        this.hits.clear();
        this.misses.clear();
        this.teams.clear();
        return;
      case 'key':
        if (e.tokenHash) {
          this.hits.delete(e.tokenHash);
          this.misses.delete(e.tokenHash);
        }
        return this.drop((s) => s.keyId === e.keyId);
      case 'user':
        this.teams.delete(e.userId);
        return this.drop((s) => s.userId === e.userId);
      case 'team':
        for (const [userId, t] of this.teams) if (t.roles.has(e.teamId)) this.teams.delete(userId);
        return this.drop((s) => s.teamId === e.teamId);
      case 'membership':
        this.teams.delete(e.userId);
        return this.drop((s) => s.teamId === e.teamId && s.userId === e.userId);
    }
  }

  private drop(match: (s: KeySnapshot) => boolean): void {
    // management writes are rare next to calls: one pass over the cache beats keeping indexes
    for (const [token, h] of this.hits) if (match(h.snap)) this.hits.delete(token);
  }

  private async load(token: string): Promise<KeySnapshot | null> {
    const em = this.orm.em.fork();
    if (token === this.masterTokenHash) {
      const admin = await em.findOneOrFail(User, { id: DEFAULT_USER_ID });
      return {
        keyId: null,
        token,
        keyAlias: 'master key',
        keyName: 'master key',
        blocked: false,
        teamBlocked: false,
        expiresAt: null,
        userId: admin.id,
        userEmail: admin.email,
        role: admin.role,
        teamId: null,
        allowedModels: null,
        modelAliases: {},
        rpmLimit: null,
        tpmLimit: null,
        maxParallelRequests: null,
        teamRpmLimit: null,
        teamTpmLimit: null,
        budgets: [],
        userWindow: admin.budget.budgetResetAt?.getTime() ?? null,
      };
    }
    const now = new Date();
    // the current secret, or the previous one while its grace period lasts (keys/rotation.ts)
    const key = await em.findOne(
      VirtualKey,
      { $or: [{ token }, { previousToken: token, previousTokenUntil: { $gt: now } }] },
      { populate: ['user', 'team'] },
    );
    if (!key) return null;
    const member =
      key.team && key.user ? await em.findOne(TeamMembership, { team: key.team.id, user: key.user.id }) : null;
    const snap = buildSnapshot(key, member);
    return key.token === token ? snap : { ...snap, graceUntil: key.previousTokenUntil!.getTime() };
  }
}
