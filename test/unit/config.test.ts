import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  IMPLEMENTED_KEYS,
  loadConfigFile,
  OUR_GENERAL_SETTINGS,
  parseConfig,
} from '../../api/src/config/index.js';

const ENV = { LITELLM_MASTER_KEY: 'sk-from-env', RPM: '60', CACHE_ON: 'true' };

/** The one-line message parseConfig throws for `raw`. */
function errorOf(raw: unknown, env: NodeJS.ProcessEnv = ENV): string {
  try {
    parseConfig(raw, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'purser-config-')), name);
  writeFileSync(file, text);
  return file;
}

describe('parseConfig: defaults', () => {
  it.each([null, undefined, {}, { general_settings: null, litellm_settings: null, model_list: null }])(
    'applies every default for %j',
    (raw) => {
      const { config, warnings, path } = parseConfig(raw, {});
      expect(warnings).toEqual([]);
      expect(path).toBeNull();
      expect(config.model_list).toEqual([]);
      expect(config.environment_variables).toEqual({});
      expect(config.general_settings).toEqual({
        ui_access_mode: 'all',
        proxy_budget_rescheduler_min_time: 597,
        proxy_budget_rescheduler_max_time: 605,
        alerting: [],
        proxy_batch_write_at: 1,
        spend_log_batch_max_rows: 1000,
        spend_spill_max_rows: 100000,
        store_prompts_in_spend_logs: false,
        disable_spend_logs: false,
        invitation_link_duration: '7d',
        access_request_ttl: '14d',
        key_expiry_warnings: ['7d', '1d'],
        budget_runway_warning: '3d',
        key_rotation_max_grace_period: '7d',
        key_rotation_grace_period: '24h',
        login_max_failures: 5,
        login_max_failures_per_address: 100,
        login_failure_window: '15m',
        login_lockout_duration: '15m',
        auto_redirect_ui_login_to_sso: false,
        sso_team_sync: 'additive',
        graphql_max_depth: 10,
        graphql_max_cost: 1000,
        default_max_tokens_estimate: 4096,
        metrics_user_labels: false,
        metrics_max_series: 10_000,
        background_health_checks: false,
        health_check_interval: 300,
      });
      expect(config.litellm_settings).toEqual({
        timezone: 'UTC',
        cache: false,
        cache_params: { type: 'local', ttl: 600, scope: 'team' },
      });
    },
  );
});

