/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CliWhoAmI {\n    me {\n      authMethod\n      user { id email alias userRole maxBudget spend personalSpend teams { teamId role team { teamAlias } } }\n    }\n  }\n": typeof types.CliWhoAmIDocument,
    "\n  mutation CliLogin($input: LoginInput!) {\n    login(input: $input) { authMethod user { id email userRole } }\n  }\n": typeof types.CliLoginDocument,
    "\n  mutation CliLogout {\n    logout\n  }\n": typeof types.CliLogoutDocument,
    "\n  fragment CliKey on VirtualKey {\n    id keyAlias keyName userId teamId spend maxBudget budgetDuration budgetResetAt rpmLimit tpmLimit models blocked expires createdAt\n    user { email }\n    team { teamAlias }\n  }\n": typeof types.CliKeyFragmentDoc,
    "\n  query CliListKeys($first: Int!, $after: String, $filter: KeyFilter) {\n    keys(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...CliKey } }\n    }\n  }\n": typeof types.CliListKeysDocument,
    "\n  query CliUserByEmail($email: String!, $after: String) {\n    users(first: 100, after: $after, filter: { email: $email }) { pageInfo { hasNextPage endCursor } edges { node { id email } } }\n  }\n": typeof types.CliUserByEmailDocument,
    "\n  mutation CliGenerateKey($input: GenerateKeyInput!) {\n    generateKey(input: $input) { secret key { ...CliKey } }\n  }\n": typeof types.CliGenerateKeyDocument,
    "\n  mutation CliDeleteKey($input: DeleteKeyInput!) {\n    deleteKey(input: $input) { id }\n  }\n": typeof types.CliDeleteKeyDocument,
    "\n  mutation CliRegenerateKey($input: RegenerateKeyInput!) {\n    regenerateKey(input: $input) { secret key { ...CliKey } }\n  }\n": typeof types.CliRegenerateKeyDocument,
    "\n  mutation CliBlockKey($input: BlockKeyInput!) {\n    blockKey(input: $input) { ...CliKey }\n  }\n": typeof types.CliBlockKeyDocument,
    "\n  mutation CliUnblockKey($input: UnblockKeyInput!) {\n    unblockKey(input: $input) { ...CliKey }\n  }\n": typeof types.CliUnblockKeyDocument,
    "\n  query CliListUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id email alias userRole spend maxBudget createdAt lastSignInAt } }\n    }\n  }\n": typeof types.CliListUsersDocument,
    "\n  mutation CliInviteUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      link\n      emailSent\n      invitation { id userId expiresAt emailError user { id email userRole maxBudget teams { teamId role } } }\n    }\n  }\n": typeof types.CliInviteUserDocument,
    "\n  mutation CliDeleteUser($input: DeleteUserInput!) {\n    deleteUser(input: $input) { userId deletedKeyIds }\n  }\n": typeof types.CliDeleteUserDocument,
    "\n  query CliListTeams($first: Int!, $after: String) {\n    teams(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id teamAlias spend maxBudget budgetDuration models blocked members { userId } } }\n    }\n  }\n": typeof types.CliListTeamsDocument,
    "\n  mutation CliCreateTeam($input: CreateTeamInput!) {\n    createTeam(input: $input) { id teamAlias spend maxBudget budgetDuration models blocked members { userId } }\n  }\n": typeof types.CliCreateTeamDocument,
    "\n  mutation CliAddTeamMember($input: AddTeamMemberInput!) {\n    addTeamMember(input: $input) { teamId userId role source user { email } }\n  }\n": typeof types.CliAddTeamMemberDocument,
    "\n  query CliUsage($filter: UsageFilter!, $groupBy: [UsageGroupBy!]) {\n    usage(filter: $filter, groupBy: $groupBy) {\n      totals { requests successes failures spend promptTokens completionTokens totalTokens cacheHits cacheSavings }\n      rows { day model keyId userId teamId requests successes failures spend promptTokens completionTokens totalTokens cacheHits unpriced }\n    }\n  }\n": typeof types.CliUsageDocument,
    "\n  query CliKeyLimits($id: ID!) {\n    key(id: $id) {\n      id\n      keyAlias\n      limits {\n        callable\n        refusal\n        caps { kind scope label limit used reserved remaining resetsAt refuses message }\n      }\n    }\n  }\n": typeof types.CliKeyLimitsDocument,
};
const documents: Documents = {
    "\n  query CliWhoAmI {\n    me {\n      authMethod\n      user { id email alias userRole maxBudget spend personalSpend teams { teamId role team { teamAlias } } }\n    }\n  }\n": types.CliWhoAmIDocument,
    "\n  mutation CliLogin($input: LoginInput!) {\n    login(input: $input) { authMethod user { id email userRole } }\n  }\n": types.CliLoginDocument,
    "\n  mutation CliLogout {\n    logout\n  }\n": types.CliLogoutDocument,
    "\n  fragment CliKey on VirtualKey {\n    id keyAlias keyName userId teamId spend maxBudget budgetDuration budgetResetAt rpmLimit tpmLimit models blocked expires createdAt\n    user { email }\n    team { teamAlias }\n  }\n": types.CliKeyFragmentDoc,
    "\n  query CliListKeys($first: Int!, $after: String, $filter: KeyFilter) {\n    keys(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...CliKey } }\n    }\n  }\n": types.CliListKeysDocument,
    "\n  query CliUserByEmail($email: String!, $after: String) {\n    users(first: 100, after: $after, filter: { email: $email }) { pageInfo { hasNextPage endCursor } edges { node { id email } } }\n  }\n": types.CliUserByEmailDocument,
    "\n  mutation CliGenerateKey($input: GenerateKeyInput!) {\n    generateKey(input: $input) { secret key { ...CliKey } }\n  }\n": types.CliGenerateKeyDocument,
    "\n  mutation CliDeleteKey($input: DeleteKeyInput!) {\n    deleteKey(input: $input) { id }\n  }\n": types.CliDeleteKeyDocument,
    "\n  mutation CliRegenerateKey($input: RegenerateKeyInput!) {\n    regenerateKey(input: $input) { secret key { ...CliKey } }\n  }\n": types.CliRegenerateKeyDocument,
    "\n  mutation CliBlockKey($input: BlockKeyInput!) {\n    blockKey(input: $input) { ...CliKey }\n  }\n": types.CliBlockKeyDocument,
    "\n  mutation CliUnblockKey($input: UnblockKeyInput!) {\n    unblockKey(input: $input) { ...CliKey }\n  }\n": types.CliUnblockKeyDocument,
    "\n  query CliListUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id email alias userRole spend maxBudget createdAt lastSignInAt } }\n    }\n  }\n": types.CliListUsersDocument,
    "\n  mutation CliInviteUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      link\n      emailSent\n      invitation { id userId expiresAt emailError user { id email userRole maxBudget teams { teamId role } } }\n    }\n  }\n": types.CliInviteUserDocument,
    "\n  mutation CliDeleteUser($input: DeleteUserInput!) {\n    deleteUser(input: $input) { userId deletedKeyIds }\n  }\n": types.CliDeleteUserDocument,
    "\n  query CliListTeams($first: Int!, $after: String) {\n    teams(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id teamAlias spend maxBudget budgetDuration models blocked members { userId } } }\n    }\n  }\n": types.CliListTeamsDocument,
    "\n  mutation CliCreateTeam($input: CreateTeamInput!) {\n    createTeam(input: $input) { id teamAlias spend maxBudget budgetDuration models blocked members { userId } }\n  }\n": types.CliCreateTeamDocument,
    "\n  mutation CliAddTeamMember($input: AddTeamMemberInput!) {\n    addTeamMember(input: $input) { teamId userId role source user { email } }\n  }\n": types.CliAddTeamMemberDocument,
    "\n  query CliUsage($filter: UsageFilter!, $groupBy: [UsageGroupBy!]) {\n    usage(filter: $filter, groupBy: $groupBy) {\n      totals { requests successes failures spend promptTokens completionTokens totalTokens cacheHits cacheSavings }\n      rows { day model keyId userId teamId requests successes failures spend promptTokens completionTokens totalTokens cacheHits unpriced }\n    }\n  }\n": types.CliUsageDocument,
    "\n  query CliKeyLimits($id: ID!) {\n    key(id: $id) {\n      id\n      keyAlias\n      limits {\n        callable\n        refusal\n        caps { kind scope label limit used reserved remaining resetsAt refuses message }\n      }\n    }\n  }\n": types.CliKeyLimitsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliWhoAmI {\n    me {\n      authMethod\n      user { id email alias userRole maxBudget spend personalSpend teams { teamId role team { teamAlias } } }\n    }\n  }\n"): typeof import('./graphql.js').CliWhoAmIDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliLogin($input: LoginInput!) {\n    login(input: $input) { authMethod user { id email userRole } }\n  }\n"): typeof import('./graphql.js').CliLoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliLogout {\n    logout\n  }\n"): typeof import('./graphql.js').CliLogoutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CliKey on VirtualKey {\n    id keyAlias keyName userId teamId spend maxBudget budgetDuration budgetResetAt rpmLimit tpmLimit models blocked expires createdAt\n    user { email }\n    team { teamAlias }\n  }\n"): typeof import('./graphql.js').CliKeyFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliListKeys($first: Int!, $after: String, $filter: KeyFilter) {\n    keys(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...CliKey } }\n    }\n  }\n"): typeof import('./graphql.js').CliListKeysDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliUserByEmail($email: String!, $after: String) {\n    users(first: 100, after: $after, filter: { email: $email }) { pageInfo { hasNextPage endCursor } edges { node { id email } } }\n  }\n"): typeof import('./graphql.js').CliUserByEmailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliGenerateKey($input: GenerateKeyInput!) {\n    generateKey(input: $input) { secret key { ...CliKey } }\n  }\n"): typeof import('./graphql.js').CliGenerateKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliDeleteKey($input: DeleteKeyInput!) {\n    deleteKey(input: $input) { id }\n  }\n"): typeof import('./graphql.js').CliDeleteKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliRegenerateKey($input: RegenerateKeyInput!) {\n    regenerateKey(input: $input) { secret key { ...CliKey } }\n  }\n"): typeof import('./graphql.js').CliRegenerateKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliBlockKey($input: BlockKeyInput!) {\n    blockKey(input: $input) { ...CliKey }\n  }\n"): typeof import('./graphql.js').CliBlockKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliUnblockKey($input: UnblockKeyInput!) {\n    unblockKey(input: $input) { ...CliKey }\n  }\n"): typeof import('./graphql.js').CliUnblockKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliListUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id email alias userRole spend maxBudget createdAt lastSignInAt } }\n    }\n  }\n"): typeof import('./graphql.js').CliListUsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliInviteUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      link\n      emailSent\n      invitation { id userId expiresAt emailError user { id email userRole maxBudget teams { teamId role } } }\n    }\n  }\n"): typeof import('./graphql.js').CliInviteUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliDeleteUser($input: DeleteUserInput!) {\n    deleteUser(input: $input) { userId deletedKeyIds }\n  }\n"): typeof import('./graphql.js').CliDeleteUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliListTeams($first: Int!, $after: String) {\n    teams(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id teamAlias spend maxBudget budgetDuration models blocked members { userId } } }\n    }\n  }\n"): typeof import('./graphql.js').CliListTeamsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliCreateTeam($input: CreateTeamInput!) {\n    createTeam(input: $input) { id teamAlias spend maxBudget budgetDuration models blocked members { userId } }\n  }\n"): typeof import('./graphql.js').CliCreateTeamDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliAddTeamMember($input: AddTeamMemberInput!) {\n    addTeamMember(input: $input) { teamId userId role source user { email } }\n  }\n"): typeof import('./graphql.js').CliAddTeamMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliUsage($filter: UsageFilter!, $groupBy: [UsageGroupBy!]) {\n    usage(filter: $filter, groupBy: $groupBy) {\n      totals { requests successes failures spend promptTokens completionTokens totalTokens cacheHits cacheSavings }\n      rows { day model keyId userId teamId requests successes failures spend promptTokens completionTokens totalTokens cacheHits unpriced }\n    }\n  }\n"): typeof import('./graphql.js').CliUsageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliKeyLimits($id: ID!) {\n    key(id: $id) {\n      id\n      keyAlias\n      limits {\n        callable\n        refusal\n        caps { kind scope label limit used reserved remaining resetsAt refuses message }\n      }\n    }\n  }\n"): typeof import('./graphql.js').CliKeyLimitsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
