/**
 * The role matrix (ROLES.md) as a contract, pinned three ways:
 *  (a) a table written here from ROLES.md (op × principal → Allowed / Forbidden / Not found)
 *      agrees with what the role map says through `authorize()`, so the map is the contract;
 *  (b) the live server does the same on GraphQL (`extensions.code`) and REST (status), for
 *      anonymous callers, the master key, keys of each global role, team admins / members,
 *      a viewer who is team admin, and a session cookie (honoured on /graphql only);
 *  (c) every refused write changes nothing (master-key snapshot, incl. the audit log count),
 *      and list reads and nested traversals reveal no more than the root queries.
 * NOT_FOUND is expected only where the service hides a key the caller may not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimPrincipal, systemPrincipal, type Principal } from '../../api/src/auth/principal.js';
import { isAllowed, mayAttempt, type Target } from '../../api/src/permissions/authorize.js';
import { OPERATIONS, PERMISSIONS, ruleOf, type Operation } from '../../api/src/permissions/map.js';
import type { Role, TeamRole } from '../../api/src/permissions/roles.js';
import { MASTER_KEY, startServer, userWithKey, type TestServer } from '../helpers/server.js';

// ---- principals: master key, a key per role, team admin/member of T, viewer team admin of T
type Col = 'M' | 'P' | 'V' | 'I' | 'W' | 'TA' | 'TU' | 'VT';
interface Who { col: Col; userId: string; role: Role; teams: Record<string, TeamRole> }
const WHO: Who[] = [
  { col: 'M', userId: 'default_user_id', role: 'proxy_admin', teams: {} },
  { col: 'P', userId: 'padmin', role: 'proxy_admin', teams: {} },
  { col: 'V', userId: 'pviewer', role: 'proxy_admin_viewer', teams: {} },
  { col: 'I', userId: 'iu', role: 'internal_user', teams: {} },
  { col: 'W', userId: 'iuv', role: 'internal_user_viewer', teams: {} },
  { col: 'TA', userId: 'tadmin', role: 'internal_user', teams: { T: 'admin' } },
  { col: 'TU', userId: 'tmember', role: 'internal_user', teams: { T: 'user' } },
  { col: 'VT', userId: 'vtadmin', role: 'internal_user_viewer', teams: { T: 'admin' } },
];
const FMEMBER = { userId: 'fmember', role: 'internal_user' as Role, teams: { F: 'user' as TeamRole } };
const byCol = (c: Col) => WHO.find((w) => w.col === c)!;

type Cell = 'A' | 'F' | 'N';
const keyT = (ownerId: string | null, teamId: string | null): Target => ({ kind: 'key', ownerId, teamId });
const userT = (userId: string, teamIds: string[]): Target => ({ kind: 'user', userId, teamIds });
const teamT = (teamId: string): Target => ({ kind: 'team', teamId });
type Vars = Record<string, any>;
type RestCall = [method: 'GET' | 'POST', path: string, body?: unknown];

interface Case {
  name: string;
  op: Operation;
  /** columns M P V I W TA TU VT, from ROLES.md */
  expect: string;
  /** without a credential: refused (U) unless ROLES.md opens it to anyone */
  anon?: 'A' | 'U';
  target?: (w: Who) => Target;
  prepare?: (w: Who) => Promise<Vars>;
  gql?: string;
  rest?: (v: Vars) => RestCall;
}

let s: TestServer;
const FX: Record<string, string> = {}; // fixture key alias → id
let seq = 0;
const next = (p: string) => `${p}-${++seq}`;

async function asMaster(query: string, vars: Vars = {}) {
  const r = await s.gql(query, vars);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data;
}
async function mint(userId: string | null, teamId: string | null, alias: string | null = null): Promise<string> {
  const d = await asMaster(
    `mutation($u: ID, $t: ID, $a: String) { generateKey(input: { userId: $u, teamId: $t, keyAlias: $a }) { key { id } } }`,
    { u: userId, t: teamId, a: alias },
  );
  return d.generateKey.key.id;
}
async function freshUser(teamId?: string): Promise<string> {
  const id = next('u');
  await asMaster(`mutation($id: ID!, $teams: [TeamAssignmentInput!]) { createUser(input: { userId: $id, userRole: INTERNAL_USER, teams: $teams }) { id } }`, {
    id,
    teams: teamId ? [{ teamId, role: 'USER' }] : null,
  });
  return id;
}
const mintFor = (owner: (w: Who) => string | null, team: string | null) => async (w: Who) => ({ key: await mint(owner(w), team) });
const freshMember = (team: string, inTeam: boolean) => async () => ({ team, user: await freshUser(inTeam ? team : undefined) });

const ME = (w: Who) => w.userId;
const Q = {
  updateKey: `mutation($key: ID!) { updateKey(input: { id: $key, metadata: { touched: true } }) { id } }`,
  deleteKey: `mutation($key: ID!) { deleteKey(input: { id: $key }) { id } }`,
  blockKey: `mutation($key: ID!) { blockKey(input: { id: $key }) { blocked } }`,
  genKey: (extra: string) => `mutation($alias: String) { generateKey(input: { keyAlias: $alias ${extra} }) { key { id } } }`,
  addMember: `mutation($team: ID!, $user: ID!) { addTeamMember(input: { teamId: $team, userId: $user }) { userId } }`,
};
const R = {
  updateKey: (v: Vars): RestCall => ['POST', '/key/update', { key: v.key, metadata: { touched: true } }],
  deleteKey: (v: Vars): RestCall => ['POST', '/key/delete', { keys: [v.key] }],
  blockKey: (v: Vars): RestCall => ['POST', '/key/block', { key: v.key }],
  addMember: (v: Vars): RestCall => ['POST', '/team/member_add', { team_id: v.team, member: { user_id: v.user, role: 'user' } }],
};
const alias = async () => ({ alias: next('gen') });
async function invite() {
  const d = await asMaster(`mutation($e: String!) { inviteUser(input: { email: $e }) { link invitation { id } } }`, { e: `${next('inv')}@example.com` });
  return { id: d.inviteUser.invitation.id, token: d.inviteUser.link.split('/').pop() };
}

