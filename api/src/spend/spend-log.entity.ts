import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** One gateway call (success, failure or cache hit). Money in nano-dollars. */
@Entity({ tableName: 'spend_logs' })
@Index({ properties: ['startTime'] })
@Index({ properties: ['keyId', 'startTime'] })
@Index({ properties: ['userId', 'startTime'] })
@Index({ properties: ['teamId', 'startTime'] })
export class SpendLog {
  @PrimaryKey({ type: 'string', length: 64 })
  requestId!: string;

  /** SHA-256 of the key (LiteLLM `api_key`) */
  @Property({ type: 'string', length: 64 })
  keyToken!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  keyId: string | null = null;

  @Property({ type: 'string', length: 128, nullable: true })
  userId: string | null = null;

  @Property({ type: 'string', length: 128, nullable: true })
  teamId: string | null = null;

  @Property({ type: 'string', length: 256 })
  model!: string;

  /** which deployment answered (model id or api_base) */
  @Property({ type: 'string', length: 512, nullable: true })
  deployment: string | null = null;

  @Property({ type: 'string', length: 16 })
  callType!: string;

  @Property({ type: 'integer', default: 0 })
  promptTokens: number = 0;

  @Property({ type: 'integer', default: 0 })
  completionTokens: number = 0;

  /** prompt tokens read from the provider's prompt cache (part of promptTokens) */
  @Property({ type: 'integer', default: 0 })
  cachedPromptTokens: number = 0;

  /** prompt tokens written to the provider's prompt cache (part of promptTokens) */
  @Property({ type: 'integer', default: 0 })
  cacheWriteTokens: number = 0;

  /** what the cache-read tokens would have cost at the full input price, less what they cost */
  @Property({ type: new BigIntType('number'), default: 0 })
  promptCacheSavedNanos: number = 0;

  @Property({ type: new BigIntType('number'), default: 0 })
  costNanos: number = 0;

  @Property({ type: 'boolean', default: false })
  cacheHit: boolean = false;

  @Property({ type: new BigIntType('number'), default: 0 })
  savedNanos: number = 0;

  /** success | failure */
  @Property({ type: 'string', length: 16 })
  status!: string;

  @Property({ type: 'integer', nullable: true })
  httpStatus: number | null = null;

  @Property({ type: 'string', length: 512, nullable: true })
  error: string | null = null;

  /** token counts estimated (no usage from upstream, or client disconnected) */
  @Property({ type: 'boolean', default: false })
  estimated: boolean = false;

  /** the model has no price: cost 0 */
  @Property({ type: 'boolean', default: false })
  unpriced: boolean = false;

  @Property({ type: 'datetime' })
  startTime!: Date;

  @Property({ type: 'datetime' })
  endTime!: Date;

  @Property({ type: 'integer', default: 0 })
  durationMs: number = 0;

  /** the OpenAI `user` parameter: the caller's end user */
  @Property({ type: 'string', length: 256, nullable: true })
  endUser: string | null = null;

  @Property({ type: 'json', nullable: true })
  request: unknown = null;

  @Property({ type: 'json', nullable: true })
  response: unknown = null;
}
