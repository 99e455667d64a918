/**
 * zod schemas for the LiteLLM-compatible proxy config. Output keys stay snake_case exactly as
 * in YAML. Three object policies (read by walk.ts, which runs before zod):
 * - closed (z.strictObject): objects we own entirely; an unknown key is an error.
 * - section: top level, general_settings, litellm_settings; LiteLLM has many keys we do not
 *   implement, so an unknown key is a warning unless it looks like a typo of one of ours.
 * - open: litellm_params / model_info; unknown keys are provider options, always a warning.
 */
import { z } from 'zod';
import { ROLES, TEAM_ROLES } from '../permissions/roles.js';
import { durationMessage, isValidTimeZone, parseDuration } from '../time/durations.js';
import { describeValue } from './errors.js';

export type ObjectPolicy = 'section' | 'open';
export const OBJECT_POLICY = new WeakMap<z.ZodType, ObjectPolicy>();
/** Duration schemas, so walk.ts can warn about lenient spellings with the right path. */
export const DURATION_SCHEMAS = new WeakSet<z.ZodType>();

// Registered after any .superRefine(): zod 4 refinements return a new schema instance.
function withPolicy<T extends z.ZodType>(schema: T, policy: ObjectPolicy): T {
  OBJECT_POLICY.set(schema, policy);
  return schema;
}
const section = <T extends z.ZodRawShape>(shape: T) => withPolicy(z.object(shape), 'section');
const open = <T extends z.ZodRawShape>(shape: T) => withPolicy(z.object(shape), 'open');

function isDuration(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

/** Stays the string as written; validated with the one duration parser. */
function duration() {
  const schema = z.custom<string>(isDuration, {
    error: (issue) => {
      const got = issue.input;
      if (typeof got === 'string') {
        try {
          parseDuration(got);
        } catch (err) {
          return (err as Error).message;
        }
      }
      return durationMessage(describeValue(got));
    },
  });
  DURATION_SCHEMAS.add(schema);
  return schema;
}

const money = () => z.number().min(0);
const count = () => z.int().min(0);
const positiveInt = () => z.int().min(1);

/** The role lists come from the permission map's roles.ts: the one place roles are named. */
export const USER_ROLES = ROLES;
export const TEAM_MEMBER_ROLES = TEAM_ROLES;

const httpUrl = z.string().refine(
  (s) => /^https?:\/\//i.test(s) && URL.canParse(s),
  { error: (issue) => `expected an http(s) URL, got ${describeValue(issue.input)}` },
);

const databaseUrl = z.string().refine(
  // Postgres URL, "sqlite:<path>", or a bare file path (SQLite); any other scheme is a mistake.
  (s) => /^postgres(ql)?:\/\/./i.test(s) || /^sqlite:./i.test(s) || (s !== '' && !s.includes('://')),
  {
    error: (issue) =>
      `expected postgres://…, postgresql://…, sqlite:<path> or a file path, got ${describeValue(issue.input)}`,
  },
);

const regexSource = z.string().superRefine((s, ctx) => {
  try {
    new RegExp(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
  }
});

const timezone = z.string().refine(isValidTimeZone, {
  error: (issue) =>
    `expected an IANA time zone like "UTC" or "Europe/Paris", got ${describeValue(issue.input)}`,
});

const litellmParams = open({
  model: z.string().min(1),
  api_base: httpUrl.optional(),
  api_key: z.string().optional(),
  api_version: z.string().optional(),
  rpm: count().optional(),
  tpm: count().optional(),
  timeout: z.number().positive().optional(),
  stream_timeout: z.number().positive().optional(),
  mock_response: z.string().optional(),
  max_retries: count().optional(),
  organization: z.string().optional(),
  input_cost_per_token: money().optional(),
  output_cost_per_token: money().optional(),
  cache_creation_input_token_cost: money().optional(),
  cache_read_input_token_cost: money().optional(),
  /** native: the upstream serves /v1/responses itself; chat: translate Responses to Chat Completions */
  responses_api: z.enum(['native', 'chat']).optional(),
});

const modelInfo = open({
  id: z.string().min(1).optional(),
  mode: z.enum(['chat', 'embedding', 'completion']).optional(),
  input_cost_per_token: money().optional(),
  output_cost_per_token: money().optional(),
  cache_creation_input_token_cost: money().optional(),
  cache_read_input_token_cost: money().optional(),
  max_tokens: positiveInt().optional(),
  max_input_tokens: positiveInt().optional(),
  max_output_tokens: positiveInt().optional(),
  base_model: z.string().optional(),
});

const modelEntry = z.strictObject({
  model_name: z.string().min(1),
  litellm_params: litellmParams,
  model_info: modelInfo.optional(),
});

const modelList = z.array(modelEntry).superRefine((models, ctx) => {
  const seen = new Map<string, number>();
  models.forEach((model, index) => {
    const id = model.model_info?.id;
    if (id === undefined) return;
    const first = seen.get(id);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'model_info', 'id'],
        message: `duplicate model id ${JSON.stringify(id)} (also used by model_list[${first}])`,
      });
    } else {
      seen.set(id, index);
    }
  });
});

