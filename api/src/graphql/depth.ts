import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';

/** Selection sets nested inside each other (fields, inline fragments, fragment spreads), at most. */
export const MAX_NESTING = 100;

class TooNested extends Error {}

/**
 * Operation depth limit as a validation rule (replaces graphql-depth-limit, which followed
 * fragment spreads without a cycle check and overflowed the stack on `...A` ↔ `...B`).
 * Each fragment is measured once and a cycle counts as nothing: NoFragmentCyclesRule, in the
 * same validation pass, reports it. Depth counts fields (not `__*` introspection fields, as
 * before); nesting of any kind is capped at MAX_NESTING so that neither this rule nor the cost
 * walk (which runs only on documents that passed) can recurse deeper than that.
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    /** fragment → [field depth, nesting] of its selection set */
    const memo = new Map<string, [number, number]>();
    const visiting = new Set<string>();
    let level = 0;

    const fragment = (name: string): [number, number] => {
      const known = memo.get(name);
      if (known) {
        if (level + known[1] > MAX_NESTING) throw new TooNested();
        return known;
      }
      const def = fragments.get(name);
      if (!def || visiting.has(name)) return [0, 0];
      visiting.add(name);
      const measured = walk(def.selectionSet);
      visiting.delete(name);
      memo.set(name, measured);
      return measured;
    };
    const walk = (set: SelectionSetNode): [number, number] => {
      if (++level > MAX_NESTING) throw new TooNested();
      try {
        let depth = 0;
        let nesting = 0;
        for (const s of set.selections) {
          let d = 0;
          let n = 0;
          if (s.kind === Kind.FIELD) {
            if (s.selectionSet) {
              [d, n] = walk(s.selectionSet);
              d = s.name.value.startsWith('__') ? 0 : d + 1;
            }
          } else if (s.kind === Kind.INLINE_FRAGMENT) [d, n] = walk(s.selectionSet);
          else [d, n] = fragment(s.name.value);
          depth = Math.max(depth, d);
          nesting = Math.max(nesting, n);
        }
        return [depth, nesting + 1];
      } finally {
        level--;
      }
    };

    for (const d of context.getDocument().definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      const name = d.name ? `'${d.name.value}'` : 'The operation';
      try {
        if (walk(d.selectionSet)[0] > maxDepth)
          context.reportError(
            new GraphQLError(`${name} exceeds maximum operation depth of ${maxDepth} (general_settings.graphql_max_depth).`, { nodes: [d] }),
          );
      } catch (e) {
        if (!(e instanceof TooNested)) throw e;
        level = 0;
        context.reportError(
          new GraphQLError(`${name} nests selections (fields, inline fragments and fragment spreads) more than ${MAX_NESTING} levels deep.`, { nodes: [d] }),
        );
      }
    }
    return {};
  };
}