// access requests: tmember asks for a higher rpm on a fresh key of theirs in T (fresh: one pending request per key)
let KEYS: Record<string, string> = {};
async function tmemberRequest() {
  const key = await mint('tmember', 'T');
  const r = await s.gql(`mutation($key: ID!) { createAccessRequest(input: { kind: KEY_LIMIT, keyId: $key, rpmLimit: 5 }) { id } }`, { key }, KEYS.tmember);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return { id: r.data.createAccessRequest.id, key };
}

async function freshCustomer() {
  const id = next('customer');
  await asMaster(`mutation($id: ID!) { createCustomer(input: { customerId: $id }) { id } }`, { id });
  return { id };
}

async function freshBudget() {
  const id = next('budget');
  await asMaster(`mutation($id: ID!) { createBudget(input: { budgetId: $id, maxBudget: 1 }) { id } }`, { id });
  return { id };
}

//                                                          M P V I W TA TU VT
const CASES: Case[] = [
  { name: 'me', op: 'me.read', expect: 'A A A A A A A A', gql: `{ me { user { id } } }` },
  { name: 'updateMe', op: 'me.update', expect: 'A A A A A A A A', gql: `mutation { updateMe(input: { userAlias: "self" }) { id } }` },
  { name: 'models', op: 'models.read', expect: 'A A A A A A A A', gql: `{ models { id } }` },
  { name: 'users (scoped)', op: 'user.read', expect: 'A A A A A A A A', gql: `{ users { totalCount } }`, rest: () => ['GET', '/user/list'] },
  { name: 'user(id) of a member of foreign team F', op: 'user.read', target: () => userT('fmember', ['F']), expect: 'A A A F F F F F',
    gql: `{ user(id: "fmember") { id } }`, rest: () => ['GET', '/user/info?user_id=fmember'] },
  { name: 'user(id) of a member of T', op: 'user.read', target: () => userT('tmember', ['T']), expect: 'A A A F F A A A',
    gql: `{ user(id: "tmember") { id } }`, rest: () => ['GET', '/user/info?user_id=tmember'] },
  { name: 'createUser', op: 'user.create', expect: 'A A F F F F F F', prepare: async () => ({ id: next('new-user') }),
    gql: `mutation($id: ID!) { createUser(input: { userId: $id }) { id } }`, rest: (v) => ['POST', '/user/new', { user_id: v.id, auto_create_key: false }] },
  { name: 'updateUser of a member of T', op: 'user.update', target: () => userT('tmember', ['T']), expect: 'A A F F F F F F',
    gql: `mutation { updateUser(input: { userId: "tmember", userAlias: "renamed" }) { id } }`, rest: () => ['POST', '/user/update', { user_id: 'tmember', user_alias: 'renamed' }] },
  { name: 'deleteUser', op: 'user.delete', expect: 'A A F F F F F F', prepare: async () => ({ id: await freshUser() }),
    gql: `mutation($id: ID!) { deleteUser(input: { userId: $id }) { userId } }`, rest: (v) => ['POST', '/user/delete', { user_ids: [v.id] }] },
  { name: 'team(id) of T', op: 'team.read', target: () => teamT('T'), expect: 'A A A F F A A A', gql: `{ team(id: "T") { id } }`, rest: () => ['GET', '/team/info?team_id=T'] },
  { name: 'team(id) of foreign F', op: 'team.read', target: () => teamT('F'), expect: 'A A A F F F F F', gql: `{ team(id: "F") { id } }`, rest: () => ['GET', '/team/info?team_id=F'] },
  { name: 'teams (scoped)', op: 'team.read', expect: 'A A A A A A A A', gql: `{ teams { totalCount } }`, rest: () => ['GET', '/team/list'] },
  { name: 'createTeam', op: 'team.create', expect: 'A A F F F F F F', prepare: async () => ({ id: next('new-team') }),
    gql: `mutation($id: ID!) { createTeam(input: { teamId: $id }) { id } }`, rest: (v) => ['POST', '/team/new', { team_id: v.id }] },
  { name: 'updateTeam T', op: 'team.update', target: () => teamT('T'), expect: 'A A F F F F F F',
    gql: `mutation { updateTeam(input: { teamId: "T", teamAlias: "team-t" }) { id } }`, rest: () => ['POST', '/team/update', { team_id: 'T', team_alias: 'team-t' }] },
  { name: 'deleteTeam', op: 'team.delete', expect: 'A A F F F F F F',
    prepare: async () => ({ id: (await asMaster(`mutation { createTeam(input: {}) { id } }`)).createTeam.id }),
    gql: `mutation($id: ID!) { deleteTeam(input: { teamId: $id }) { teamId } }`, rest: (v) => ['POST', '/team/delete', { team_ids: [v.id] }] },
  { name: 'addTeamMember to T', op: 'team.members.manage', target: () => teamT('T'), expect: 'A A F F F A F F', prepare: freshMember('T', false), gql: Q.addMember, rest: R.addMember },
  { name: 'updateTeamMember in T', op: 'team.members.manage', target: () => teamT('T'), expect: 'A A F F F A F F', prepare: freshMember('T', true),
    gql: `mutation($team: ID!, $user: ID!) { updateTeamMember(input: { teamId: $team, userId: $user, maxBudgetInTeam: 5 }) { userId } }`,
    rest: (v) => ['POST', '/team/member_update', { team_id: v.team, user_id: v.user, max_budget_in_team: 5 }] },
  { name: 'removeTeamMember from T', op: 'team.members.manage', target: () => teamT('T'), expect: 'A A F F F A F F', prepare: freshMember('T', true),
    gql: `mutation($team: ID!, $user: ID!) { removeTeamMember(input: { teamId: $team, userId: $user }) { userId } }`,
    rest: (v) => ['POST', '/team/member_delete', { team_id: v.team, user_id: v.user }] },
  { name: 'addTeamMember to foreign F', op: 'team.members.manage', target: () => teamT('F'), expect: 'A A F F F F F F', prepare: freshMember('F', false), gql: Q.addMember, rest: R.addMember },
  { name: 'keys (scoped)', op: 'key.read', expect: 'A A A A A A A A', gql: `{ keys { totalCount } }`, rest: () => ['GET', '/key/list'] },
  { name: 'key(id) of a foreign key', op: 'key.read', target: () => keyT('fmember', 'F'), expect: 'A A A N N N N N', prepare: async () => ({ key: FX['fx-F-fm'] }),
    gql: `query($key: ID!) { key(id: $key) { id } }`, rest: (v) => ['GET', `/key/info?key=${v.key}`] },
  { name: "key(id) of tadmin's key in T", op: 'key.read', target: () => keyT('tadmin', 'T'), expect: 'A A A N N A N A', prepare: async () => ({ key: FX['fx-T-tadmin'] }),
    gql: `query($key: ID!) { key(id: $key) { id } }`, rest: (v) => ['GET', `/key/info?key=${v.key}`] },
  { name: 'generateKey personal for self', op: 'key.generate.self', target: (w) => keyT(w.userId, null), expect: 'A A F A F A A F', prepare: alias,
    gql: Q.genKey(''), rest: (v) => ['POST', '/key/generate', { key_alias: v.alias }] },
  { name: 'playgroundKey for self', op: 'key.playground', target: (w) => keyT(w.userId, null), expect: 'A A F A F A A F', gql: `mutation { playgroundKey(input: {}) { secret } }` },
  { name: 'generateKey for another user', op: 'key.generate.other', target: () => keyT('fmember', null), expect: 'A A F F F F F F', prepare: alias,
    gql: Q.genKey(', userId: "fmember"'), rest: (v) => ['POST', '/key/generate', { key_alias: v.alias, user_id: 'fmember' }] },
  { name: 'generateKey in team T', op: 'key.generate.team', target: (w) => keyT(w.userId, 'T'), expect: 'A A F F F A A F', prepare: alias,
    gql: Q.genKey(', teamId: "T"'), rest: (v) => ['POST', '/key/generate', { key_alias: v.alias, team_id: 'T' }] },
  { name: 'generateKey in foreign team F', op: 'key.generate.team', target: (w) => keyT(w.userId, 'F'), expect: 'A A F F F F F F', prepare: alias,
    gql: Q.genKey(', teamId: "F"'), rest: (v) => ['POST', '/key/generate', { key_alias: v.alias, team_id: 'F' }] },
  { name: 'updateKey own personal key', op: 'key.update', target: (w) => keyT(w.userId, null), expect: 'A A F A F A A F', prepare: mintFor(ME, null), gql: Q.updateKey, rest: R.updateKey },
  { name: "updateKey tmember's key in T", op: 'key.update', target: () => keyT('tmember', 'T'), expect: 'A A F N F A A F', prepare: mintFor(() => 'tmember', 'T'), gql: Q.updateKey, rest: R.updateKey },
  { name: "updateKey tadmin's key in T", op: 'key.update', target: () => keyT('tadmin', 'T'), expect: 'A A F N F A N F', prepare: mintFor(() => 'tadmin', 'T'), gql: Q.updateKey, rest: R.updateKey },
  { name: 'updateKey T service key (no owner)', op: 'key.update', target: () => keyT(null, 'T'), expect: 'A A F N F A N F', prepare: mintFor(() => null, 'T'), gql: Q.updateKey, rest: R.updateKey },
  { name: 'updateKey foreign key (fmember in F)', op: 'key.update', target: () => keyT('fmember', 'F'), expect: 'A A F N F N N F', prepare: mintFor(() => 'fmember', 'F'), gql: Q.updateKey, rest: R.updateKey },
  { name: "regenerateKey tadmin's key in T", op: 'key.update', target: () => keyT('tadmin', 'T'), expect: 'A A F N F A N F', prepare: mintFor(() => 'tadmin', 'T'),
    gql: `mutation($key: ID!) { regenerateKey(input: { id: $key }) { secret } }`, rest: (v) => ['POST', '/key/regenerate', { key: v.key }] },
  // the admin-only key powers (test/api/house-rules.test.ts drives the ceiling and team-rule bypasses live)
  { name: 'updateKey spend of own personal key', op: 'key.owner.change', target: (w) => keyT(w.userId, null), expect: 'A A F F F F F F', prepare: mintFor(ME, null),
    gql: `mutation($key: ID!) { updateKey(input: { id: $key, spend: 0 }) { id } }`, rest: (v) => ['POST', '/key/update', { key: v.key, spend: 0 }] },
  { name: "past the owner's or team's ceiling", op: 'key.ceiling.bypass', expect: 'A A F F F F F F' },
  { name: 'past team_key_generation rules', op: 'key.team.rules.bypass', target: () => keyT(null, 'T'), expect: 'A A F F F F F F' },
  { name: 'deleteKey own personal key', op: 'key.delete', target: (w) => keyT(w.userId, null), expect: 'A A F A F A A F', prepare: mintFor(ME, null), gql: Q.deleteKey, rest: R.deleteKey },
  { name: "deleteKey tmember's key in T", op: 'key.delete', target: () => keyT('tmember', 'T'), expect: 'A A F N F A A F', prepare: mintFor(() => 'tmember', 'T'), gql: Q.deleteKey, rest: R.deleteKey },
  { name: 'deleteKey foreign key', op: 'key.delete', target: () => keyT('fmember', 'F'), expect: 'A A F N F N N F', prepare: mintFor(() => 'fmember', 'F'), gql: Q.deleteKey, rest: R.deleteKey },
  { name: "blockKey tmember's key in T", op: 'key.block', target: () => keyT('tmember', 'T'), expect: 'A A F F F A F F', prepare: mintFor(() => 'tmember', 'T'), gql: Q.blockKey, rest: R.blockKey },
  { name: 'unblockKey a blocked key in T', op: 'key.block', target: () => keyT('tmember', 'T'), expect: 'A A F F F A F F',
    prepare: async () => {
      const key = await mint('tmember', 'T');
      await asMaster(Q.blockKey, { key });
      return { key };
    },
    gql: `mutation($key: ID!) { unblockKey(input: { id: $key }) { blocked } }`, rest: (v) => ['POST', '/key/unblock', { key: v.key }] },
  { name: 'blockKey foreign key', op: 'key.block', target: () => keyT('fmember', 'F'), expect: 'A A F F F N F F', prepare: mintFor(() => 'fmember', 'F'), gql: Q.blockKey, rest: R.blockKey },
  { name: 'inviteUser', op: 'user.create', expect: 'A A F F F F F F', prepare: async () => ({ email: `${next('invited')}@example.com` }),
    gql: `mutation($email: String!) { inviteUser(input: { email: $email }) { link } }` },
  { name: 'invitations', op: 'invitation.read', expect: 'A A A F F F F F', prepare: invite,
    gql: `{ invitations { totalCount } }`, rest: (v) => ['GET', `/invitation/info?invitation_id=${v.id}`] },
  { name: 'revokeInvitation', op: 'invitation.manage', expect: 'A A F F F F F F', prepare: invite,
    gql: `mutation($id: ID!) { revokeInvitation(input: { id: $id }) { id } }`, rest: (v) => ['POST', '/invitation/delete', { invitation_id: v.id }] },
  { name: 'resendInvitation', op: 'invitation.manage', expect: 'A A F F F F F F', prepare: invite, gql: `mutation($id: ID!) { resendInvitation(input: { id: $id }) { link } }` },
  { name: 'password reset / invitation for an existing user', op: 'invitation.manage', expect: 'A A F F F F F F', prepare: async () => ({ user: await freshUser() }),
    gql: `mutation($user: ID!) { sendPasswordReset(input: { userId: $user }) { link } }`, rest: (v) => ['POST', '/invitation/new', { user_id: v.user }] },
  { name: 'invitation(token)', op: 'invitation.accept', expect: 'A A A A A A A A', anon: 'A', prepare: invite, gql: `query($token: String!) { invitation(token: $token) { valid } }` },
  { name: 'acceptInvitation', op: 'invitation.accept', expect: 'A A A A A A A A', anon: 'A', prepare: invite,
    gql: `mutation($token: String!) { acceptInvitation(input: { token: $token, password: "Matrix-accept-7391!" }) { user { id } } }` },
  // whoever holds a rotation's one-time link takes the new secret (the live flow, owner check included: key-rotation.test.ts)
  { name: 'claimRotatedKey', op: 'key.claim_rotated', expect: 'A A A A A A A A', anon: 'A' },
  // anyone holding a secret may report it leaked (an unknown secret here: nothing changes)
  { name: 'reportLeakedKey', op: 'key.report_leaked', expect: 'A A A A A A A A', anon: 'A',
    gql: `mutation { reportLeakedKey(input: { secret: "sk-prs_matrixmatrixmatrixmatrixmatrixmatrixmatrix" }) }`, rest: () => ['POST', '/key/revoke_leaked', { key: 'sk-prs_matrixmatrixmatrixmatrixmatrixmatrixmatrix' }] },
  { name: 'uiConfig (the sign-in page)', op: 'ui.config.read', expect: 'A A A A A A A A', anon: 'A', gql: `{ uiConfig { ssoEnabled } }` },
  // customers (LiteLLM end users) and named budgets: admins manage, admin viewers read (test/gateway/customers.test.ts)
  { name: 'customers', op: 'customer.read', expect: 'A A A F F F F F', gql: `{ customers { totalCount } }`, rest: () => ['GET', '/customer/list'] },
  { name: 'customer(id)', op: 'customer.read', expect: 'A A A F F F F F', prepare: freshCustomer,
    gql: `query($id: ID!) { customer(id: $id) { id } }`, rest: (v) => ['GET', `/customer/info?end_user_id=${v.id}`] },
  { name: 'createCustomer', op: 'customer.manage', expect: 'A A F F F F F F', prepare: async () => ({ id: next('new-customer') }),
    gql: `mutation($id: ID!) { createCustomer(input: { customerId: $id }) { id } }`, rest: (v) => ['POST', '/customer/new', { user_id: v.id }] },
  { name: 'updateCustomer', op: 'customer.manage', expect: 'A A F F F F F F', prepare: freshCustomer,
    gql: `mutation($id: ID!) { updateCustomer(input: { customerId: $id, blocked: true }) { id } }`, rest: (v) => ['POST', '/customer/update', { user_id: v.id, blocked: true }] },
  { name: 'deleteCustomer', op: 'customer.manage', expect: 'A A F F F F F F', prepare: freshCustomer,
    gql: `mutation($id: ID!) { deleteCustomer(input: { customerId: $id }) { customerId } }`, rest: (v) => ['POST', '/customer/delete', { user_ids: [v.id] }] },
  { name: 'budgets', op: 'budget.read', expect: 'A A A F F F F F', gql: `{ budgets { totalCount } }`, rest: () => ['GET', '/budget/list'] },
  { name: 'budget(id)', op: 'budget.read', expect: 'A A A F F F F F', prepare: freshBudget,
    gql: `query($id: ID!) { budget(id: $id) { id } }`, rest: (v) => ['POST', '/budget/info', { budgets: [v.id] }] },
  { name: 'createBudget', op: 'budget.manage', expect: 'A A F F F F F F', prepare: async () => ({ id: next('new-budget') }),
    gql: `mutation($id: ID!) { createBudget(input: { budgetId: $id, maxBudget: 1 }) { id } }`, rest: (v) => ['POST', '/budget/new', { budget_id: v.id, max_budget: 1 }] },
  { name: 'updateBudget', op: 'budget.manage', expect: 'A A F F F F F F', prepare: freshBudget,
    gql: `mutation($id: ID!) { updateBudget(input: { budgetId: $id, maxBudget: 2 }) { id } }`, rest: (v) => ['POST', '/budget/update', { budget_id: v.id, max_budget: 2 }] },
  { name: 'deleteBudget', op: 'budget.manage', expect: 'A A F F F F F F', prepare: freshBudget,
    gql: `mutation($id: ID!) { deleteBudget(input: { budgetId: $id }) { budgetId } }`, rest: (v) => ['POST', '/budget/delete', { id: v.id }] },
  { name: 'auditLog', op: 'audit.read', expect: 'A A A F F F F F', gql: `{ auditLog { totalCount } }` },
  { name: 'settings', op: 'settings.read', expect: 'A A A F F F F F', gql: `{ settings { databaseDialect } }` },
  { name: 'scimTokens', op: 'scim.token.read', expect: 'A A A F F F F F', gql: `{ scimTokens { id } }` },
  { name: 'createScimToken', op: 'scim.token.manage', expect: 'A A F F F F F F', gql: `mutation { createScimToken(input: { name: "matrix" }) { token { id } } }` },
  // only a SCIM token provisions (test/api/scim.test.ts): no role, no key, no session
  { name: 'SCIM provisioning', op: 'scim.provision', expect: 'F F F F F F F F' },
  { name: 'spendLogs (scoped)', op: 'usage.read', expect: 'A A A A A A A A', gql: `{ spendLogs { totalCount } }` },
  // usage targets (the usage service's scoping is pinned by the gateway tests): the map rows
  { name: 'own usage', op: 'usage.read', target: (w) => ({ kind: 'usage', ownerId: w.userId, teamId: null }), expect: 'A A A A A A A A' },
  { name: 'usage totals of team T', op: 'usage.read', target: () => ({ kind: 'usage', ownerId: null, teamId: 'T' }), expect: 'A A A F F A A A' },
  { name: 'usage of team T per member', op: 'usage.read.members', target: () => ({ kind: 'usage', ownerId: null, teamId: 'T' }), expect: 'A A A F F A F A' },
  // a member's spend and member budget (test/api/member-spend.test.ts walks every path that shows them)
  { name: "tmember's own spend in T", op: 'team.member.budget.read', target: () => ({ kind: 'member', userId: 'tmember', teamId: 'T' }), expect: 'A A A F F A A A' },
  { name: "tadmin's spend in T", op: 'team.member.budget.read', target: () => ({ kind: 'member', userId: 'tadmin', teamId: 'T' }), expect: 'A A A F F A F A' },
  // access requests are scoped like keys (requester = owner); unreadable ones are NOT_FOUND (test/api/access-requests.test.ts drives the flow)
  { name: 'accessRequests (scoped)', op: 'access_request.read', expect: 'A A A A A A A A', gql: `{ accessRequests { totalCount } }` },
  { name: 'pendingAccessRequestCount', op: 'access_request.read', expect: 'A A A A A A A A', gql: `{ pendingAccessRequestCount }` },
  { name: "accessRequest(id) of tmember's request in T", op: 'access_request.read', target: () => keyT('tmember', 'T'), expect: 'A A A N N A A A', prepare: tmemberRequest,
    gql: `query($id: ID!) { accessRequest(id: $id) { id } }` },
  { name: 'createAccessRequest for own key', op: 'access_request.create', target: (w) => keyT(w.userId, null), expect: 'F F F A A A A A', prepare: mintFor(ME, null),
    gql: `mutation($key: ID!) { createAccessRequest(input: { kind: KEY_LIMIT, keyId: $key, rpmLimit: 5 }) { id } }` },
  { name: "cancelAccessRequest of tmember's request", op: 'access_request.create', target: () => keyT('tmember', 'T'), expect: 'F F F N N F A F', prepare: tmemberRequest,
    gql: `mutation($id: ID!) { cancelAccessRequest(input: { id: $id }) { id } }` },
  { name: "approveAccessRequest of tmember's request in T", op: 'access_request.decide', target: () => keyT('tmember', 'T'), expect: 'A A F F F A F F', prepare: tmemberRequest,
    gql: `mutation($id: ID!) { approveAccessRequest(input: { id: $id }) { id } }` },
  { name: "denyAccessRequest of tmember's request in T", op: 'access_request.decide', target: () => keyT('tmember', 'T'), expect: 'A A F F F A F F', prepare: tmemberRequest,
    gql: `mutation($id: ID!) { denyAccessRequest(input: { id: $id, reason: "matrix" }) { id } }` },
];

