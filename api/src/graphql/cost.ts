import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isInterfaceType,
  isObjectType,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE } from '../common/pagination.js';
import type { GqlContext } from './context.js';

/**
 * The cost model (README, "GraphQL API"): the most objects a response can hold, about the rows
 * the server may load. Scalars are free (they come with their row); every object counts 1 (a
 * one-to-one relation is one lookup); a connection counts 1 (its count) plus `first` (default
 * 25) times one item; a list without paging (a user's teams, a team's members: usually few)
 * counts 5 items; edges and pageInfo are wrappers and free. So a page of 50 keys with their
 * user and team costs 151, while lists inside lists multiply and are refused. Introspection fields count 1 each,
 * without multiplying (their size is the schema's). Each fragment is costed once.
 */
export const UNPAGED_LIST_SIZE = 5;

const fieldDef = (parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined => {
  if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
};
const isWrapper = (name: string) => name.endsWith('Edge') || name === 'PageInfo';
const isConnection = (name: string) => name.endsWith('Connection');

export function queryCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  const pageSize = (field: FieldNode): number => {
    const arg = field.arguments?.find((a) => a.name.value === 'first');
    let v: unknown = undefined;
    if (arg?.value.kind === Kind.INT) v = Number(arg.value.value);
    else if (arg?.value.kind === Kind.VARIABLE) v = variables[arg.value.name.value];
    return typeof v === 'number' && Number.isFinite(v) ? Math.max(1, Math.ceil(v)) : DEFAULT_PAGE;
  };

  /** Cost of one object's selection; `page` is the size of lists directly inside a connection. */
  const setCost = (set: SelectionSetNode, type: GraphQLCompositeType, page: number, introspection: boolean): number => {
    let total = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) total += fieldCost(s, type, page, introspection);
      else if (s.kind === Kind.INLINE_FRAGMENT) {
        const t = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
        if (t && isCompositeType(t)) total += setCost(s.selectionSet, t, page, introspection);
      } else total += fragmentCost(s.name.value, page, introspection);
    }
    return total;
  };

  const fragmentCost = (name: string, page: number, introspection: boolean): number => {
    const key = `${name}:${page}:${introspection}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const def = fragments.get(name);
    const t = def && schema.getType(def.typeCondition.name.value);
    // a cycle cannot get here (validation refuses it first); count it as free rather than recurse
    if (!def || !t || !isCompositeType(t) || visiting.has(key)) return 0;
    visiting.add(key);
    const c = setCost(def.selectionSet, t, page, introspection);
    visiting.delete(key);
    memo.set(key, c);
    return c;
  };

  const fieldCost = (field: FieldNode, parent: GraphQLCompositeType, page: number, introspection: boolean): number => {
    const name = field.name.value;
    if (name === '__typename') return 0;
    const def = fieldDef(parent, name);
    if (!def) return 0;
    const inIntrospection = introspection || name.startsWith('__');
    const fieldType = def.type;
    if (!fieldType) return 0;
    const named = getNamedType(fieldType);
    if (!field.selectionSet || !isCompositeType(named)) return inIntrospection ? 1 : 0;
    if (inIntrospection) return 1 + setCost(field.selectionSet, named, 1, true);
    if (isConnection(named.name)) return 1 + setCost(field.selectionSet, named, pageSize(field), false);
    const items = isListType(getNullableType(fieldType)) ? (isConnection(parent.name) ? page : UNPAGED_LIST_SIZE) : 1;
    return items * ((isWrapper(named.name) ? 0 : 1) + setCost(field.selectionSet, named, page, false));
  };

  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  return root ? setCost(operation.selectionSet, root, DEFAULT_PAGE, false) : 0;
}

export function costLimit(schema: GraphQLSchema, max: number): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const cost = queryCost(schema, document, operation, request.variables ?? {});
          if (cost > max)
            throw new GraphQLError(
              `Query is too expensive: cost ${cost} exceeds the limit of ${max} (general_settings.graphql_max_cost). Ask for smaller pages or fewer lists inside lists.`,
              { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } },
            );
        },
      };
    },
  };
}
