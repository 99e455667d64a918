/**
 * Model names as LiteLLM matches them: an exact name, or a wildcard entry `prefix/*` that
 * stands for every name starting with `prefix/` (`openrouter/*` covers
 * `openrouter/anthropic/claude-3.5-haiku`). `*` alone covers every name. Used by the router,
 * the key snapshot's allowed set and the services that check model lists.
 */

export const isWildcard = (pattern: string) => pattern === '*' || pattern.endsWith('/*');

/** Whether `pattern` (a name or a wildcard) covers the concrete or wildcard `name`. */
export function covers(pattern: string, name: string): boolean {
  if (pattern === name || pattern === '*') return true;
  if (!pattern.endsWith('/*')) return false;
  const prefix = pattern.slice(0, -1);
  return name.length > prefix.length && name.startsWith(prefix);
}

/** Whether any entry of `list` covers `name`. */
export const coveredBy = (list: Iterable<string>, name: string) => {
  for (const p of list) if (covers(p, name)) return true;
  return false;
};

/**
 * The names both sets allow, wildcards included: `openrouter/*` ∩ `openrouter/a` =
 * `openrouter/a`; `openrouter/*` ∩ `openrouter/*` = `openrouter/*`.
 */
export function intersectNames(a: Iterable<string>, b: Iterable<string>): Set<string> {
  const bs = [...b];
  const out = new Set<string>();
  for (const x of a)
    for (const y of bs) {
      if (covers(y, x)) out.add(x);
      else if (covers(x, y)) out.add(y);
    }
  return out;
}
