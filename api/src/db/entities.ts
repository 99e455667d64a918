import { AccessRequest } from '../access-requests/access-request.entity.js';
import { AuditEntry } from '../audit/audit.entity.js';
import { Session } from '../auth/session.entity.js';
import { Budget } from '../budgets/budget.embeddable.js';
import { Customer, NamedBudget } from '../customers/customer.entity.js';
import { BudgetedEntity } from '../common/base.entity.js';
import { Invitation } from '../invitations/invitation.entity.js';
import { VirtualKey } from '../keys/key.entity.js';
import { KeyNoticeSent } from '../keys/key-notice.entity.js';
import { KeyClaim } from '../keys/key-claim.entity.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { Team } from '../teams/team.entity.js';
import { SpendLog } from '../spend/spend-log.entity.js';
import { BudgetAlertSent, DailyCustomerSpend, DailyKeyModelSpend, DailyKeySpend, DailyModelSpend, DailyTeamSpend, DailyUserSpend,
  WeeklyKeyModelSpend, WeeklyKeySpend, WeeklyTeamSpend, WeeklyUserSpend } from '../spend/rollup.entities.js';
import { User } from '../users/user.entity.js';
import { ScimToken } from '../scim/scim-token.entity.js';
import { ScimGroup, ScimUser } from '../scim/scim-user.entity.js';

/** Every persisted class, for discovery (explicit list: no folder scanning at run time). */
export const ENTITIES = [BudgetedEntity, Budget, User, Team, TeamMembership, VirtualKey, Session, AuditEntry, SpendLog,
  DailyModelSpend, DailyTeamSpend, DailyUserSpend, DailyKeySpend, DailyKeyModelSpend, BudgetAlertSent, Invitation,
  WeeklyTeamSpend, WeeklyUserSpend, WeeklyKeySpend, WeeklyKeyModelSpend, KeyNoticeSent, NamedBudget, Customer, DailyCustomerSpend,
  ScimToken, ScimUser, ScimGroup, KeyClaim, AccessRequest];
