import { Entity, Index, ManyToOne, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import type { User } from '../users/user.entity.js';

/** A dashboard session. The cookie holds a random secret; only its SHA-256 is stored. */
@Entity({ tableName: 'sessions' })
@Index({ properties: ['expiresAt'] })
export class Session {
  /** SHA-256 of the cookie value */
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @ManyToOne({ entity: 'User', deleteRule: 'cascade' })
  user!: Rel<User>;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'string', length: 32 })
  method: string = 'password';
}
