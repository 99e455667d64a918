import type { PurserConfig } from '../config/index.js';
import { sha256 } from '../common/ids.js';

/** Effective settings: the config file merged with the environment, by the documented precedence. */
export interface Settings {
  config: PurserConfig;
  configPath: string | null;
  masterKey: string;
  masterKeyHash: string;
  /** where the master key came from: config, env, or the generated file */
  masterKeySource: 'config' | 'env' | 'file';
  databaseUrl: string;
  /** PROXY_BASE_URL, or http://host:port of this server */
  baseUrl: string;
  baseUrlFromEnv: boolean;
  logoutUrl: string | null;
  uiUsername: string;
  /** null = the master key is the admin password */
  uiPassword: string | null;
  sessionTtlMs: number;
  timezone: string;
  /** the process environment merged with environment_variables */
  env: Record<string, string | undefined>;
}

export function buildSettings(input: {
  config: PurserConfig;
  configPath: string | null;
  env: Record<string, string | undefined>;
  masterKey: string;
  masterKeySource: Settings['masterKeySource'];
  databaseUrl: string;
  host: string;
  port: number;
  sessionTtlMs: number;
}): Settings {
  const { config, env } = input;
  const base = env.PROXY_BASE_URL?.trim();
  const shownHost = input.host === '0.0.0.0' || input.host === '::' ? 'localhost' : input.host;
  return {
    config,
    configPath: input.configPath,
    masterKey: input.masterKey,
    masterKeyHash: sha256(input.masterKey),
    masterKeySource: input.masterKeySource,
    databaseUrl: input.databaseUrl,
    baseUrl: (base || `http://${shownHost}:${input.port}`).replace(/\/+$/, ''),
    baseUrlFromEnv: !!base,
    logoutUrl: env.PROXY_LOGOUT_URL?.trim() || null,
    uiUsername: env.UI_USERNAME?.trim() || 'admin',
    uiPassword: env.UI_PASSWORD || null,
    sessionTtlMs: input.sessionTtlMs,
    timezone: config.litellm_settings.timezone ?? 'UTC',
    env,
  };
}
