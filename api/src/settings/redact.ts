import type { PurserConfig } from '../config/index.js';

const SECRET_KEYS = /(^|_)(key|secret|password|token)$|^master_key$|^database_url$/i;

/** A copy of the config with every secret-looking value replaced, and passwords stripped from URLs. */
export function redactedConfig(config: PurserConfig): Record<string, unknown> {
  const walk = (v: unknown, key: string, inEnv: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key, inEnv));
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k, inEnv || k === 'environment_variables')]),
      );
    if (v === null || v === undefined) return v;
    if (inEnv || SECRET_KEYS.test(key)) {
      if (key === 'database_url' && typeof v === 'string') return v.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
      return '***';
    }
    return v;
  };
  return walk(config, '', false) as Record<string, unknown>;
}
