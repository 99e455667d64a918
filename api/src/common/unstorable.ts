import { badInput } from './errors.js';

/**
 * NUL is the one character no supported database stores in text: PostgreSQL refuses it, and
 * SQLite's SQL (values are inlined by the driver) ends at it, which turned a NUL into a 500.
 * Every string that comes in is checked once per surface (REST hook, GraphQL plugin).
 */
const UNSTORABLE = /\u0000/;

/** The path (`a.b.0.c`, under `root`) of the first string key or value holding NUL, else null. Iterative: input may nest deeply. */
export function findUnstorable(value: unknown, root = ''): string | null {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return path || 'value';
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        const p = path ? `${path}.${k}` : k;
        if (UNSTORABLE.test(k)) return p;
        stack.push([child, p]);
      }
    }
  }
  return null;
}

export const unstorableError = (path: string) =>
  badInput(`${path} contains a NUL character (\\u0000), which cannot be stored.`, path);

/** Throws BAD_USER_INPUT naming the field when any string in `value` holds NUL. */
export function assertStorable(value: unknown, root = ''): void {
  const path = findUnstorable(value, root);
  if (path !== null) throw unstorableError(path);
}