describe('parseConfig: errors name the key path', () => {
  it.each<[string, unknown, string]>([
    ['wrong type', { litellm_settings: { upperbound_key_generate_params: { max_budget: 'ten' } } },
      'litellm_settings.upperbound_key_generate_params.max_budget: expected a number, got "ten"'],
    ['misspelled key in a closed object', { litellm_settings: { upperbound_key_generate_params: { max_budgte: 10 } } },
      'litellm_settings.upperbound_key_generate_params.max_budgte: unknown key (did you mean "max_budget"?)'],
    ['unknown key in a closed object, no close match', { general_settings: { litellm_jwtauth: { whatever: 'x' } } },
      'general_settings.litellm_jwtauth.whatever: unknown key'],
    ['typo at section level', { general_settings: { master_kye: 'sk-1' } },
      'general_settings.master_kye: unknown key (did you mean "master_key"?)'],
    ['typo of a top-level section', { litellm_setings: {} },
      'litellm_setings: unknown key (did you mean "litellm_settings"?)'],
    ['typo in litellm_settings', { litellm_settings: { timezon: 'UTC' } },
      'litellm_settings.timezon: unknown key (did you mean "timezone"?)'],
    ['missing env var', { general_settings: { master_key: 'os.environ/LITELLM_KEY_X' } },
      'general_settings.master_key: environment variable LITELLM_KEY_X is not set (referenced as os.environ/LITELLM_KEY_X)'],
    ['bad duration', { general_settings: { invitation_link_duration: 'daily' } },
      'general_settings.invitation_link_duration: expected a duration like 30s, 30m, 24h, 7d, 1w, 1mo, got "daily"'],
    ['duration given as a number', { litellm_settings: { internal_user_budget_duration: 30 } },
      'litellm_settings.internal_user_budget_duration: expected a duration like 30s, 30m, 24h, 7d, 1w, 1mo, got 30'],
    ['bad timezone', { litellm_settings: { timezone: 'Mars/Base' } },
      'litellm_settings.timezone: expected an IANA time zone like "UTC" or "Europe/Paris", got "Mars/Base"'],
    ['bad regex', { general_settings: { sso_team_id_pattern: '([a-z' } },
      'general_settings.sso_team_id_pattern: not a valid regular expression: Invalid regular expression: /([a-z/: Unterminated character class'],
    ['rescheduler min > max', { general_settings: { proxy_budget_rescheduler_min_time: 700 } },
      'general_settings.proxy_budget_rescheduler_min_time: must not exceed proxy_budget_rescheduler_max_time (700 > 605)'],
    ['master_key without sk-', { general_settings: { master_key: 'hunter2' } },
      'general_settings.master_key: must start with "sk-"'],
    ['enum value', { general_settings: { ui_access_mode: 'everyone' } },
      'general_settings.ui_access_mode: expected one of "all", "admin_only", got "everyone"'],
    ['array expected', { general_settings: { alerting: 'webhook' } },
      'general_settings.alerting: expected an array, got "webhook"'],
    ['object where a number goes', { litellm_settings: { max_internal_user_budget: { a: 1 } } },
      'litellm_settings.max_internal_user_budget: expected a number, got an object'],
    ['long values are truncated', { general_settings: { login_max_failures: 'x'.repeat(100) } },
      `general_settings.login_max_failures: expected a number, got "${'x'.repeat(38)}…`],
    ['per-address limit below 1', { general_settings: { login_max_failures_per_address: 0 } },
      'general_settings.login_max_failures_per_address: expected a number >= 1, got 0'],
    ['negative budget', { litellm_settings: { max_internal_user_budget: -1 } },
      'litellm_settings.max_internal_user_budget: expected a number >= 0, got -1'],
    ['database url scheme', { general_settings: { database_url: 'mysql://db/purser' } },
      'general_settings.database_url: expected postgres://…, postgresql://…, sqlite:<path> or a file path, got "mysql://db/purser"'],
    ['team entry in default_internal_user_params', { litellm_settings: { default_internal_user_params: { teams: ['t1', { team_id: 't2', user_role: 'owner' }] } } },
      'litellm_settings.default_internal_user_params.teams[1].user_role: expected one of "admin", "user", got "owner"'],
    ['key_generation_settings role', { litellm_settings: { key_generation_settings: { personal_key_generation: { allowed_user_roles: ['root'] } } } },
      'litellm_settings.key_generation_settings.personal_key_generation.allowed_user_roles[0]: expected one of "proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer", got "root"'],
    ['environment_variables entry', { environment_variables: { A: [1] } },
      'environment_variables.A: expected a string, number or boolean, got an array'],
    ['section that is not a mapping', { general_settings: 5 },
      'general_settings: expected an object, got 5'],
  ])('%s', (_name, raw, message) => {
    expect(errorOf(raw)).toBe(message);
  });

  it('reports only the first problem', () => {
    expect(errorOf({ general_settings: { master_key: 'nope', ui_access_mode: 'x' } })).toBe(
      'general_settings.master_key: must start with "sk-"',
    );
  });
});

