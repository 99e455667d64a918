import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { findUnstorable, unstorableError } from '../common/unstorable.js';
import type { GqlContext } from './context.js';

/**
 * The GraphQL side of common/unstorable.ts: every string reaching an argument (a literal, or a
 * variable's value however deep) is checked before anything runs, and the error names the
 * argument path (`input.keyAlias`) rather than the variable.
 */
export function firstUnstorableArgument(
  document: DocumentNode,
  operation: OperationDefinitionNode | null | undefined,
  variables: Record<string, unknown>,
): string | null {
  const defaults = new Map((operation?.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue]));
  let found: string | null = null;
  const check = (root: ValueNode, rootPath: string) => {
    const stack: Array<[ValueNode, string]> = [[root, rootPath]];
    while (stack.length && found === null) {
      const [node, path] = stack.pop()!;
      if (node.kind === Kind.STRING) found = findUnstorable(node.value, path);
      else if (node.kind === Kind.LIST) node.values.forEach((v, i) => stack.push([v, `${path}.${i}`]));
      else if (node.kind === Kind.OBJECT) node.fields.forEach((f) => stack.push([f.value, `${path}.${f.name.value}`]));
      else if (node.kind === Kind.VARIABLE) {
        const name = node.name.value;
        if (name in variables) found = findUnstorable(variables[name], path);
        else if (defaults.get(name)) stack.push([defaults.get(name)!, path]);
      }
    }
  };
  for (const def of document.definitions) {
    if (found !== null) break;
    // other operations of the document do not run; fragments may be spread into this one
    if (def.kind === Kind.OPERATION_DEFINITION && def !== operation) continue;
    visit(def, {
      Argument(arg) {
        if (found === null) check(arg.value, arg.name.value);
      },
    });
  }
  return found;
}

export function unstorableInputGuard(): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          const path = firstUnstorableArgument(document, operation, request.variables ?? {});
          if (path !== null)
            throw new GraphQLError(unstorableError(path).message, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
        },
      };
    },
  };
}
