import { Entity, Enum, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { MembershipSourceEnum, TeamRoleEnum } from '../graphql/enums.js';
import { BudgetedEntity } from '../common/base.entity.js';
import { TEAM_ROLES, type TeamRole } from '../permissions/roles.js';
import type { User } from '../users/user.entity.js';
import { MEMBERSHIP_SOURCES, type MembershipSource } from './membership-source.js';
import type { Team } from './team.entity.js';

export type { MembershipSource };

/** A user in a team, with their team role and their own budget inside the team. */
@Entity({ tableName: 'team_memberships' })
@Unique({ properties: ['user', 'team'] })
@ObjectType('TeamMember', { description: 'A user in a team, with their team role and budget inside the team (maxBudget = LiteLLM `max_budget_in_team`).' })
export class TeamMembership extends BudgetedEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne({ entity: 'User', deleteRule: 'cascade' })
  user!: Rel<User>;

  @ManyToOne({ entity: 'Team', deleteRule: 'cascade' })
  team!: Rel<Team>;

  @Field(() => TeamRoleEnum, { description: 'Role inside the team.' })
  @Enum({ items: () => [...TEAM_ROLES], type: 'string' })
  role!: TeamRole;

  @Field(() => MembershipSourceEnum, { description: 'MANUAL, or SSO when made by group sync.' })
  @Enum({ items: () => [...MEMBERSHIP_SOURCES], type: 'string', default: 'manual' })
  source: MembershipSource & Opt = 'manual';
}
