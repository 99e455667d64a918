/**
 * Pre-pass over the raw YAML value, guided by the zod schema, before zod validates types.
 * It does what zod cannot do with a path at hand: resolve `os.environ/NAME`, coerce env
 * strings to the number/boolean the schema wants, judge unknown keys (error, "did you mean",
 * or warning by object policy) and warn about lenient durations ("24hr").
 */
import { z } from 'zod';
import { parseDuration } from '../time/durations.js';
import { configError, formatPath, suggestKey, unknownKeyMessage, type KeyPath } from './errors.js';
import { DURATION_SCHEMAS, OBJECT_POLICY } from './schema.js';

const ENV_REF = /^os\.environ\/(.+)$/;

/**
 * Real LiteLLM keys within edit distance 2 of one of ours, which must be warned about, not
 * rejected as typos. None today (checked against LITELLM.md section 6 and common configs);
 * add here if a new key of ours lands next to one of theirs.
 */
const KNOWN_LITELLM_KEYS = new Set<string>();

export interface WalkContext {
  env: Readonly<Record<string, string | undefined>>;
  warnings: string[];
}

type Unwrappable = { unwrap(): z.ZodType };

/** Strip optional/default/nullable wrappers to reach the schema that judges the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault
    ) {
      current = (current as unknown as Unwrappable).unwrap();
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Resolve `os.environ/NAME`; env values are strings, so coerce when the schema wants more. */
function resolveEnvRef(value: string, schema: z.ZodType | undefined, path: KeyPath, ctx: WalkContext): unknown {
  const match = ENV_REF.exec(value);
  if (!match) return value;
  const name = match[1]!;
  const resolved = ctx.env[name];
  if (resolved === undefined) {
    throw configError(path, `environment variable ${name} is not set (referenced as ${value})`);
  }
  const target = schema && unwrap(schema);
  if (target instanceof z.ZodNumber && resolved.trim() !== '' && Number.isFinite(Number(resolved))) {
    return Number(resolved);
  }
  if (target instanceof z.ZodBoolean && /^(true|false)$/i.test(resolved.trim())) {
    return resolved.trim().toLowerCase() === 'true';
  }
  return resolved;
}

function walkObject(
  value: Record<string, unknown>,
  schema: z.ZodObject,
  path: KeyPath,
  ctx: WalkContext,
): Record<string, unknown> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  const policy = OBJECT_POLICY.get(schema) ?? 'closed';
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    // A blank YAML value (`key:`) means "not set", as if the key were absent.
    if (child === null) continue;
    if (Object.hasOwn(shape, key)) {
      out[key] = walk(child, shape[key], childPath, ctx);
      continue;
    }
    const suggestion = suggestKey(key, known);
    if (policy === 'closed' || (policy === 'section' && suggestion && !KNOWN_LITELLM_KEYS.has(key))) {
      throw configError(childPath, unknownKeyMessage(suggestion));
    }
    const hint = suggestion && policy === 'open' ? ` (did you mean "${suggestion}"?)` : '';
    ctx.warnings.push(`${formatPath(childPath)}: not implemented by Purser, ignored${hint}`);
  }
  return out;
}

/** Returns a resolved copy of `value`; throws ConfigError for the first key problem. */
export function walk(value: unknown, schema: z.ZodType | undefined, path: KeyPath, ctx: WalkContext): unknown {
  if (typeof value === 'string') {
    const resolved = resolveEnvRef(value, schema, path, ctx);
    if (schema && typeof resolved === 'string' && DURATION_SCHEMAS.has(unwrap(schema))) {
      warnIfLenient(resolved, path, ctx);
    }
    return resolved;
  }
  const target = schema && unwrap(schema);
  if (Array.isArray(value)) {
    const element = target instanceof z.ZodArray ? (target.element as z.ZodType) : undefined;
    return value.map((item, index) => walk(item, element, [...path, index], ctx));
  }
  if (!isPlainObject(value)) return value;
  if (target instanceof z.ZodObject) return walkObject(value, target, path, ctx);
  if (target instanceof z.ZodUnion) {
    // e.g. teams: (string | {team_id, …})[] — an object value is judged by the object branch.
    const branch = (target.options as z.ZodType[]).map(unwrap).find((o) => o instanceof z.ZodObject);
    if (branch) return walkObject(value, branch as z.ZodObject, path, ctx);
  }
  const valueSchema = target instanceof z.ZodRecord ? (target.valueType as z.ZodType) : undefined;
  // Free-form maps (metadata, router_settings): only resolve env references inside.
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, walk(child, valueSchema, [...path, key], ctx)]),
  );
}

function warnIfLenient(text: string, path: KeyPath, ctx: WalkContext): void {
  try {
    const parsed = parseDuration(text);
    if (parsed.lenient) ctx.warnings.push(`${formatPath(path)}: ${JSON.stringify(text)} read as ${parsed.text}`);
  } catch {
    // zod reports invalid durations with the same path.
  }
}
