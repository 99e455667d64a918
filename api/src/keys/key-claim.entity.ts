import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A scheduled rotation's new secret, waiting for its owner to open the one-time link.
 * Only the link token's hash is stored, and the secret only encrypted with a key derived from
 * that token (keys/rotation.service.ts): the database alone never reveals the secret. Claimed
 * or expired rows are deleted.
 */
@Entity({ tableName: 'key_claims' })
export class KeyClaim {
  /** SHA-256 hex of the link token */
  @PrimaryKey({ type: 'string', length: 64 }) tokenHash!: string;
  @Property({ type: 'string', length: 64 }) keyId!: string;
  /** AES-256-GCM of the secret: iv, tag and ciphertext, base64url, joined by '.' */
  @Property({ type: 'string', length: 512 }) sealed!: string;
  @Property({ type: 'datetime' }) expiresAt!: Date;
  @Property({ type: 'datetime' }) createdAt: Date = new Date();
}
