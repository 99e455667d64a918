/**
 * Reads the LiteLLM-compatible YAML config: environment_variables first, then the key and
 * env-reference pre-pass (walk.ts), then zod types. Only the first problem is reported.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, configError, describeValue, unknownKeyMessage, type KeyPath } from './errors.js';
import { configSchema, type PurserConfig } from './schema.js';
import { walk } from './walk.js';

export interface LoadedConfig {
  config: PurserConfig;
  warnings: string[];
  /** config file read, or null when parsed from a value */
  path: string | null;
  /** process env merged with environment_variables (which win) */
  env: Record<string, string>;
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

function valueAt(root: unknown, path: KeyPath): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/** One zod issue as `<path>: <message>`, digging into unions to the branch that applies. */
function issueToError(issue: z.core.$ZodIssue, data: unknown, base: KeyPath = []): ConfigError {
  const path = [...base, ...(issue.path as Array<string | number>)];
  const got = valueAt(data, path);
  switch (issue.code) {
    case 'invalid_type':
      if (got === undefined) return configError(path, 'is required');
      return configError(path, `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describeValue(got)}`);
    case 'too_small': {
      if (issue.origin === 'string' || issue.origin === 'array') return configError(path, 'must not be empty');
      const op = issue.inclusive ? '>=' : '>';
      return configError(path, `expected a number ${op} ${issue.minimum}, got ${describeValue(got)}`);
    }
    case 'too_big': {
      const op = issue.inclusive ? '<=' : '<';
      return configError(path, `expected a number ${op} ${issue.maximum}, got ${describeValue(got)}`);
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return configError(path, `expected one of ${options}, got ${describeValue(got)}`);
    }
    case 'unrecognized_keys':
      // walk.ts rejects these first; kept as a safety net.
      return configError([...path, issue.keys[0] ?? '?'], unknownKeyMessage(null));
    case 'invalid_union': {
      const isContainer = got !== null && typeof got === 'object';
      // For an object, report the problem inside the object branch rather than "no match".
      const branch = isContainer
        ? issue.errors.find((errs) => errs.some((e) => e.path.length > 0 || e.code !== 'invalid_type'))
        : undefined;
      if (branch?.[0]) return issueToError(branch[0], data, path);
      return configError(path, `expected a string or an object, got ${describeValue(got)}`);
    }
    default:
      return configError(path, issue.message);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** environment_variables go into env before any os.environ/ reference is resolved. */
function mergeEnv(raw: Record<string, unknown>, base: NodeJS.ProcessEnv, warnings: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  const section = raw.environment_variables;
  if (section === undefined || section === null) return env;
  if (!isPlainObject(section)) {
    throw configError(['environment_variables'], `expected an object, got ${describeValue(section)}`);
  }
  // Values may themselves point at the process environment.
  const resolved = walk(section, undefined, ['environment_variables'], { env, warnings }) as Record<string, unknown>;
  for (const [key, value] of Object.entries(resolved)) {
    if (value === null) continue;
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw configError(['environment_variables', key], `expected a string, number or boolean, got ${describeValue(value)}`);
    }
    env[key] = String(value);
  }
  return env;
}

const ROUTER_REDIS_KEYS = new Set(['redis_host', 'redis_port', 'redis_password']);

export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, path: string | null = null): LoadedConfig {
  const warnings: string[] = [];
  const root = raw ?? {};
  if (!isPlainObject(root)) {
    throw new ConfigError(`(config): expected a mapping of sections, got ${describeValue(root)}`, { file: path });
  }
  try {
    const mergedEnv = mergeEnv(root, env, warnings);
    const resolved = walk(root, configSchema, [], { env: mergedEnv, warnings });
    const result = configSchema.safeParse(resolved);
    if (!result.success) throw issueToError(result.error.issues[0]!, resolved);
    // router_settings: only the Redis connection is read (shared-state/redis.ts); the rest is LiteLLM's router
    const ignored = Object.keys(result.data.router_settings ?? {}).filter((k) => !ROUTER_REDIS_KEYS.has(k));
    if (ignored.length) warnings.push(`router_settings: ${ignored.join(', ')} not implemented by Purser, ignored`);
    return { config: result.data, warnings, path, env: mergedEnv };
  } catch (err) {
    if (err instanceof ConfigError && path !== null) {
      throw new ConfigError(err.message, { keyPath: err.keyPath, file: path });
    }
    throw err;
  }
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? (err as Error).message})`;
    throw new ConfigError(`${path}: ${reason}`, { file: path });
  }
  const doc = parseDocument(text);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const where = yamlError.linePos?.[0];
    const location = where ? `:${where.line}:${where.col}` : '';
    // yaml's message ends with a code excerpt over several lines; keep the first.
    const message = yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${path}${location}: invalid YAML: ${message}`, { file: path });
  }
  return parseConfig(doc.toJS(), env, path);
}