const generalSettings = withPolicy(z.object({
  master_key: z
    .string()
    .refine((s) => s.startsWith('sk-'), { error: 'must start with "sk-"' })
    .optional(),
  database_url: databaseUrl.optional(),
  ui_access_mode: z.enum(['all', 'admin_only']).default('all'),
  litellm_jwtauth: z
    .strictObject({
      team_ids_jwt_field: z.string().optional(),
      team_id_jwt_field: z.string().optional(),
      user_id_jwt_field: z.string().optional(),
    })
    .optional(),
  proxy_budget_rescheduler_min_time: positiveInt().default(597),
  proxy_budget_rescheduler_max_time: positiveInt().default(605),
  alerting: z.array(z.enum(['webhook', 'email'])).default([]),
  alerting_threshold: z.number().optional(),
  proxy_batch_write_at: z.number().positive().default(1),
  spend_log_batch_max_rows: positiveInt().default(1000),
  // ours: most spend rows kept in <data>/spend-spill.jsonl while the database is unreachable
  spend_spill_max_rows: positiveInt().default(100000),
  store_prompts_in_spend_logs: z.boolean().default(false),
  maximum_spend_logs_retention_period: duration().optional(),
  disable_spend_logs: z.boolean().default(false),
  invitation_link_duration: duration().default('7d'),
  access_request_ttl: duration().default('14d'),
  // ours: warn key owners this long before a key expires ([] = never)
  key_expiry_warnings: z.array(duration()).max(10).default(['7d', '1d']),
  // ours: warn budget owners when the 7-day rate runs a budget out within this long (budgets/runway-notices.ts)
  budget_runway_warning: duration().default('3d'),
  // ours: the longest grace period a regenerated key's old secret may keep working
  key_rotation_max_grace_period: duration().default('7d'),
  // ours: the grace period of a scheduled (auto_rotate) rotation
  key_rotation_grace_period: duration().default('24h'),
  login_max_failures: positiveInt().default(5),
  login_max_failures_per_address: positiveInt().default(100),
  login_failure_window: duration().default('15m'),
  login_lockout_duration: duration().default('15m'),
  auto_redirect_ui_login_to_sso: z.boolean().default(false),
  sso_team_sync: z.enum(['additive', 'authoritative']).default('additive'),
  sso_team_id_pattern: regexSource.optional(),
  graphql_max_depth: positiveInt().default(10),
  graphql_max_cost: positiveInt().default(1000),
  default_max_tokens_estimate: positiveInt().default(4096),
  metrics_user_labels: z.boolean().default(false),
  metrics_max_series: positiveInt().default(10_000),
  default_team_disabled: z.boolean().optional(),
  allow_requests_on_db_unavailable: z.boolean().optional(),
  enforce_user_param: z.boolean().optional(),
  // LiteLLM's: /health answers from checks run every health_check_interval seconds
  background_health_checks: z.boolean().default(false),
  health_check_interval: positiveInt().default(300),
}).superRefine((s, ctx) => {
  if (s.proxy_budget_rescheduler_min_time > s.proxy_budget_rescheduler_max_time) {
    ctx.addIssue({
      code: 'custom',
      path: ['proxy_budget_rescheduler_min_time'],
      message: `must not exceed proxy_budget_rescheduler_max_time (${s.proxy_budget_rescheduler_min_time} > ${s.proxy_budget_rescheduler_max_time})`,
    });
  }
}), 'section');

