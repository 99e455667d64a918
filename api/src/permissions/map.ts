import type { Role, TeamRole } from './roles.js';

/**
 * The permission map: ROLES.md as data, the one place roles live. Deny by default: an
 * operation (or a role) not listed here is refused. graphql-shield rules, REST adapters
 * and services all read it through `authorize()`.
 *
 * Scopes of a global-role grant:
 *   all  - any object
 *   own  - objects the caller owns (own user row, own keys, teams the caller belongs to)
 * Scopes of a team-role grant (apply to objects of teams where the caller has that role):
 *   team - every object of that team (its keys, its members)
 *   own  - only the caller's own objects within that team
 * A team grant on a `write` operation needs a global role that is not a viewer.
 * A team key without owner has no role: it gets only what an operation grants with `teamKey`.
 * Internal jobs act as the system principal (method `system`, no role): they get only what an
 * operation grants explicitly with `system`.
 */
export type GlobalScope = 'all' | 'own';
export type TeamScope = 'team' | 'own';

export interface OperationRule {
  description: string;
  write: boolean;
  /** anyone, even without a credential (sign-in, invitation by token) */
  anonymous?: boolean;
  roles: Partial<Record<Role, GlobalScope>>;
  teamRoles?: Partial<Record<TeamRole, TeamScope>>;
  /** GraphQL root fields guarded by this operation (shield rules are generated from these) */
  graphql: string[];
  /** granted to a team key without owner (no user, no role): `team` = objects of its own team only */
  teamKey?: 'team';
  /** granted to internal jobs (the system principal, e.g. SSO provisioning); absent = refused */
  system?: 'all';
  /** granted to a SCIM provisioning token (Okta, Entra ID); absent = refused */
  scim?: 'all';
}

const EVERY_ROLE_OWN = {
  proxy_admin: 'own',
  proxy_admin_viewer: 'own',
  internal_user: 'own',
  internal_user_viewer: 'own',
} as const;

const READ_ALL_OR_OWN = {
  proxy_admin: 'all',
  proxy_admin_viewer: 'all',
  internal_user: 'own',
  internal_user_viewer: 'own',
} as const;