const cellOf = (c: Case, col: Col) => c.expect.split(/\s+/)[WHO.findIndex((w) => w.col === col)] as Cell;
const principalOf = (w: Pick<Who, 'userId' | 'role' | 'teams'>): Principal => ({
  method: 'virtual_key', userId: w.userId, role: w.role, email: null, teams: new Map(Object.entries(w.teams)),
});
/** services hide keys the caller may not read (NOT_FOUND) on these operations */
const HIDING: Operation[] = ['key.read', 'key.update', 'key.delete', 'key.block'];
function mapVerdict(c: Case, w: Who): Cell {
  const p = principalOf(w);
  const t = c.target?.(w);
  if (isAllowed(p, c.op, t)) return 'A';
  if (t?.kind === 'key' && HIDING.includes(c.op) && mayAttempt(p, c.op) && !isAllowed(p, 'key.read', t)) return 'N';
  // an access request the caller may not read is hidden the same way
  if (t?.kind === 'key' && c.op.startsWith('access_request.') && mayAttempt(p, c.op) && !isAllowed(p, 'access_request.read', t)) return 'N';
  return 'F';
}

// ---- live callers
interface Caller { label: string; who: Who; auth: string | null; cookie?: string; anonymous?: boolean }
let callers: Caller[] = [];
let tmemberCookie = '';

