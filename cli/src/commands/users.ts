import { Command, InvalidArgumentError } from 'commander';
import { clientFor, leaf, optionsOf } from '../context.js';
import { DeleteUser, InviteUser, ListUsers } from '../documents.js';
import type { TeamAssignmentInput, TeamRole, UserRole } from '../gql/graphql.js';
import { litellmName, money, note, orDash, printJson, printTable, say, when } from '../output.js';
import { oneOf, repeated, text, usd } from '../parse.js';
import { allPages } from './paging.js';

/** The command line takes LiteLLM's names (`internal_user`); GraphQL spells them INTERNAL_USER. */
export const ROLES = ['proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer'] as const;
export const TEAM_ROLES = ['admin', 'user'] as const;
export const toUserRole = (r: string) => r.toUpperCase() as UserRole;
export const toTeamRole = (r: string) => r.toUpperCase() as TeamRole;

/** `--team ID`, `--team ID:admin` or `--team ID:user` (an id that has a colon itself needs the role given). */
function teamAssignment(value: string): TeamAssignmentInput {
  const at = text(value).lastIndexOf(':');
  if (at < 0) return { teamId: value };
  const [id, role] = [value.slice(0, at), value.slice(at + 1)];
  if (!id || !(TEAM_ROLES as readonly string[]).includes(role)) throw new InvalidArgumentError('Must be a team id, or ID:admin / ID:user.');
  return { teamId: id, role: toTeamRole(role) };
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('People: list, invite, delete');

  leaf(users, 'list', 'Every user you may see (admins: all; team admins: their members)').action(async (_opts, cmd: Command) => {
    const o = optionsOf(cmd);
    const client = clientFor(o);
    const rows = await allPages(async (after) => (await client.request(ListUsers, { first: 100, after })).users);
    if (o.json) return printJson(rows);
    printTable(
      ['id', 'email', 'role', 'alias', 'spend', 'budget', 'last sign-in'],
      rows.map((u) => [u.id, orDash(u.email), litellmName(u.userRole), orDash(u.alias), money(u.spend), money(u.maxBudget), when(u.lastSignInAt)]),
    );
    note(`${rows.length} user(s).`);
  });

  leaf(users, 'invite', 'Create a user and an invitation link (printed once)')
    .argument('<email>', 'email of the person', text)
    .requiredOption('--role <role>', `global role: ${ROLES.join(', ')}`, oneOf(ROLES))
    .option('--team <id[:admin]>', 'a team to join, as user or (:admin) admin; repeatable', repeated(teamAssignment))
    .option('--max-budget <usd>', 'budget in USD for personal keys', usd)
    .option('--send-email', 'also email the link (needs PROXY_BASE_URL and SMTP on the server)')
    .action(async (email: string, _opts, cmd: Command) => {
      const o = optionsOf(cmd);
      const { inviteUser } = await clientFor(o).request(InviteUser, {
        input: {
          email,
          userRole: toUserRole(o.role as string),
          teams: o.team as TeamAssignmentInput[] | undefined,
          maxBudget: o.maxBudget as number | undefined,
          sendEmail: o.sendEmail === true,
        },
      });
      if (o.json) return printJson(inviteUser);
      const u = inviteUser.invitation.user;
      say(`Invited ${u?.email ?? email} as ${litellmName(u?.userRole ?? toUserRole(o.role as string))} (user id ${inviteUser.invitation.userId ?? u?.id}).`);
      say(`Invitation link (shown once, valid until ${when(inviteUser.invitation.expiresAt)} UTC):\n\n  ${inviteUser.link}\n`);
      if (inviteUser.emailSent) say(`Email: sent to ${u?.email ?? email}.`);
      else if (o.sendEmail) say(`Email: NOT sent: ${inviteUser.invitation.emailError ?? 'unknown reason'}. Share the link yourself.`);
      else say('Email: not sent (no --send-email). Share the link yourself.');
    });

  leaf(users, 'delete', 'Delete a user and their keys')
    .argument('<id>', 'user id', text)
    .action(async (id: string, _opts, cmd: Command) => {
      const o = optionsOf(cmd);
      const { deleteUser } = await clientFor(o).request(DeleteUser, { input: { userId: id } });
      if (o.json) return printJson(deleteUser);
      say(`Deleted user ${deleteUser.userId} and ${deleteUser.deletedKeyIds.length} key(s).`);
    });
}
