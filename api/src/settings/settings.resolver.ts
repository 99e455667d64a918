import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Field, Float, ID, InputType, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { AuditEntry } from '../audit/audit.entity.js';
import { listAudit } from '../audit/audit.query.js';
import { dialectOf } from '../db/orm.js';
import { Connection, toConnection } from '../graphql/connection.js';
import type { GqlContext } from '../graphql/context.js';
import { TeamRoleEnum } from '../graphql/enums.js';
import { keyCreationOptions } from '../keys/key-options.service.js';
import { modelsForCaller } from '../models/model.service.js';
import { authorize } from '../permissions/authorize.js';
import { redactedConfig, redactUrls } from './redact.js';

const AuditConnection = Connection(AuditEntry, 'AuditEntry');

@ObjectType({ description: 'A model the caller may use, and how.' })
class Model {
  @Field(() => ID, { description: 'Model name as clients send it (`model_name`).' })
  id!: string;

  @Field(() => Boolean, { description: 'Usable with personal keys.' })
  personal!: boolean;

  @Field(() => [ID], { description: 'Teams through whose keys it is usable.' })
  teamIds!: string[];
}

@ObjectType({ description: 'Key limits as numbers and durations (upper bounds or defaults).' })
class KeyLimits {
  @Field(() => Float, { nullable: true, description: 'Budget in USD (`max_budget`).' }) maxBudget!: number | null;
  @Field(() => String, { nullable: true, description: 'Budget reset period (`budget_duration`, e.g. 30d, 1mo).' }) budgetDuration!: string | null;
  @Field(() => String, { nullable: true, description: 'Key lifetime (e.g. 90d).' }) duration!: string | null;
  @Field(() => Int, { nullable: true, description: 'Calls in flight at once (`max_parallel_requests`).' }) maxParallelRequests!: number | null;
  @Field(() => Int, { nullable: true, description: 'Tokens per minute.' }) tpmLimit!: number | null;
  @Field(() => Int, { nullable: true, description: 'Requests per minute.' }) rpmLimit!: number | null;
}

@ObjectType({ description: 'Whether a kind of key may be minted, and within what.' })
class KeyScopeOption {
  @Field(() => Boolean, { description: 'Whether the caller may mint it.' }) allowed!: boolean;
  @Field(() => String, { nullable: true, description: 'Why not, when not allowed.' }) reason!: string | null;
  @Field(() => [String], { description: 'Models that may be put on the key.' }) models!: string[];
  @Field(() => Float, { nullable: true, description: 'Highest maxBudget the caller may give (null = no ceiling).' })
  maxBudgetCeiling!: number | null;
  @Field(() => [String], { description: 'Parameters a new key must set here (`key_generation_settings.required_params`).' }) requiredParams!: string[];
}

@ObjectType({ description: 'Team-key option for one team of the caller.' })
class TeamKeyOption extends KeyScopeOption {
  @Field(() => ID, { description: 'The team_id.' }) teamId!: string;
  @Field(() => String, { nullable: true, description: 'The team alias.' }) teamAlias!: string | null;
  @Field(() => TeamRoleEnum, { nullable: true, description: "The caller's role in the team." }) teamRole!: string | null;
}

@ObjectType({ description: 'What a key regeneration may ask for (general_settings.key_rotation_*).' })
class KeyRotationOptions {
  @Field(() => String, { description: 'Longest gracePeriod regenerateKey accepts (`key_rotation_max_grace_period`).' }) maxGracePeriod!: string;
  @Field(() => [String], { description: 'Grace periods to offer, shortest first, each within maxGracePeriod (the last is maxGracePeriod itself).' })
  gracePeriodChoices!: string[];
  @Field(() => String, { description: 'How long the old secret keeps working after a scheduled (autoRotate) rotation (`key_rotation_grace_period`).' })
  scheduledGracePeriod!: string;
}

@ObjectType({ description: 'What the caller may choose when minting a key.' })
class KeyCreationOptions {
  @Field(() => KeyScopeOption, { description: 'A personal key (no team).' }) personal!: KeyScopeOption;
  @Field(() => [TeamKeyOption], { description: 'Team keys, one entry per team of the caller (all teams for proxy_admin).' })
  teams!: TeamKeyOption[];
  @Field(() => Boolean, { description: 'Whether keys may be minted for other users.' }) forOtherUsers!: boolean;
  @Field(() => KeyLimits, { description: 'Upper bounds for every key (`litellm_settings.upperbound_key_generate_params`).' }) upperBounds!: KeyLimits;
  @Field(() => KeyLimits, { description: 'Defaults for fields a new key leaves unset (`litellm_settings.default_key_generate_params`).' }) defaults!: KeyLimits;
  @Field(() => KeyRotationOptions, { description: 'Grace periods a regeneration may give the old secret, and the scheduled rotations\' grace.' }) rotation!: KeyRotationOptions;
}

@ObjectType({ description: 'Effective settings (secrets redacted).' })
class EffectiveSettings {
  @Field(() => GraphQLJSONObject, { description: 'The validated config with defaults applied, secrets replaced by "***".' })
  config!: Record<string, unknown>;
  @Field(() => String, { description: 'Where the master key comes from: config, env or file.' }) masterKeySource!: string;
  @Field(() => String, { description: 'Database in use: `sqlite` or `postgresql`.' }) databaseDialect!: string;
  @Field(() => String, { description: 'Base URL used in links (PROXY_BASE_URL or this server).' }) baseUrl!: string;
  @Field(() => String, { nullable: true, description: 'Config file in use.' }) configPath!: string | null;
  @Field(() => String, { nullable: true, description: 'PROXY_LOGOUT_URL.' }) logoutUrl!: string | null;
}

@InputType({ description: 'Filters for the audit log.' })
class AuditFilter {
  @Field(() => String, { nullable: true, description: 'Only this action (e.g. key.generate, team.member.add).' }) action?: string | null;
  @Field(() => String, { nullable: true, description: 'Only this target type (user, team, key).' }) targetType?: string | null;
  @Field(() => String, { nullable: true, description: 'Only this target id.' }) targetId?: string | null;
  @Field(() => String, { nullable: true, description: 'Only writes by this user_id.' }) actorId?: string | null;
}


@Resolver()
export class SettingsResolver {
  @Query(() => [Model], { description: 'Models the caller may use.' })
  models(@Ctx() ctx: GqlContext) {
    return modelsForCaller(ctx);
  }

  @Query(() => EffectiveSettings, { description: 'Effective configuration, secrets redacted (admins and admin viewers).' })
  settings(@Ctx() ctx: GqlContext): EffectiveSettings {
    authorize(ctx.principal, 'settings.read');
    const s = ctx.app.settings;
    return {
      config: redactedConfig(s.config),
      masterKeySource: s.masterKeySource,
      databaseDialect: dialectOf(s.databaseUrl),
      baseUrl: redactUrls(s.baseUrl),
      configPath: s.configPath,
      logoutUrl: s.logoutUrl && redactUrls(s.logoutUrl),
    };
  }

  @Query(() => AuditConnection, { description: 'Management writes, newest first (admins and admin viewers).' })
  async auditLog(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => AuditFilter, { nullable: true, description: 'Narrows the list.' }) filter?: AuditFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listAudit(ctx, filter ?? {}, { first, after }));
  }

  @Query(() => KeyCreationOptions, { description: 'What the caller may choose when minting a key: personal/team, models, bounds.' })
  keyCreationOptions(@Ctx() ctx: GqlContext): Promise<KeyCreationOptions> {
    return keyCreationOptions(ctx);
  }
}