async function restWithCookie(method: string, path: string, body: unknown, cookie: string) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}
const STATUS_CELL: Record<number, string> = { 200: 'A', 401: 'U', 403: 'F', 404: 'N' };
const CODE_CELL: Record<string, string> = { UNAUTHENTICATED: 'U', FORBIDDEN: 'F', NOT_FOUND: 'N' };

async function callGql(c: Case, k: Caller, vars: Vars): Promise<string> {
  const r = await s.gql(c.gql!, vars, k.auth, k.cookie ? { cookie: k.cookie } : {});
  if (!r.errors) return Object.values(r.data ?? {}).every((v) => v != null) ? 'A' : 'empty data';
  const empty = Object.values(r.data ?? {}).every((v) => v == null);
  return (empty && CODE_CELL[r.code ?? '']) || `${r.code}: ${r.errors[0]?.message}`;
}
async function callRest(c: Case, k: Caller, vars: Vars): Promise<string> {
  const [method, path, body] = c.rest!(vars);
  const r = k.cookie ? await restWithCookie(method, path, body, k.cookie) : await s.rest(method, path, body, k.auth);
  if (r.status !== 200 && r.body?.error?.code !== String(r.status)) return `${r.status} without the error envelope`;
  return STATUS_CELL[r.status] ?? `${r.status}: ${JSON.stringify(r.body)}`;
}