describe('parseConfig: model_list', () => {
  const model = (name: string, extra: Record<string, unknown> = {}) => ({
    model_name: name,
    litellm_params: { model: `openai/${name}`, api_key: 'os.environ/OPENAI_API_KEY' },
    ...extra,
  });

  it('resolves env references and keeps known fields', () => {
    const { config } = parseConfig({ model_list: [model('gpt-4o', { model_info: { id: 'm1', mode: 'chat' } })] }, { OPENAI_API_KEY: 'sk-openai' });
    expect(config.model_list[0]).toEqual({
      model_name: 'gpt-4o',
      litellm_params: { model: 'openai/gpt-4o', api_key: 'sk-openai' },
      model_info: { id: 'm1', mode: 'chat' },
    });
  });

  it('names the item in paths', () => {
    const raw = { model_list: [model('a'), model('b'), { model_name: 'c', litellm_params: { model: 5 } }] };
    expect(errorOf(raw, { OPENAI_API_KEY: 'k' })).toBe('model_list[2].litellm_params.model: expected a string, got 5');
    expect(errorOf({ model_list: [{ model_name: 'c', litellm_params: {} }] })).toBe('model_list[0].litellm_params.model: is required');
    expect(errorOf({ model_list: [{ model_name: 'c', litellm_params: { model: 'm', rpm: 1.5 } }] })).toBe(
      'model_list[0].litellm_params.rpm: expected an integer, got 1.5',
    );
    expect(errorOf({ model_list: [{ model_name: 'c', litellm_params: { model: 'm', api_base: 'localhost:8000' } }] })).toBe(
      'model_list[0].litellm_params.api_base: expected an http(s) URL, got "localhost:8000"',
    );
    expect(errorOf({ model_list: [{ model_nme: 'c' }] })).toBe('model_list[0].model_nme: unknown key (did you mean "model_name"?)');
  });

  it('warns about unknown litellm_params / model_info keys instead of failing', () => {
    const { config, warnings } = parseConfig({
      model_list: [{ model_name: 'c', litellm_params: { model: 'bedrock/x', aws_region_name: 'us-east-1', api_bse: 'x' }, model_info: { supports_vision: true } }],
    }, {});
    expect(warnings).toEqual([
      'model_list[0].litellm_params.aws_region_name: not implemented by Purser, ignored',
      'model_list[0].litellm_params.api_bse: not implemented by Purser, ignored (did you mean "api_base"?)',
      'model_list[0].model_info.supports_vision: not implemented by Purser, ignored',
    ]);
    expect(config.model_list[0]!.litellm_params).toEqual({ model: 'bedrock/x' });
  });

  it('rejects duplicate model_info.id', () => {
    const raw = { model_list: [model('a', { model_info: { id: 'x' } }), model('b', { model_info: { id: 'x' } })] };
    expect(errorOf(raw, { OPENAI_API_KEY: 'k' })).toBe('model_list[1].model_info.id: duplicate model id "x" (also used by model_list[0])');
  });
});

describe('parseConfig: warnings', () => {
  it('warns about far unknown keys at section level and drops them', () => {
    const { config, warnings } = parseConfig({
      general_settings: { foo: 1, allowed_routes: ['/health'] },
      litellm_settings: { success_callback: ['langfuse'], drop_params: true },
      guardrails: [],
      router_settings: { routing_strategy: 'simple-shuffle' },
    }, {});
    expect(warnings).toEqual([
      'general_settings.foo: not implemented by Purser, ignored',
      'general_settings.allowed_routes: not implemented by Purser, ignored',
      'litellm_settings.success_callback: not implemented by Purser, ignored',
      'guardrails: not implemented by Purser, ignored',
      'router_settings: routing_strategy not implemented by Purser, ignored',
    ]);
    expect(config.general_settings).not.toHaveProperty('foo');
    expect(config.litellm_settings.drop_params).toBe(true);
  });

  it('warns about lenient durations and keeps the string', () => {
    const { config, warnings } = parseConfig({ litellm_settings: { upperbound_key_generate_params: { duration: '30days', budget_duration: '24hr' } } }, {});
    expect(warnings).toEqual([
      'litellm_settings.upperbound_key_generate_params.duration: "30days" read as 30d',
      'litellm_settings.upperbound_key_generate_params.budget_duration: "24hr" read as 24h',
    ]);
    expect(config.litellm_settings.upperbound_key_generate_params).toEqual({ duration: '30days', budget_duration: '24hr' });
  });
});

describe('parseConfig: os.environ references', () => {
  it('resolves from env and coerces numbers and booleans the schema expects', () => {
    const { config, env } = parseConfig({
      general_settings: { master_key: 'os.environ/LITELLM_MASTER_KEY' },
      litellm_settings: { cache: 'os.environ/CACHE_ON', default_team_params: { rpm_limit: 'os.environ/RPM' } },
      model_list: [{ model_name: 'm', litellm_params: { model: 'm', api_key: 'os.environ/RPM' } }],
    }, ENV);
    expect(config.general_settings.master_key).toBe('sk-from-env');
    expect(config.litellm_settings.cache).toBe(true);
    expect(config.litellm_settings.default_team_params?.rpm_limit).toBe(60);
    expect(config.model_list[0]!.litellm_params.api_key).toBe('60'); // a string field stays a string
    expect(env.RPM).toBe('60');
  });

  it('lets environment_variables define variables, winning over the process env', () => {
    const { config, env } = parseConfig({
      environment_variables: { LITELLM_MASTER_KEY: 'sk-from-config', MAX_ROWS: 50, DEBUG: false, COPY: 'os.environ/RPM' },
      general_settings: { master_key: 'os.environ/LITELLM_MASTER_KEY', spend_log_batch_max_rows: 'os.environ/MAX_ROWS' },
    }, ENV);
    expect(config.general_settings.master_key).toBe('sk-from-config');
    expect(config.general_settings.spend_log_batch_max_rows).toBe(50);
    expect(env).toMatchObject({ LITELLM_MASTER_KEY: 'sk-from-config', MAX_ROWS: '50', DEBUG: 'false', COPY: '60', CACHE_ON: 'true' });
    expect(config.environment_variables).toEqual({ LITELLM_MASTER_KEY: 'sk-from-config', MAX_ROWS: 50, DEBUG: false, COPY: '60' });
  });

  it('resolves references inside free-form maps', () => {
    const { config } = parseConfig({ litellm_settings: { default_key_generate_params: { metadata: { owner: 'os.environ/RPM' } } } }, ENV);
    expect(config.litellm_settings.default_key_generate_params?.metadata).toEqual({ owner: '60' });
  });

  it('still type-checks a resolved value', () => {
    expect(errorOf({ litellm_settings: { cache: 'os.environ/LITELLM_MASTER_KEY' } })).toBe(
      'litellm_settings.cache: expected true or false, got "sk-from-env"',
    );
  });
});