/** Fields shared by upperbound_key_generate_params and default_key_generate_params. */
const keyLimits = {
  max_budget: money().optional(),
  budget_duration: duration().optional(),
  duration: duration().optional(),
  max_parallel_requests: count().optional(),
  tpm_limit: count().optional(),
  rpm_limit: count().optional(),
};

const litellmSettings = section({
  max_internal_user_budget: money().optional(),
  internal_user_budget_duration: duration().optional(),
  default_internal_user_params: z
    .strictObject({
      user_role: z.enum(USER_ROLES).optional(),
      max_budget: money().optional(),
      budget_duration: duration().optional(),
      models: z.array(z.string()).optional(),
      teams: z
        .array(
          z.union([
            z.string(),
            z.strictObject({
              team_id: z.string().min(1),
              max_budget_in_team: money().optional(),
              user_role: z.enum(TEAM_MEMBER_ROLES).optional(),
            }),
          ]),
        )
        .optional(),
      available_teams: z.array(z.string()).optional(),
    })
    .optional(),
  default_team_params: z
    .strictObject({
      models: z.array(z.string()).optional(),
      max_budget: money().optional(),
      soft_budget: money().optional(),
      budget_duration: duration().optional(),
      tpm_limit: count().optional(),
      rpm_limit: count().optional(),
      max_parallel_requests: count().optional(),
      team_member_permissions: z.array(z.string()).optional(),
    })
    .optional(),
  upperbound_key_generate_params: z.strictObject(keyLimits).optional(),
  default_key_generate_params: z
    .strictObject({
      ...keyLimits,
      models: z.array(z.string()).optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
      soft_budget: money().optional(),
    })
    .optional(),
  key_generation_settings: z
    .strictObject({
      team_key_generation: z
        .strictObject({
          allowed_team_member_roles: z.array(z.enum(TEAM_MEMBER_ROLES)),
          required_params: z.array(z.string()).optional(),
        })
        .optional(),
      personal_key_generation: z
        .strictObject({
          allowed_user_roles: z.array(z.enum(USER_ROLES)),
          required_params: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  timezone: timezone.default('UTC'),
  cache: z.boolean().default(false),
  cache_params: z
    .strictObject({
      type: z.enum(['local', 'redis']).default('local'),
      // seconds; at most a year (Redis needs a whole-millisecond expiry it can store)
      ttl: z.number().positive().max(31_536_000).default(600),
      host: z.string().optional(),
      port: z.int().min(1).max(65535).optional(),
      password: z.string().optional(),
      // the Redis cache's key prefix under REDIS_KEY_PREFIX (LiteLLM's name)
      namespace: z
        .string()
        .regex(/^[^\s\0-\x1f]{1,64}$/, 'at most 64 characters, no spaces or control characters')
        .optional(),
      // ours: how far a cached answer is shared (team = a team's keys share, a personal key has its own)
      scope: z.enum(['global', 'team', 'key']).default('team'),
    })
    .prefault({}),
  // unset = a credential that may read all usage is required; false = anonymous (explicit opt-out)
  require_auth_for_metrics_endpoint: z.boolean().optional(),
  max_ui_session_budget: money().optional(),
  // Accepted so common LiteLLM configs load cleanly; Purser ignores them.
  drop_params: z.boolean().optional(),
  set_verbose: z.boolean().optional(),
  num_retries: count().optional(),
  request_timeout: z.number().positive().optional(),
});

const envValue = z.union([z.string(), z.number(), z.boolean()]);

export const configSchema = section({
  model_list: modelList.prefault([]),
  general_settings: generalSettings.prefault({}),
  litellm_settings: litellmSettings.prefault({}),
  environment_variables: z.record(z.string(), envValue).prefault({}),
  router_settings: z.record(z.string(), z.unknown()).optional(),
});

export type PurserConfig = z.output<typeof configSchema>;
export type ModelEntry = PurserConfig['model_list'][number];
export type GeneralSettings = PurserConfig['general_settings'];
export type LitellmSettings = PurserConfig['litellm_settings'];

/** Keys Purser implements, per section (for docs and "did you mean" hints). */
export const IMPLEMENTED_KEYS = {
  top: Object.keys(configSchema.shape),
  general_settings: Object.keys(generalSettings.shape),
  litellm_settings: Object.keys(litellmSettings.shape),
  litellm_params: Object.keys(litellmParams.shape),
  model_info: Object.keys(modelInfo.shape),
} as const;