/** Everything a management write could touch, read through the master key. */
async function snapshot(vars: Vars) {
  return asMaster(
    `query($key: ID!, $withKey: Boolean!) {
      users { totalCount } teams { totalCount } keys { totalCount } auditLog { totalCount } invitations { totalCount }
      user(id: "tmember") { alias userRole maxBudget }
      team(id: "T") { teamAlias maxBudget members { userId role maxBudget } }
      key(id: $key) @include(if: $withKey) { keyAlias keyName blocked metadata maxBudget }
    }`,
    { key: vars.key ?? 'none', withKey: !!vars.key },
  );
}

beforeAll(async () => {
  s = await startServer();
  for (const id of ['T', 'F']) expect((await s.rest('POST', '/team/new', { team_id: id, team_alias: `team ${id}` })).status).toBe(200);
  const keys: Record<string, string> = {};
  for (const w of [...WHO.slice(1), FMEMBER]) {
    const teams = Object.entries(w.teams).map(([team_id, role]) => ({ team_id, role }));
    keys[w.userId] = await userWithKey(s, { user_id: w.userId, user_role: w.role, user_email: `${w.userId}@example.com`, teams });
  }
  for (const [alias, owner, team] of [
    ['fx-padmin', 'padmin', null], ['fx-pviewer', 'pviewer', null], ['fx-iu', 'iu', null], ['fx-iuv', 'iuv', null],
    ['fx-tadmin', 'tadmin', null], ['fx-tmember', 'tmember', null], ['fx-vtadmin', 'vtadmin', null], ['fx-fm', 'fmember', null],
    ['fx-T-tadmin', 'tadmin', 'T'], ['fx-T-tmember', 'tmember', 'T'], ['fx-T-vtadmin', 'vtadmin', 'T'], ['fx-T-svc', null, 'T'],
    ['fx-F-fm', 'fmember', 'F'],
  ] as const)
    FX[alias] = await mint(owner, team, alias);
  KEYS = keys;

  // a session-cookie principal: tmember signs in with a password
  expect((await s.rest('POST', '/user/update', { user_id: 'tmember', password: 'tmember-password-1' })).status).toBe(200);
  const login = await fetch(`${s.url}/v2/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'tmember@example.com', password: 'tmember-password-1' }),
  });
  expect(login.status).toBe(200);
  tmemberCookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  expect(tmemberCookie).toMatch(/=/);

  callers = [
    ...WHO.map((w) => ({ label: w.col, who: w, auth: w.col === 'M' ? MASTER_KEY : keys[w.userId]! })),
    { label: 'anonymous', who: byCol('I'), auth: null, anonymous: true },
    { label: 'TU via session cookie', who: byCol('TU'), auth: null, cookie: tmemberCookie },
  ];
});
afterAll(() => s?.close());

describe('the role map is the contract', () => {
  it('the ROLES.md table here agrees with the map for every case and principal', () => {
    const diffs = CASES.flatMap((c) =>
      WHO.filter((w) => mapVerdict(c, w) !== cellOf(c, w.col)).map((w) => `${c.name} as ${w.col}: table ${cellOf(c, w.col)}, map ${mapVerdict(c, w)}`),
    );
    const anon = CASES.filter((c) => (isAllowed(null, c.op, c.target?.(WHO[0]!)) ? 'A' : 'U') !== (c.anon ?? 'U')).map((c) => `${c.name} anonymous`);
    expect([...diffs, ...anon]).toEqual([]);
    for (const c of CASES) expect(c.expect.split(/\s+/), c.name).toHaveLength(WHO.length);
  });

  it('every operation of the map is exercised; only sign-in/out, the sign-in settings, invitation tokens, rotated-key links and leak reports are anonymous; writes are the ROLES.md writes', () => {
    const covered = new Set<string>([...CASES.map((c) => c.op), 'session.login', 'session.logout']); // sign-in: see the cookie test
    expect(OPERATIONS.filter((op) => !covered.has(op))).toEqual([]);
    expect(OPERATIONS.filter((op) => ruleOf(op).anonymous)).toEqual(['session.login', 'session.logout', 'key.claim_rotated', 'key.report_leaked', 'ui.config.read', 'invitation.accept']);
    expect(OPERATIONS.filter((op) => PERMISSIONS[op].write).sort()).toEqual(
      ['me.update', 'user.create', 'user.update', 'user.delete', 'team.create', 'team.update', 'team.delete', 'team.members.manage',
        'key.generate.self', 'key.playground', 'key.generate.other', 'key.generate.team', 'key.update', 'key.delete', 'key.block', 'invitation.manage',
        'key.owner.change', 'key.ceiling.bypass', 'key.team.rules.bypass', 'key.report_leaked', 'key.claim_rotated', 'customer.manage', 'budget.manage',
        'scim.token.manage', 'scim.provision', 'access_request.create', 'access_request.decide'].sort(),
    );
    // every GraphQL root field named in a case is guarded by that case's operation in the map
    for (const c of CASES.filter((x) => x.gql)) {
      const field = /\{\s*(\w+)/.exec(c.gql!.replace(/^[^{]*/, ''))![1]!;
      expect(PERMISSIONS[c.op].graphql.some((f) => f.endsWith(`.${field}`)), `${c.name}: ${field}`).toBe(true);
    }
  });
});

describe('internal jobs act as the system principal, granted explicitly in the map', () => {
  it('the SSO job may create users and teams, and nothing else; no role grant reaches it', () => {
    const sso = systemPrincipal('sso');
    expect(OPERATIONS.filter((op) => isAllowed(sso, op)).sort()).toEqual(['invitation.accept', 'key.claim_rotated', 'key.report_leaked', 'session.login', 'session.logout', 'team.create', 'ui.config.read', 'user.create']);
    expect(OPERATIONS.filter((op) => ruleOf(op).system).sort()).toEqual(['team.create', 'user.create']);
    // a role-shaped principal without the system method gets nothing from system grants
    expect(isAllowed({ ...sso, method: 'virtual_key' }, 'user.create')).toBe(false);
  });

  it('a SCIM token may provision, create and delete users and create teams, and nothing else', () => {
    const scim = scimPrincipal();
    expect(OPERATIONS.filter((op) => isAllowed(scim, op)).sort()).toEqual(
      ['invitation.accept', 'key.claim_rotated', 'key.report_leaked', 'scim.provision', 'session.login', 'session.logout', 'team.create', 'ui.config.read', 'user.create', 'user.delete'],
    );
    // the SSO job gets none of the SCIM grants
    expect(isAllowed(systemPrincipal('sso'), 'scim.provision')).toBe(false);
  });
});

describe('list reads and nested traversals reveal no more than the root queries', () => {
  const ALL_FX = () => Object.keys(FX);
  const T_KEYS = ['fx-T-tadmin', 'fx-T-tmember', 'fx-T-vtadmin', 'fx-T-svc'];
  const VISIBLE_KEYS: Record<Col, () => string[]> = {
    M: ALL_FX, P: ALL_FX, V: ALL_FX, I: () => ['fx-iu'], W: () => ['fx-iuv'],
    TA: () => ['fx-tadmin', ...T_KEYS], TU: () => ['fx-tmember', 'fx-T-tmember'], VT: () => ['fx-vtadmin', ...T_KEYS],
  };
  const FIXTURE_USERS = [...WHO.map((w) => w.userId), 'fmember'];
  const T_MEMBERS = ['tadmin', 'tmember', 'vtadmin'];
  const VISIBLE_USERS: Record<Col, string[]> = {
    M: FIXTURE_USERS, P: FIXTURE_USERS, V: FIXTURE_USERS, I: ['iu'], W: ['iuv'], TA: T_MEMBERS, TU: ['tmember'], VT: T_MEMBERS,
  };
  const VISIBLE_TEAMS: Record<Col, string[]> = { M: ['F', 'T'], P: ['F', 'T'], V: ['F', 'T'], I: [], W: [], TA: ['T'], TU: ['T'], VT: ['T'] };
  const sorted = (xs: string[]) => [...xs].sort();
  const keyOf = (col: Col) => callers.find((k) => k.label === col)!.auth;

  it.each(WHO.map((w) => w.col))('keys, users and teams as %s: exactly the visible set on both surfaces', async (col) => {
    const auth = keyOf(col);
    const g = await s.gql(
      `{ keys(filter: { keyAlias: "fx-" }, first: 100) { edges { node { keyAlias } } }
         users(first: 100) { edges { node { id } } } teams(first: 100) { edges { node { id } } } }`,
      {}, auth,
    );
    expect(g.errors).toBeUndefined();
    const ids = (conn: any, f: string) => conn.edges.map((e: any) => e.node[f]) as string[];
    expect(sorted(ids(g.data.keys, 'keyAlias'))).toEqual(sorted(VISIBLE_KEYS[col]()));
    expect(sorted(ids(g.data.users, 'id').filter((id) => FIXTURE_USERS.includes(id)))).toEqual(sorted(VISIBLE_USERS[col]));
    expect(sorted(ids(g.data.teams, 'id').filter((id) => id === 'T' || id === 'F'))).toEqual(VISIBLE_TEAMS[col]);

    const rk = await s.rest('GET', '/key/list?key_alias=fx-&return_full_object=true&size=100', undefined, auth);
    expect(sorted(rk.body.keys.map((k: any) => k.key_alias))).toEqual(sorted(VISIBLE_KEYS[col]()));
    const ru = await s.rest('GET', '/user/list?size=100', undefined, auth);
    expect(sorted(ru.body.users.map((u: any) => u.user_id).filter((id: string) => FIXTURE_USERS.includes(id)))).toEqual(sorted(VISIBLE_USERS[col]));
    const rt = await s.rest('GET', '/team/list', undefined, auth);
    expect(sorted(rt.body.map((t: any) => t.team_id).filter((id: string) => id === 'T' || id === 'F'))).toEqual(VISIBLE_TEAMS[col]);
    // members shown by /team/list are users that /user/list shows too
    const listed = new Set<string>(ru.body.users.map((u: any) => u.user_id));
    for (const t of rt.body) for (const m of t.members_with_roles) expect(listed.has(m.user_id), `${t.team_id}: ${m.user_id}`).toBe(true);
  });

  const NESTED = `{
    users(first: 100) { edges { node { id } } }
    keys(first: 20) { edges { node { keyAlias userId user { id email } team { id members { userId user { id email } } } } } }
    me { user { teams { team { id members { userId user { id email } } keys { totalCount edges { node { userId keyAlias } } } } } } }
  }`;
  /** every user (with email) and every member reached through nesting, by id */
  function reached(data: any) {
    const users: string[] = [];
    const members: string[] = [];
    const team = (t: any) => t?.members?.forEach((m: any) => (members.push(m.userId), m.user && users.push(m.user.id)));
    for (const e of data.keys.edges) (e.node.user && users.push(e.node.user.id), team(e.node.team));
    for (const m of data.me.user.teams) team(m.team);
    return { users: new Set(users), members: new Set(members) };
  }

  it.each(['TU', 'TA', 'VT', 'I'] as Col[])('as %s, key.team.members and me.user.teams reach only users that `users` shows', async (col) => {
    const r = await s.gql(NESTED, {}, keyOf(col));
    expect(r.errors).toBeUndefined();
    const visible = new Set<string>(r.data.users.edges.map((e: any) => e.node.id));
    const { users, members } = reached(r.data);
    for (const id of [...users, ...members]) expect(visible.has(id), `${col} reached ${id}`).toBe(true);
    const tTeam = r.data.me.user.teams.find((m: any) => m.team?.id === 'T')?.team;
    if (col === 'I') return expect(tTeam).toBeUndefined();
    if (col === 'TU') {
      // a plain member sees no teammate, and only own keys of the team
      expect([...members]).toEqual(['tmember']);
      expect(tTeam.keys.edges.every((e: any) => e.node.userId === 'tmember')).toBe(true);
      expect(tTeam.keys.edges.map((e: any) => e.node.keyAlias)).toContain('fx-T-tmember');
      expect(tTeam.keys.totalCount).toBe(tTeam.keys.edges.length);
    } else {
      // a team admin (even a viewer) sees the members with their emails, and every key of the team
      for (const id of T_MEMBERS) expect(tTeam.members.find((m: any) => m.userId === id)?.user?.email).toBe(`${id}@example.com`);
      expect(tTeam.keys.edges.map((e: any) => e.node.keyAlias)).toEqual(expect.arrayContaining(T_KEYS));
    }
  });

  it('REST team/info and user/info as a plain member show the same as GraphQL', async () => {
    const info = await s.rest('GET', '/team/info?team_id=T', undefined, keyOf('TU'));
    expect(info.status).toBe(200);
    expect(info.body.team_memberships.map((m: any) => m.user_id)).toEqual(['tmember']);
    expect(info.body.team_info.members_with_roles.map((m: any) => m.user_id)).toEqual(['tmember']);
    expect(info.body.keys.every((k: any) => k.user_id === 'tmember')).toBe(true);
    const other = await s.rest('GET', '/user/info?user_id=tadmin', undefined, keyOf('TU'));
    expect(other.status).toBe(403);
  });
});

describe('the live server follows the table on GraphQL and REST', () => {
  it.each(CASES.filter((c) => c.gql || c.rest))('$name', async (c) => {
    const problems: string[] = [];
    for (const k of callers)
      for (const surface of ['graphql', 'rest'] as const) {
        if (surface === 'graphql' ? !c.gql : !c.rest) continue;
        // REST ignores the cookie: an anonymous route still answers, any other is unauthenticated
        const expected = k.anonymous ? (c.anon ?? 'U') : k.cookie && surface === 'rest' ? (c.anon === 'A' ? 'A' : 'U') : cellOf(c, k.who.col);
        const vars = (await c.prepare?.(k.who)) ?? {};
        const guard = expected !== 'A' && PERMISSIONS[c.op].write;
        const before = guard ? await snapshot(vars) : null;
        const got = surface === 'graphql' ? await callGql(c, k, vars) : await callRest(c, k, vars);
        if (got !== expected) problems.push(`${k.label} via ${surface}: expected ${expected}, got ${got}`);
        if (guard && JSON.stringify(await snapshot(vars)) !== JSON.stringify(before))
          problems.push(`${k.label} via ${surface}: a refused write changed something`);
      }
    expect(problems).toEqual([]);
  });
});

// last: it ends the session the matrix uses as a principal
describe('sign-in and sign-out', () => {
  it('the session cookie works on /graphql only, and logout (anonymous) ends it', async () => {
    const me = await s.gql(`{ me { authMethod user { id } } }`, {}, null, { cookie: tmemberCookie });
    expect(me.data.me).toEqual({ authMethod: 'SESSION', user: { id: 'tmember' } });
    expect((await restWithCookie('GET', '/key/list', undefined, tmemberCookie)).status).toBe(401);
    const out = await s.gql(`mutation { logout }`, {}, null, { cookie: tmemberCookie });
    expect(out.data.logout).toBe(true);
    const after = await s.gql(`{ me { user { id } } }`, {}, null, { cookie: tmemberCookie });
    expect(after.code).toBe('UNAUTHENTICATED');
  });
});