describe('loadConfigFile', () => {
  it('reads YAML and records the path', () => {
    const file = tempFile('config.yaml', [
      'model_list:',
      '  - model_name: gpt-4o',
      '    litellm_params:',
      '      model: openai/gpt-4o',
      'general_settings:',
      '  master_key: sk-1234',
      '  database_url: sqlite:./purser.db',
      'litellm_settings:',
      '  timezone: Asia/Kolkata',
      '',
    ].join('\n'));
    const loaded = loadConfigFile(file, {});
    expect(loaded.path).toBe(file);
    expect(loaded.config.litellm_settings.timezone).toBe('Asia/Kolkata');
    expect(loaded.config.model_list[0]!.litellm_params.model).toBe('openai/gpt-4o');
  });

  it('accepts an empty file', () => {
    expect(loadConfigFile(tempFile('empty.yaml', ''), {}).config.general_settings.ui_access_mode).toBe('all');
  });

  it('reports a missing file', () => {
    expect(() => loadConfigFile('/nonexistent/purser.yaml', {})).toThrow(ConfigError);
    expect(() => loadConfigFile('/nonexistent/purser.yaml', {})).toThrow(/^\/nonexistent\/purser\.yaml: file not found$/);
  });

  it('reports YAML syntax errors with file and line', () => {
    const file = tempFile('bad.yaml', 'general_settings:\n  master_key: sk-1\n  master_key: sk-2\n');
    expect(() => loadConfigFile(file, {})).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:3: invalid YAML: `));
  });

  it('attaches the file to key errors', () => {
    const file = tempFile('typo.yaml', 'general_settings:\n  master_kye: sk-1\n');
    try {
      loadConfigFile(file, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ file, keyPath: 'general_settings.master_kye', message: 'general_settings.master_kye: unknown key (did you mean "master_key"?)' });
    }
  });

  it('parses config.example.yaml', () => {
    const path = new URL('../../config.example.yaml', import.meta.url).pathname;
    const env = new Proxy({}, { get: (_t, name) => (typeof name === 'string' ? `sk-example-${name}` : undefined) });
    const loaded = loadConfigFile(path, env as NodeJS.ProcessEnv);
    expect(loaded.warnings.filter((w) => !w.includes('not implemented'))).toEqual([]);
  });
});

describe('exports for docs', () => {
  it('lists our own general_settings, all of them implemented', () => {
    expect(OUR_GENERAL_SETTINGS.map((s) => s.key)).toEqual([
      'spend_log_batch_max_rows', 'spend_spill_max_rows', 'key_expiry_warnings', 'budget_runway_warning', 'key_rotation_max_grace_period', 'key_rotation_grace_period', 'access_request_ttl', 'invitation_link_duration', 'login_max_failures', 'login_max_failures_per_address', 'login_failure_window',
      'login_lockout_duration', 'sso_team_sync', 'sso_team_id_pattern', 'graphql_max_depth', 'graphql_max_cost',
      'default_max_tokens_estimate', 'metrics_user_labels', 'metrics_max_series',
    ]);
    for (const { key, description } of OUR_GENERAL_SETTINGS) {
      expect(IMPLEMENTED_KEYS.general_settings).toContain(key);
      expect(description).not.toBe('');
    }
  });
});
