import { GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import { allow, rule, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import type { Ctx } from '../app/context.js';
import { AppError } from '../common/errors.js';
import { authorize, mayAttempt } from './authorize.js';
import { OPERATIONS, PERMISSIONS, type Operation } from './map.js';

const refusal = (ctx: Ctx, op?: Operation) => {
  if (!ctx.principal)
    return new GraphQLError('Authentication required: send a valid API key or sign in.', { extensions: { code: 'UNAUTHENTICATED' } });
  // the same words REST gets from authorize() for the same operation
  let message = 'Your role does not allow this operation.';
  if (op)
    try {
      authorize(ctx.principal, op);
    } catch (e) {
      if (e instanceof AppError) message = e.message;
    }
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 200 } } });
};

/** Root field → the operations that may reach it, read off the permission map. */
export function rootFieldOperations(): Map<string, Operation[]> {
  const byField = new Map<string, Operation[]>();
  for (const op of OPERATIONS)
    for (const f of PERMISSIONS[op].graphql) byField.set(f, [...(byField.get(f) ?? []), op]);
  return byField;
}

/**
 * graphql-shield rules generated from the permission map: a root field is reachable when the
 * map grants the caller any of its operations (services then check the exact target). Root
 * fields missing from the map are denied; object types are allowed because their data
 * already went through scoped service calls.
 */
export function buildShield(schema: GraphQLSchema) {
  const rules: Record<string, Record<string, unknown>> = {};
  for (const [field, ops] of rootFieldOperations()) {
    const [type, name] = field.split('.') as [string, string];
    rules[type] ??= {};
    rules[type]![name] = rule(`${field}:${ops.join('|')}`, { cache: 'contextual' })((_p, _a, ctx: Ctx) =>
      ops.some((op) => mayAttempt(ctx.principal, op)) ? true : refusal(ctx, ops[0]),
    );
  }
  for (const t of Object.values(schema.getTypeMap())) {
    if (!isObjectType(t) || t.name.startsWith('__') || t.name === 'Query' || t.name === 'Mutation') continue;
    rules[t.name] = allow as never;
  }
  return shield(rules as IRules, {
    fallbackRule: rule('deny-by-default', { cache: 'contextual' })((_p, _a, ctx: Ctx) => refusal(ctx)),
    allowExternalErrors: true,
  });
}
