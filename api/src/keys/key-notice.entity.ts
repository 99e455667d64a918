import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A notice already sent about a key (an expiry warning), once per key, event and expiry:
 * remembered in the database so a restart or a second process does not repeat it, and a key
 * whose expiry moves gets its warnings again.
 */
@Entity({ tableName: 'key_notices' })
export class KeyNoticeSent {
  @PrimaryKey({ type: 'string', length: 64 }) keyId!: string;
  @PrimaryKey({ type: 'string', length: 32 }) event!: string;
  @PrimaryKey({ type: 'string', length: 32 }) expiresAt!: string;
  @Property({ type: 'datetime' }) at: Date = new Date();
}
