import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GqlContext } from '../graphql/context.js';
import { User } from '../users/user.entity.js';
import { visibleUser } from '../users/user.service.js';
import { AuditEntry } from './audit.entity.js';

@Resolver(() => AuditEntry)
export class AuditEntryResolver {
  // the log keeps the id (the user may be gone since); the person is shown while they exist
  @FieldResolver(() => User, { nullable: true, description: 'The actor, if the user still exists and the caller may see them.' })
  actor(@Root() e: AuditEntry, @Ctx() ctx: GqlContext) {
    return e.actorId ? visibleUser(ctx, e.actorId) : null;
  }
}
