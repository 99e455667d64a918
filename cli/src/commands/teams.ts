import { Command } from 'commander';
import { clientFor, leaf, optionsOf } from '../context.js';
import { AddTeamMember, CreateTeam, ListTeams } from '../documents.js';
import type { CliListTeamsQuery } from '../gql/graphql.js';
import { litellmName, money, note, orDash, printJson, printTable, say } from '../output.js';
import { list, oneOf, text, usd } from '../parse.js';
import { allPages } from './paging.js';
import { TEAM_ROLES, toTeamRole } from './users.js';

type TeamRow = CliListTeamsQuery['teams']['edges'][number]['node'];

function printTeams(rows: TeamRow[]) {
  printTable(
    ['id', 'alias', 'members', 'spend', 'budget', 'resets', 'models', 'status'],
    rows.map((t) => [t.id, orDash(t.teamAlias), t.members.length, money(t.spend), money(t.maxBudget), orDash(t.budgetDuration), t.models.join(', ') || 'all', t.blocked ? 'blocked' : 'active']),
  );
}

export function registerTeams(program: Command): void {
  const teams = program.command('teams').description('Teams: list, create, add members');

  leaf(teams, 'list', 'Teams you may see (admins: all; others: their own)').action(async (_opts, cmd: Command) => {
    const o = optionsOf(cmd);
    const client = clientFor(o);
    const rows = await allPages(async (after) => (await client.request(ListTeams, { first: 100, after })).teams);
    if (o.json) return printJson(rows);
    printTeams(rows);
    note(`${rows.length} team(s).`);
  });

  leaf(teams, 'create', 'Create a team (proxy_admin)')
    .argument('<alias>', 'team alias', text)
    .option('--max-budget <usd>', 'team budget in USD', usd)
    .option('--models <a,b>', 'models the team may use (default: all)', list)
    .action(async (alias: string, _opts, cmd: Command) => {
      const o = optionsOf(cmd);
      const { createTeam } = await clientFor(o).request(CreateTeam, {
        input: { teamAlias: alias, maxBudget: o.maxBudget as number | undefined, models: o.models as string[] | undefined },
      });
      if (o.json) return printJson(createTeam);
      say(`Created team ${createTeam.teamAlias} (id ${createTeam.id}).`);
      printTeams([createTeam]);
    });

  leaf(teams, 'add-member', 'Add an existing user to a team by their exact email')
    .argument('<team>', 'team id', text)
    .argument('<email>', "the user's email", text)
    .option('--role <role>', `role in the team: ${TEAM_ROLES.join(' or ')} (default user)`, oneOf(TEAM_ROLES))
    .action(async (team: string, email: string, _opts, cmd: Command) => {
      const o = optionsOf(cmd);
      const { addTeamMember } = await clientFor(o).request(AddTeamMember, {
        input: { teamId: team, email, ...(o.role ? { role: toTeamRole(o.role as string) } : {}) },
      });
      if (o.json) return printJson(addTeamMember);
      say(`Added ${addTeamMember.user?.email ?? email} to team ${addTeamMember.teamId} as ${litellmName(addTeamMember.role)}.`);
    });
}