export const PERMISSIONS = {
  'session.login': { graphql: ['Mutation.login'], description: 'Sign in with email and password', write: false, anonymous: true, roles: {} },
  'session.logout': { graphql: ['Mutation.logout'], description: 'Sign out', write: false, anonymous: true, roles: {} },
  'key.claim_rotated': { graphql: ['Mutation.claimRotatedKey'], description: 'Take a scheduled rotation’s new secret once, by its mailed link (the owner, or a visitor with the link)', write: true, anonymous: true, roles: {} },
  'key.report_leaked': { graphql: ['Mutation.reportLeakedKey'], description: 'Report a leaked secret (blocks its key)', write: true, anonymous: true, roles: {} },
  'ui.config.read': { graphql: ['Query.uiConfig'], description: 'Read the public sign-in settings', write: false, anonymous: true, roles: {} },
  'me.read': { graphql: ['Query.me', 'Query.keyCreationOptions'], description: 'Read own user and own permissions', write: false, roles: EVERY_ROLE_OWN },
  'me.update': { graphql: ['Mutation.updateMe', 'Mutation.changePassword'], description: 'Update own alias and password', write: true, roles: EVERY_ROLE_OWN },

  'user.read': {
    graphql: ['Query.users', 'Query.user'], description: 'Read or list users',
    write: false,
    roles: READ_ALL_OR_OWN,
    teamRoles: { admin: 'team' },
  },
  // SSO provisioning creates the users and teams the IdP names (the system principal)
  'user.create': { graphql: ['Mutation.createUser', 'Mutation.inviteUser'], description: 'Create users', write: true, roles: { proxy_admin: 'all' }, system: 'all', scim: 'all' },
  'user.update': {
    graphql: ['Mutation.updateUser'], description: "Update another user, their role or budget",
    write: true,
    roles: { proxy_admin: 'all' },
  },
  'user.delete': { graphql: ['Mutation.deleteUser'], description: 'Delete users', write: true, roles: { proxy_admin: 'all' }, scim: 'all' },

  'team.read': { graphql: ['Query.teams', 'Query.team'], description: 'Read teams, their settings and budget', write: false, roles: READ_ALL_OR_OWN, teamKey: 'team' },
  'team.create': { graphql: ['Mutation.createTeam'], description: 'Create teams', write: true, roles: { proxy_admin: 'all' }, system: 'all', scim: 'all' },
  'team.update': { graphql: ['Mutation.updateTeam'], description: 'Update team settings and budget', write: true, roles: { proxy_admin: 'all' } },
  'team.delete': { graphql: ['Mutation.deleteTeam'], description: 'Delete teams', write: true, roles: { proxy_admin: 'all' } },
  'team.member.budget.read': {
    graphql: [], description: "Read a member's spend and budget inside a team",
    write: false,
    // the member alone (own), that team's admins (team), platform admins: not fellow members
    roles: READ_ALL_OR_OWN,
    teamRoles: { admin: 'team' },
  },
  'team.members.manage': {
    graphql: ['Mutation.addTeamMember', 'Mutation.updateTeamMember', 'Mutation.removeTeamMember'], description: 'Add, update and remove team members',
    write: true,
    roles: { proxy_admin: 'all' },
    teamRoles: { admin: 'team' },
  },

  'key.read': {
    graphql: ['Query.keys', 'Query.key'], description: 'Read or list virtual keys',
    write: false,
    roles: READ_ALL_OR_OWN,
    teamRoles: { admin: 'team', user: 'own' },
  },
  'key.generate.self': {
    graphql: ['Mutation.generateKey'], description: 'Generate a personal key for oneself',
    write: true,
    roles: { proxy_admin: 'all', internal_user: 'own' },
  },
  'key.playground': {
    graphql: ['Mutation.playgroundKey'], description: 'Mint a short-lived personal key for the dashboard’s Try it panel',
    write: true,
    roles: { proxy_admin: 'all', internal_user: 'own' },
  },
  'key.generate.other': {
    graphql: ['Mutation.generateKey'], description: 'Generate a key owned by another user',
    write: true,
    roles: { proxy_admin: 'all' },
  },
  'key.generate.team': {
    graphql: ['Mutation.generateKey'], description: 'Generate a team key',
    write: true,
    roles: { proxy_admin: 'all' },
    teamRoles: { admin: 'team', user: 'team' },
  },
  // what only a platform admin may do to keys (ROLES.md "Key rules"): read by the key rules
  'key.owner.change': {
    graphql: ['Mutation.updateKey', 'Mutation.regenerateKey'], description: "Change a key's owner, team or spend",
    write: true,
    roles: { proxy_admin: 'all' },
  },
  'key.ceiling.bypass': {
    graphql: ['Mutation.generateKey', 'Mutation.updateKey', 'Mutation.regenerateKey'],
    description: "Give a key more than its owner's or team's ceiling (models, budget, limits)",
    write: true,
    roles: { proxy_admin: 'all' },
  },
  'key.team.rules.bypass': {
    graphql: ['Mutation.generateKey'],
    description: 'Mint team keys outside team_key_generation (team role, required params), ownerless service keys included',
    write: true,
    roles: { proxy_admin: 'all' },
  },
  'key.update': {
    graphql: ['Mutation.updateKey', 'Mutation.regenerateKey'], description: 'Update or regenerate a key',
    write: true,
    roles: { proxy_admin: 'all', internal_user: 'own' },
    teamRoles: { admin: 'team', user: 'own' },
  },
  'key.delete': {
    graphql: ['Mutation.deleteKey'], description: 'Delete a key',
    write: true,
    roles: { proxy_admin: 'all', internal_user: 'own' },
    teamRoles: { admin: 'team', user: 'own' },
  },
  'key.block': {
    graphql: ['Mutation.blockKey', 'Mutation.unblockKey'], description: 'Block or unblock a key',
    write: true,
    roles: { proxy_admin: 'all' },
    teamRoles: { admin: 'team' },
  },
  'usage.read': {
    graphql: ['Query.usage', 'Query.cacheAnalytics', 'Query.spendLogs'], description: 'Read spend logs, usage and cache analytics',
    write: false,
    roles: READ_ALL_OR_OWN,
    teamRoles: { admin: 'team', user: 'team' },
  },
  'usage.read.members': {
    graphql: [], description: 'Break usage down by member within a team',
    write: false,
    roles: { proxy_admin: 'all', proxy_admin_viewer: 'all' },
    teamRoles: { admin: 'team' },
  },
  'invitation.read': {
    graphql: ['Query.invitations'],
    description: 'List invitations',
    write: false,
    roles: { proxy_admin: 'all', proxy_admin_viewer: 'all' },
  },
  'invitation.manage': {
    graphql: ['Mutation.resendInvitation', 'Mutation.revokeInvitation', 'Mutation.sendPasswordReset'],
    description: 'Resend or revoke invitations and send password resets',
    write: true,
    roles: { proxy_admin: 'all' },
  },
  'invitation.accept': {
    graphql: ['Query.invitation', 'Mutation.acceptInvitation'],
    description: 'Read an invitation by its token and accept it',
    write: false,
    anonymous: true,
    roles: {},
  },
  'audit.read': {
    graphql: ['Query.auditLog'], description: 'Read the audit log',
    write: false,
    roles: { proxy_admin: 'all', proxy_admin_viewer: 'all' },
  },
  'settings.read': {
    graphql: ['Query.settings'], description: 'Read effective settings (secrets redacted)',
    write: false,
    roles: { proxy_admin: 'all', proxy_admin_viewer: 'all' },
  },
  // customers (LiteLLM end users) and the named budgets they reference: admins manage, admin viewers read
  'customer.read': {
    graphql: ['Query.customers', 'Query.customer'], description: 'Read or list customers (LiteLLM end users) and their spend',
    write: false,
    roles: { proxy_admin: 'all', proxy_admin_viewer: 'all' },
  },
  'customer.manage': {
    graphql: ['Mutation.createCustomer', 'Mutation.updateCustomer', 'Mutation.deleteCustomer'], description: 'Create, update, block or delete customers',
    write: true,
    roles: { proxy_admin: 'all' },
  },
  'budget.read': {
    graphql: ['Query.budgets', 'Query.budget'], description: 'Read or list named budgets (pricing tiers customers reference)',
    write: false,
    roles: { proxy_admin: 'all', proxy_admin_viewer: 'all' },
  },
  'budget.manage': {
    graphql: ['Mutation.createBudget', 'Mutation.updateBudget', 'Mutation.deleteBudget'], description: 'Create, update or delete named budgets',
    write: true,
    roles: { proxy_admin: 'all' },
  },
  // SCIM: admins create and revoke the IdP's tokens; the token itself only provisions (/scim/v2)
  'scim.token.read': { graphql: ['Query.scimTokens', 'Query.scimBaseUrl'], description: 'List SCIM provisioning tokens', write: false, roles: { proxy_admin: 'all', proxy_admin_viewer: 'all' } },
  'scim.token.manage': { graphql: ['Mutation.createScimToken', 'Mutation.revokeScimToken'], description: 'Create and revoke SCIM provisioning tokens', write: true, roles: { proxy_admin: 'all' } },
  'scim.provision': {
    graphql: [], description: 'Provision users and groups over SCIM 2.0 (read, create, update, deactivate, delete)',
    write: true, roles: {}, scim: 'all',
  },
  // access requests (ROLES.md): users ask, their team's admins or a proxy_admin decide; requests are scoped like keys
  'access_request.read': {
    graphql: ['Query.accessRequests', 'Query.accessRequest', 'Query.pendingAccessRequestCount'], description: 'Read access requests',
    write: false,
    roles: READ_ALL_OR_OWN,
    teamRoles: { admin: 'team' },
  },
  'access_request.create': {
    graphql: ['Mutation.createAccessRequest', 'Mutation.cancelAccessRequest'], description: 'Request more access for oneself, or cancel one’s own request',
    write: true,
    roles: { internal_user: 'own', internal_user_viewer: 'own' },
  },
  'access_request.decide': {
    graphql: ['Mutation.approveAccessRequest', 'Mutation.denyAccessRequest'], description: 'Approve or deny access requests',
    write: true,
    roles: { proxy_admin: 'all' },
    teamRoles: { admin: 'team' },
  },
  'models.read': { graphql: ['Query.models'], description: 'List the models one may use', write: false, roles: EVERY_ROLE_OWN },
} satisfies Record<string, OperationRule>;

export type Operation = keyof typeof PERMISSIONS;
export const OPERATIONS = Object.keys(PERMISSIONS) as Operation[];
export const ruleOf = (op: Operation): OperationRule => PERMISSIONS[op];
