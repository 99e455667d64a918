import { parse } from 'scim2-parse-filter';
import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import { SCIM_TYPES, scimBad, type ScimType } from './scim-errors.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `filter=` (RFC 7644 §3.4.2.2), parsed by scim2-parse-filter. We answer the single `eq`
 * comparisons IdPs send on the attributes given (names are case-insensitive, as the RFC says);
 * any other valid filter is refused as invalidFilter rather than half-answered.
 */
export function eqFilter<A extends string>(raw: unknown, attrs: readonly A[]): { attr: A; value: string } | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw.length > 1024) throw scimBad('filter must be a string of at most 1024 characters.', 'invalidFilter');
  let ast: unknown;
  try {
    ast = parse(raw);
  } catch (e) {
    throw scimBad(`filter is not a valid SCIM filter: ${(e as Error).message}`, 'invalidFilter');
  }
  const f = ast as { op?: string; attrPath?: string; compValue?: unknown };
  const attr = attrs.find((a) => a.toLowerCase() === f.attrPath?.toLowerCase());
  if (f.op !== 'eq' || !attr || typeof f.compValue !== 'string')
    throw scimBad(`Only filters of the form \`${attrs.join(' | ')} eq "value"\` are supported.`, 'invalidFilter');
  return { attr, value: f.compValue };
}

function intParam(name: string, raw: unknown, dflt: number): number {
  if (raw === undefined || raw === '') return dflt;
  if (typeof raw !== 'string' || !/^-?\d{1,9}$/.test(raw)) throw scimBad(`${name} must be an integer.`);
  return Number(raw);
}

export const MAX_COUNT = 100;

/** startIndex (1-based; below 1 means 1) and count (0..100; negative means 0), RFC 7644 §3.4.2.4. */
export function paging(q: Record<string, unknown>): { startIndex: number; count: number } {
  const startIndex = Math.max(1, intParam('startIndex', q.startIndex, 1));
  const count = Math.min(MAX_COUNT, Math.max(0, intParam('count', q.count, MAX_COUNT)));
  return { startIndex, count };
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The operations of a PatchOp body; `op` is case-insensitive (Entra sends "Replace"). */
export function patchOperations(body: unknown): ScimPatchOperation[] {
  if (!isObj(body) || !Array.isArray(body.Operations) || body.Operations.length === 0)
    throw scimBad('The body must be a PatchOp with a non-empty Operations array.', 'invalidSyntax');
  if (body.Operations.length > 100) throw scimBad('At most 100 operations per PATCH.', 'tooMany');
  return body.Operations.map((o: unknown, i: number) => {
    if (!isObj(o) || typeof o.op !== 'string') throw scimBad(`Operations[${i}] needs an op.`, 'invalidSyntax');
    const op = o.op.toLowerCase();
    if (op !== 'add' && op !== 'remove' && op !== 'replace') throw scimBad(`Operations[${i}].op must be add, remove or replace.`, 'invalidSyntax');
    if (o.path !== undefined && (typeof o.path !== 'string' || o.path.length > 512)) throw scimBad(`Operations[${i}].path must be a string.`, 'invalidPath');
    return { ...o, op } as ScimPatchOperation;
  });
}

/** Applies the operations with scim-patch; its errors become SCIM errors with their scimType. */
export function applyPatch<T extends object>(resource: T, ops: ScimPatchOperation[]): T {
  try {
    return scimPatch(structuredClone(resource) as never, ops) as T;
  } catch (e) {
    // scim-patch's errors carry `scimCode`; only RFC 7644 values pass through
    const code = (e as { scimCode?: unknown }).scimCode;
    if (typeof code === 'string' && SCIM_TYPES.includes(code as ScimType)) throw scimBad((e as Error).message, code as ScimType);
    throw scimBad(`The patch cannot be applied: ${(e as Error).message}`, 'invalidValue');
  }
}
