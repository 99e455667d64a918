/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** An existing user to add to a team, with role and member budget. */
export type AddTeamMemberInput = {
  /** Reset period of the member budget. */
  budgetDuration?: string | null | undefined;
  /** Exact email of an existing user (or give userId). */
  email?: string | null | undefined;
  /** Budget inside the team in USD (`max_budget_in_team`). */
  maxBudgetInTeam?: number | null | undefined;
  /** Role in the team (default USER). */
  role?: TeamRole | null | undefined;
  /** Team id. */
  teamId: string | number;
  /** User id (or give email). */
  userId?: string | number | null | undefined;
};

/** How the caller authenticated. */
export type AuthMethod =
  /** The master key (acts as default_user_id, a proxy_admin). */
  | 'MASTER_KEY'
  /** A dashboard session cookie. */
  | 'SESSION'
  /** A virtual key (sk-...), acting as its owner. */
  | 'VIRTUAL_KEY';

/** The key to block. */
export type BlockKeyInput = {
  /** Key id (or its secret or token hash). */
  id: string | number;
};

/** A new team. */
export type CreateTeamInput = {
  /** Block every key of the team. */
  blocked?: boolean | null | undefined;
  /** Budget reset period, e.g. 30d or 1mo. */
  budgetDuration?: string | null | undefined;
  /** Team budget in USD; null = none. */
  maxBudget?: number | null | undefined;
  /** Initial members. */
  members?: Array<NewTeamMemberInput> | null | undefined;
  /** Free-form metadata. */
  metadata?: Record<string, unknown> | null | undefined;
  /** LiteLLM model_aliases: alias the team's keys send → a model the team may use, e.g. {"cheap-model": "gpt-4o-mini"}. */
  modelAliases?: Record<string, unknown> | null | undefined;
  /** Models the team may use; empty = all. */
  models?: Array<string> | null | undefined;
  /** Requests per minute for the team. */
  rpmLimit?: number | null | undefined;
  /** Soft budget in USD (alerts only). */
  softBudget?: number | null | undefined;
  /** Display name. */
  teamAlias?: string | null | undefined;
  /** Team id (e.g. an SSO group id); generated when omitted. */
  teamId?: string | number | null | undefined;
  /** Tokens per minute for the team. */
  tpmLimit?: number | null | undefined;
};

/** The key to delete. */
export type DeleteKeyInput = {
  /** Key id (or its secret or token hash). */
  id: string | number;
};

/** Which user to delete. */
export type DeleteUserInput = {
  /** The user to delete; their keys and memberships go too, spend rows stay. */
  userId: string | number;
};

/** A new key. Without teamId it is a personal key; without userId it is the caller's. */
export type GenerateKeyInput = {
  /** Rotate the secret on schedule every rotationInterval (LiteLLM `auto_rotate`). */
  autoRotate?: boolean | null | undefined;
  /** Budget reset period, e.g. 30d or 1mo. */
  budgetDuration?: string | null | undefined;
  /** Lifetime, e.g. 30d; null or "-1" on update = never expires. */
  duration?: string | null | undefined;
  /** Unique alias. */
  keyAlias?: string | null | undefined;
  /** Key budget in USD. */
  maxBudget?: number | null | undefined;
  /** Calls in flight at once. */
  maxParallelRequests?: number | null | undefined;
  /** Free-form metadata. */
  metadata?: Record<string, unknown> | null | undefined;
  /** Models the key may use; empty = all the owner or team may use. */
  models?: Array<string> | null | undefined;
  /** How often autoRotate gives the key a new secret, e.g. 30d (LiteLLM `rotation_interval`). */
  rotationInterval?: string | null | undefined;
  /** Requests per minute. */
  rpmLimit?: number | null | undefined;
  /** Soft budget in USD (alerts only). */
  softBudget?: number | null | undefined;
  /** Team for a team key. */
  teamId?: string | number | null | undefined;
  /** Tokens per minute. */
  tpmLimit?: number | null | undefined;
  /** Owner (proxy_admin may mint for others). */
  userId?: string | number | null | undefined;
};

