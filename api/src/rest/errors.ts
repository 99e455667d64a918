import type { FastifyInstance } from 'fastify';
import { AppError } from '../common/errors.js';

/**
 * REST speaks LiteLLM's snake_case; services name fields as GraphQL does (camelCase). Errors
 * thrown by services are translated here, once for every REST route, so `max_budget cannot be
 * negative` reaches curl users while GraphQL keeps `maxBudget`. The table is derived from the
 * REST zod shapes (each snake_case field and its camelCase twin) plus the few fields whose
 * service name is not the camelCase of the REST name.
 */
export type FieldNames = ReadonlyMap<string, string>;

/** What an adapter contributes: the zod shapes it parses and its non-mechanical renames. */
export interface RestNames {
  shapes: ReadonlyArray<Record<string, unknown>>;
  /** service (camelCase) name → REST name, where the REST name is not its snake_case */
  renames: Record<string, string>;
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** camelCase service name → LiteLLM's REST name. */
export function fieldNameTable(parts: ReadonlyArray<RestNames>): FieldNames {
  const table = new Map<string, string>();
  for (const p of parts)
    for (const shape of p.shapes) for (const snake of Object.keys(shape)) if (snake.includes('_')) table.set(camel(snake), snake);
  for (const p of parts) for (const [service, rest] of Object.entries(p.renames)) table.set(service, rest);
  return table;
}

/** `members[0].userId` → `members_with_roles[0].user_id`: each path segment, indexes kept. */
function restParam(param: string, names: FieldNames): string {
  return param
    .split('.')
    .map((seg) => seg.replace(/^[A-Za-z_]\w*/, (name) => names.get(name) ?? name))
    .join('.');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The same error with REST names. In the message, camelCase words are field names and are
 * replaced; a plain word ("email") only when it is the field the error is about (`param`),
 * as elsewhere it may be prose.
 */
export function toRestNames(e: AppError, names: FieldNames): AppError {
  const field = e.param?.split('.').pop()?.replace(/\[.*$/, '');
  const words = field && names.has(field) ? `|\\b${escape(field)}\\b` : '';
  const pattern = new RegExp(`\\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\\b${words}`, 'g');
  const message = e.message.replace(pattern, (w) => names.get(w) ?? w);
  const param = e.param === null ? null : restParam(e.param, names);
  if (message === e.message && param === e.param) return e;
  const out = new AppError(e.code, message, param, e.type, e.headers);
  out.stack = e.stack;
  return out;
}

/** Translates AppErrors of the routes in this scope; the server's handler then answers as usual. */
export function translateRestErrors(scope: FastifyInstance, names: FieldNames) {
  scope.setErrorHandler((err) => {
    throw err instanceof AppError ? toRestNames(err, names) : err;
  });
}
