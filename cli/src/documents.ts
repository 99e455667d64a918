// Every GraphQL document the CLI sends; `npm run codegen` types them into ./gql/.
import { graphql } from './gql/index.js';

export const WhoAmI = graphql(`
  query CliWhoAmI {
    me {
      authMethod
      user { id email alias userRole maxBudget spend personalSpend teams { teamId role team { teamAlias } } }
    }
  }
`);

export const Login = graphql(`
  mutation CliLogin($input: LoginInput!) {
    login(input: $input) { authMethod user { id email userRole } }
  }
`);

export const Logout = graphql(`
  mutation CliLogout {
    logout
  }
`);

export const KeyFields = graphql(`
  fragment CliKey on VirtualKey {
    id keyAlias keyName userId teamId spend maxBudget budgetDuration budgetResetAt rpmLimit tpmLimit models blocked expires createdAt
    user { email }
    team { teamAlias }
  }
`);

export const ListKeys = graphql(`
  query CliListKeys($first: Int!, $after: String, $filter: KeyFilter) {
    keys(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...CliKey } }
    }
  }
`);

export const UserByEmail = graphql(`
  query CliUserByEmail($email: String!, $after: String) {
    users(first: 100, after: $after, filter: { email: $email }) { pageInfo { hasNextPage endCursor } edges { node { id email } } }
  }
`);

export const GenerateKey = graphql(`
  mutation CliGenerateKey($input: GenerateKeyInput!) {
    generateKey(input: $input) { secret key { ...CliKey } }
  }
`);

export const DeleteKey = graphql(`
  mutation CliDeleteKey($input: DeleteKeyInput!) {
    deleteKey(input: $input) { id }
  }
`);

export const RegenerateKey = graphql(`
  mutation CliRegenerateKey($input: RegenerateKeyInput!) {
    regenerateKey(input: $input) { secret key { ...CliKey } }
  }
`);

export const BlockKey = graphql(`
  mutation CliBlockKey($input: BlockKeyInput!) {
    blockKey(input: $input) { ...CliKey }
  }
`);

export const UnblockKey = graphql(`
  mutation CliUnblockKey($input: UnblockKeyInput!) {
    unblockKey(input: $input) { ...CliKey }
  }
`);

export const ListUsers = graphql(`
  query CliListUsers($first: Int!, $after: String) {
    users(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id email alias userRole spend maxBudget createdAt lastSignInAt } }
    }
  }
`);

export const InviteUser = graphql(`
  mutation CliInviteUser($input: InviteUserInput!) {
    inviteUser(input: $input) {
      link
      emailSent
      invitation { id userId expiresAt emailError user { id email userRole maxBudget teams { teamId role } } }
    }
  }
`);

export const DeleteUser = graphql(`
  mutation CliDeleteUser($input: DeleteUserInput!) {
    deleteUser(input: $input) { userId deletedKeyIds }
  }
`);

export const ListTeams = graphql(`
  query CliListTeams($first: Int!, $after: String) {
    teams(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id teamAlias spend maxBudget budgetDuration models blocked members { userId } } }
    }
  }
`);

export const CreateTeam = graphql(`
  mutation CliCreateTeam($input: CreateTeamInput!) {
    createTeam(input: $input) { id teamAlias spend maxBudget budgetDuration models blocked members { userId } }
  }
`);

export const AddTeamMember = graphql(`
  mutation CliAddTeamMember($input: AddTeamMemberInput!) {
    addTeamMember(input: $input) { teamId userId role source user { email } }
  }
`);

export const Usage = graphql(`
  query CliUsage($filter: UsageFilter!, $groupBy: [UsageGroupBy!]) {
    usage(filter: $filter, groupBy: $groupBy) {
      totals { requests successes failures spend promptTokens completionTokens totalTokens cacheHits cacheSavings }
      rows { day model keyId userId teamId requests successes failures spend promptTokens completionTokens totalTokens cacheHits unpriced }
    }
  }
`);

export const KeyLimits = graphql(`
  query CliKeyLimits($id: ID!) {
    key(id: $id) {
      id
      keyAlias
      limits {
        callable
        refusal
        caps { kind scope label limit used reserved remaining resetsAt refuses message }
      }
    }
  }
`);