/** Invite a person: creates the user (by the creation rule) and an invitation link. */
export type InviteUserInput = {
  /** Budget reset period, e.g. 1mo. */
  budgetDuration?: string | null | undefined;
  /** Email of the person. */
  email: string;
  /** Budget in USD for personal keys. */
  maxBudget?: number | null | undefined;
  /** Models for personal keys; empty = all. */
  models?: Array<string> | null | undefined;
  /** Email the link (needs PROXY_BASE_URL and SMTP). */
  sendEmail?: boolean | null | undefined;
  /** Teams to join as member. */
  teamIds?: Array<string | number> | null | undefined;
  /** Teams to join with a role and member budget (besides teamIds). */
  teams?: Array<TeamAssignmentInput> | null | undefined;
  /** Display name. */
  userAlias?: string | null | undefined;
  /** Role; defaults by the creation rule. */
  userRole?: UserRole | null | undefined;
};

/** Filters for keys. */
export type KeyFilter = {
  /** Alias contains this. */
  keyAlias?: string | null | undefined;
  /** Only keys of this team. */
  teamId?: string | number | null | undefined;
  /** Only keys of this owner. */
  userId?: string | number | null | undefined;
};

/** What a cap counts. */
export type LimitKind =
  /** Spend in USD in the current budget window. */
  | 'BUDGET'
  /** Calls in flight at once. */
  | 'PARALLEL'
  /** Requests in the current minute. */
  | 'RPM'
  /** Tokens in the current minute. */
  | 'TPM';

/** Whose cap it is. */
export type LimitScope =
  /** The key itself. */
  | 'KEY'
  /** The owner’s budget inside the key’s team. */
  | 'MEMBER'
  /** The key’s team. */
  | 'TEAM'
  /** The owner’s personal budget (personal keys only). */
  | 'USER';

/** Email (or the admin username) and password. */
export type LoginInput = {
  /** Email, or `admin` (UI_USERNAME) for the master-key admin. */
  email: string;
  /** Password (the master key or UI_PASSWORD for admin). */
  password: string;
};

/** How a membership was made: by a person (MANUAL), by SSO group sync (SSO) or by SCIM provisioning (SCIM). */
export type MembershipSource =
  /** Added by a person (GraphQL, REST or the dashboard). */
  | 'MANUAL'
  /** Made by SCIM group provisioning (Okta, Entra ID). */
  | 'SCIM'
  /** Made by SSO group sync. */
  | 'SSO';

/** A member to add when creating a team: an existing user by id or exact email. */
export type NewTeamMemberInput = {
  /** Exact email of an existing user. */
  email?: string | null | undefined;
  /** Role in the team (default user). */
  role?: TeamRole | null | undefined;
  /** User id. */
  userId?: string | number | null | undefined;
};

/** A key to give a new secret, with optional changes as in updateKey. */
export type RegenerateKeyInput = {
  /** Rotate the secret on schedule every rotationInterval (LiteLLM `auto_rotate`). */
  autoRotate?: boolean | null | undefined;
  /** Budget reset period, e.g. 30d or 1mo. */
  budgetDuration?: string | null | undefined;
  /** Lifetime, e.g. 30d; null or "-1" on update = never expires. */
  duration?: string | null | undefined;
  /** How long the old secret keeps working, e.g. 24h (at most general_settings.key_rotation_max_grace_period); omitted = it stops at once. */
  gracePeriod?: string | null | undefined;
  /** Key id (or its secret or token hash). */
  id: string | number;
  /** Unique alias. */
  keyAlias?: string | null | undefined;
  /** Key budget in USD. */
  maxBudget?: number | null | undefined;
  /** Calls in flight at once. */
  maxParallelRequests?: number | null | undefined;
  /** Free-form metadata. */
  metadata?: Record<string, unknown> | null | undefined;
  /** Models the key may use; empty = all the owner or team may use. */
  models?: Array<string> | null | undefined;
  /** How often autoRotate gives the key a new secret, e.g. 30d (LiteLLM `rotation_interval`). */
  rotationInterval?: string | null | undefined;
  /** Requests per minute. */
  rpmLimit?: number | null | undefined;
  /** Soft budget in USD (alerts only). */
  softBudget?: number | null | undefined;
  /** Correct the spend in the current window (USD). */
  spend?: number | null | undefined;
  /** Team for a team key. */
  teamId?: string | number | null | undefined;
  /** Tokens per minute. */
  tpmLimit?: number | null | undefined;
  /** Owner (proxy_admin may mint for others). */
  userId?: string | number | null | undefined;
};

/** A team to join, with the role inside it. */
export type TeamAssignmentInput = {
  /** Budget inside the team in USD (`max_budget_in_team`). */
  maxBudgetInTeam?: number | null | undefined;
  /** Role in the team (default user). */
  role?: TeamRole | null | undefined;
  /** Team id. */
  teamId: string | number;
};

/** Role inside a team. */
export type TeamRole =
  /** Manages members and all keys of the team. */
  | 'ADMIN'
  /** Member: uses the team and manages own team keys. */
  | 'USER';

/** The key to unblock. */
export type UnblockKeyInput = {
  /** Key id (or its secret or token hash). */
  id: string | number;
};

/** Which usage to read. Non-admins read their own usage, or a team they belong to (teamId). */
export type UsageFilter = {
  /** Only calls naming this customer (LiteLLM end user) as `user`. */
  customerId?: string | number | null | undefined;
  /** First UTC day, YYYY-MM-DD (inclusive). */
  from: string;
  /** Only calls with this key. */
  keyId?: string | number | null | undefined;
  /** Only calls to this model. */
  model?: string | null | undefined;
  /** Only calls by keys of this team. */
  teamId?: string | number | null | undefined;
  /** Last UTC day, YYYY-MM-DD (inclusive); at most 366 days after from. */
  to: string;
  /** Only calls by keys of this user. */
  userId?: string | number | null | undefined;
};

/** A dimension to break usage down by. */
export type UsageGroupBy =
  /** Customer (LiteLLM end user: the `user` a call names); null for calls naming none. */
  | 'CUSTOMER'
  /** UTC day (YYYY-MM-DD). */
  | 'DAY'
  /** Virtual key id (per-member breakdown within a team: team admins only). */
  | 'KEY'
  /** Model name as the caller asked for it. */
  | 'MODEL'
  /** Team; null for personal keys. */
  | 'TEAM'
  /** Key owner (per-member breakdown within a team: team admins only). */
  | 'USER';

/** Global role, as LiteLLM names them (`proxy_admin` is PROXY_ADMIN here). */
export type UserRole =
  /** Sees, creates and deletes own keys; sees own spend and usage. */
  | 'INTERNAL_USER'
  /** Sees own keys and own spend and usage; cannot create or delete keys. */
  | 'INTERNAL_USER_VIEWER'
  /** Platform admin: everything. */
  | 'PROXY_ADMIN'
  /** Sees all keys, users, teams, spend, usage, audit log and settings; cannot write. */
  | 'PROXY_ADMIN_VIEWER';

export type CliWhoAmIQueryVariables = Exact<{ [key: string]: never; }>;


export type CliWhoAmIQuery = { me: { authMethod: AuthMethod, user: { id: string, email: string | null, alias: string | null, userRole: UserRole, maxBudget: number | null, spend: number, personalSpend: number, teams: Array<{ teamId: string, role: TeamRole, team: { teamAlias: string | null } | null }> } } };

export type CliLoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type CliLoginMutation = { login: { authMethod: AuthMethod, user: { id: string, email: string | null, userRole: UserRole } } };

export type CliLogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type CliLogoutMutation = { logout: boolean };

export type CliKeyFragment = { id: string, keyAlias: string | null, keyName: string, userId: string | null, teamId: string | null, spend: number, maxBudget: number | null, budgetDuration: string | null, budgetResetAt: string | null, rpmLimit: number | null, tpmLimit: number | null, models: Array<string>, blocked: boolean, expires: string | null, createdAt: string, user: { email: string | null } | null, team: { teamAlias: string | null } | null };

export type CliListKeysQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: KeyFilter | null | undefined;
}>;


export type CliListKeysQuery = { keys: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, keyAlias: string | null, keyName: string, userId: string | null, teamId: string | null, spend: number, maxBudget: number | null, budgetDuration: string | null, budgetResetAt: string | null, rpmLimit: number | null, tpmLimit: number | null, models: Array<string>, blocked: boolean, expires: string | null, createdAt: string, user: { email: string | null } | null, team: { teamAlias: string | null } | null } }> } };

export type CliUserByEmailQueryVariables = Exact<{
  email: string;
  after?: string | null | undefined;
}>;


export type CliUserByEmailQuery = { users: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, email: string | null } }> } };

export type CliGenerateKeyMutationVariables = Exact<{
  input: GenerateKeyInput;
}>;


export type CliGenerateKeyMutation = { generateKey: { secret: string, key: { id: string, keyAlias: string | null, keyName: string, userId: string | null, teamId: string | null, spend: number, maxBudget: number | null, budgetDuration: string | null, budgetResetAt: string | null, rpmLimit: number | null, tpmLimit: number | null, models: Array<string>, blocked: boolean, expires: string | null, createdAt: string, user: { email: string | null } | null, team: { teamAlias: string | null } | null } } };

export type CliDeleteKeyMutationVariables = Exact<{
  input: DeleteKeyInput;
}>;


export type CliDeleteKeyMutation = { deleteKey: { id: string } };

export type CliRegenerateKeyMutationVariables = Exact<{
  input: RegenerateKeyInput;
}>;


export type CliRegenerateKeyMutation = { regenerateKey: { secret: string, key: { id: string, keyAlias: string | null, keyName: string, userId: string | null, teamId: string | null, spend: number, maxBudget: number | null, budgetDuration: string | null, budgetResetAt: string | null, rpmLimit: number | null, tpmLimit: number | null, models: Array<string>, blocked: boolean, expires: string | null, createdAt: string, user: { email: string | null } | null, team: { teamAlias: string | null } | null } } };

export type CliBlockKeyMutationVariables = Exact<{
  input: BlockKeyInput;
}>;


export type CliBlockKeyMutation = { blockKey: { id: string, keyAlias: string | null, keyName: string, userId: string | null, teamId: string | null, spend: number, maxBudget: number | null, budgetDuration: string | null, budgetResetAt: string | null, rpmLimit: number | null, tpmLimit: number | null, models: Array<string>, blocked: boolean, expires: string | null, createdAt: string, user: { email: string | null } | null, team: { teamAlias: string | null } | null } };

export type CliUnblockKeyMutationVariables = Exact<{
  input: UnblockKeyInput;
}>;


export type CliUnblockKeyMutation = { unblockKey: { id: string, keyAlias: string | null, keyName: string, userId: string | null, teamId: string | null, spend: number, maxBudget: number | null, budgetDuration: string | null, budgetResetAt: string | null, rpmLimit: number | null, tpmLimit: number | null, models: Array<string>, blocked: boolean, expires: string | null, createdAt: string, user: { email: string | null } | null, team: { teamAlias: string | null } | null } };

export type CliListUsersQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type CliListUsersQuery = { users: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, email: string | null, alias: string | null, userRole: UserRole, spend: number, maxBudget: number | null, createdAt: string, lastSignInAt: string | null } }> } };

export type CliInviteUserMutationVariables = Exact<{
  input: InviteUserInput;
}>;


export type CliInviteUserMutation = { inviteUser: { link: string, emailSent: boolean, invitation: { id: string, userId: string, expiresAt: string, emailError: string | null, user: { id: string, email: string | null, userRole: UserRole, maxBudget: number | null, teams: Array<{ teamId: string, role: TeamRole }> } | null } } };

export type CliDeleteUserMutationVariables = Exact<{
  input: DeleteUserInput;
}>;


export type CliDeleteUserMutation = { deleteUser: { userId: string, deletedKeyIds: Array<string> } };

export type CliListTeamsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type CliListTeamsQuery = { teams: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, teamAlias: string | null, spend: number, maxBudget: number | null, budgetDuration: string | null, models: Array<string>, blocked: boolean, members: Array<{ userId: string }> } }> } };

export type CliCreateTeamMutationVariables = Exact<{
  input: CreateTeamInput;
}>;


export type CliCreateTeamMutation = { createTeam: { id: string, teamAlias: string | null, spend: number, maxBudget: number | null, budgetDuration: string | null, models: Array<string>, blocked: boolean, members: Array<{ userId: string }> } };

export type CliAddTeamMemberMutationVariables = Exact<{
  input: AddTeamMemberInput;
}>;


export type CliAddTeamMemberMutation = { addTeamMember: { teamId: string, userId: string, role: TeamRole, source: MembershipSource, user: { email: string | null } | null } };

export type CliUsageQueryVariables = Exact<{
  filter: UsageFilter;
  groupBy?: Array<UsageGroupBy> | UsageGroupBy | null | undefined;
}>;


export type CliUsageQuery = { usage: { totals: { requests: number, successes: number, failures: number, spend: number, promptTokens: number, completionTokens: number, totalTokens: number, cacheHits: number, cacheSavings: number }, rows: Array<{ day: string | null, model: string | null, keyId: string | null, userId: string | null, teamId: string | null, requests: number, successes: number, failures: number, spend: number, promptTokens: number, completionTokens: number, totalTokens: number, cacheHits: number, unpriced: boolean | null }> } };

export type CliKeyLimitsQueryVariables = Exact<{
  id: string | number;
}>;


export type CliKeyLimitsQuery = { key: { id: string, keyAlias: string | null, limits: { callable: boolean, refusal: string | null, caps: Array<{ kind: LimitKind, scope: LimitScope, label: string, limit: number, used: number, reserved: number, remaining: number, resetsAt: string | null, refuses: boolean, message: string }> } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CliKeyFragmentDoc = new TypedDocumentString(`
    fragment CliKey on VirtualKey {
  id
  keyAlias
  keyName
  userId
  teamId
  spend
  maxBudget
  budgetDuration
  budgetResetAt
  rpmLimit
  tpmLimit
  models
  blocked
  expires
  createdAt
  user {
    email
  }
  team {
    teamAlias
  }
}
    `, {"fragmentName":"CliKey"}) as unknown as TypedDocumentString<CliKeyFragment, unknown>;
export const CliWhoAmIDocument = new TypedDocumentString(`
    query CliWhoAmI {
  me {
    authMethod
    user {
      id
      email
      alias
      userRole
      maxBudget
      spend
      personalSpend
      teams {
        teamId
        role
        team {
          teamAlias
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliWhoAmIQuery, CliWhoAmIQueryVariables>;
export const CliLoginDocument = new TypedDocumentString(`
    mutation CliLogin($input: LoginInput!) {
  login(input: $input) {
    authMethod
    user {
      id
      email
      userRole
    }
  }
}
    `) as unknown as TypedDocumentString<CliLoginMutation, CliLoginMutationVariables>;
export const CliLogoutDocument = new TypedDocumentString(`
    mutation CliLogout {
  logout
}
    `) as unknown as TypedDocumentString<CliLogoutMutation, CliLogoutMutationVariables>;
export const CliListKeysDocument = new TypedDocumentString(`
    query CliListKeys($first: Int!, $after: String, $filter: KeyFilter) {
  keys(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        ...CliKey
      }
    }
  }
}
    fragment CliKey on VirtualKey {
  id
  keyAlias
  keyName
  userId
  teamId
  spend
  maxBudget
  budgetDuration
  budgetResetAt
  rpmLimit
  tpmLimit
  models
  blocked
  expires
  createdAt
  user {
    email
  }
  team {
    teamAlias
  }
}`) as unknown as TypedDocumentString<CliListKeysQuery, CliListKeysQueryVariables>;
export const CliUserByEmailDocument = new TypedDocumentString(`
    query CliUserByEmail($email: String!, $after: String) {
  users(first: 100, after: $after, filter: {email: $email}) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        email
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliUserByEmailQuery, CliUserByEmailQueryVariables>;
export const CliGenerateKeyDocument = new TypedDocumentString(`
    mutation CliGenerateKey($input: GenerateKeyInput!) {
  generateKey(input: $input) {
    secret
    key {
      ...CliKey
    }
  }
}
    fragment CliKey on VirtualKey {
  id
  keyAlias
  keyName
  userId
  teamId
  spend
  maxBudget
  budgetDuration
  budgetResetAt
  rpmLimit
  tpmLimit
  models
  blocked
  expires
  createdAt
  user {
    email
  }
  team {
    teamAlias
  }
}`) as unknown as TypedDocumentString<CliGenerateKeyMutation, CliGenerateKeyMutationVariables>;
export const CliDeleteKeyDocument = new TypedDocumentString(`
    mutation CliDeleteKey($input: DeleteKeyInput!) {
  deleteKey(input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<CliDeleteKeyMutation, CliDeleteKeyMutationVariables>;
export const CliRegenerateKeyDocument = new TypedDocumentString(`
    mutation CliRegenerateKey($input: RegenerateKeyInput!) {
  regenerateKey(input: $input) {
    secret
    key {
      ...CliKey
    }
  }
}
    fragment CliKey on VirtualKey {
  id
  keyAlias
  keyName
  userId
  teamId
  spend
  maxBudget
  budgetDuration
  budgetResetAt
  rpmLimit
  tpmLimit
  models
  blocked
  expires
  createdAt
  user {
    email
  }
  team {
    teamAlias
  }
}`) as unknown as TypedDocumentString<CliRegenerateKeyMutation, CliRegenerateKeyMutationVariables>;
export const CliBlockKeyDocument = new TypedDocumentString(`
    mutation CliBlockKey($input: BlockKeyInput!) {
  blockKey(input: $input) {
    ...CliKey
  }
}
    fragment CliKey on VirtualKey {
  id
  keyAlias
  keyName
  userId
  teamId
  spend
  maxBudget
  budgetDuration
  budgetResetAt
  rpmLimit
  tpmLimit
  models
  blocked
  expires
  createdAt
  user {
    email
  }
  team {
    teamAlias
  }
}`) as unknown as TypedDocumentString<CliBlockKeyMutation, CliBlockKeyMutationVariables>;
export const CliUnblockKeyDocument = new TypedDocumentString(`
    mutation CliUnblockKey($input: UnblockKeyInput!) {
  unblockKey(input: $input) {
    ...CliKey
  }
}
    fragment CliKey on VirtualKey {
  id
  keyAlias
  keyName
  userId
  teamId
  spend
  maxBudget
  budgetDuration
  budgetResetAt
  rpmLimit
  tpmLimit
  models
  blocked
  expires
  createdAt
  user {
    email
  }
  team {
    teamAlias
  }
}`) as unknown as TypedDocumentString<CliUnblockKeyMutation, CliUnblockKeyMutationVariables>;
export const CliListUsersDocument = new TypedDocumentString(`
    query CliListUsers($first: Int!, $after: String) {
  users(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        email
        alias
        userRole
        spend
        maxBudget
        createdAt
        lastSignInAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliListUsersQuery, CliListUsersQueryVariables>;
export const CliInviteUserDocument = new TypedDocumentString(`
    mutation CliInviteUser($input: InviteUserInput!) {
  inviteUser(input: $input) {
    link
    emailSent
    invitation {
      id
      userId
      expiresAt
      emailError
      user {
        id
        email
        userRole
        maxBudget
        teams {
          teamId
          role
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliInviteUserMutation, CliInviteUserMutationVariables>;
export const CliDeleteUserDocument = new TypedDocumentString(`
    mutation CliDeleteUser($input: DeleteUserInput!) {
  deleteUser(input: $input) {
    userId
    deletedKeyIds
  }
}
    `) as unknown as TypedDocumentString<CliDeleteUserMutation, CliDeleteUserMutationVariables>;
export const CliListTeamsDocument = new TypedDocumentString(`
    query CliListTeams($first: Int!, $after: String) {
  teams(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        teamAlias
        spend
        maxBudget
        budgetDuration
        models
        blocked
        members {
          userId
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliListTeamsQuery, CliListTeamsQueryVariables>;
export const CliCreateTeamDocument = new TypedDocumentString(`
    mutation CliCreateTeam($input: CreateTeamInput!) {
  createTeam(input: $input) {
    id
    teamAlias
    spend
    maxBudget
    budgetDuration
    models
    blocked
    members {
      userId
    }
  }
}
    `) as unknown as TypedDocumentString<CliCreateTeamMutation, CliCreateTeamMutationVariables>;
export const CliAddTeamMemberDocument = new TypedDocumentString(`
    mutation CliAddTeamMember($input: AddTeamMemberInput!) {
  addTeamMember(input: $input) {
    teamId
    userId
    role
    source
    user {
      email
    }
  }
}
    `) as unknown as TypedDocumentString<CliAddTeamMemberMutation, CliAddTeamMemberMutationVariables>;
export const CliUsageDocument = new TypedDocumentString(`
    query CliUsage($filter: UsageFilter!, $groupBy: [UsageGroupBy!]) {
  usage(filter: $filter, groupBy: $groupBy) {
    totals {
      requests
      successes
      failures
      spend
      promptTokens
      completionTokens
      totalTokens
      cacheHits
      cacheSavings
    }
    rows {
      day
      model
      keyId
      userId
      teamId
      requests
      successes
      failures
      spend
      promptTokens
      completionTokens
      totalTokens
      cacheHits
      unpriced
    }
  }
}
    `) as unknown as TypedDocumentString<CliUsageQuery, CliUsageQueryVariables>;
export const CliKeyLimitsDocument = new TypedDocumentString(`
    query CliKeyLimits($id: ID!) {
  key(id: $id) {
    id
    keyAlias
    limits {
      callable
      refusal
      caps {
        kind
        scope
        label
        limit
        used
        reserved
        remaining
        resetsAt
        refuses
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliKeyLimitsQuery, CliKeyLimitsQueryVariables>;