import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.js';
import type { LoginThrottle } from '../auth/throttle.js';
import type { GatewayRuntime } from './runtime.js';
import type { Mailer } from '../mail/mailer.js';
import type { SsoConfig } from '../sso/config.js';
import type { KeyCache } from '../keys/key-cache.js';
import type { ChangeBus } from '../shared-state/events.js';
import type { RedisConn } from '../shared-state/redis.js';
import type { DatabaseHealth } from '../db/outage.js';
import type { Settings } from './settings.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** What lives for the whole process. */
export interface App {
  settings: Settings;
  orm: MikroORM;
  log: Logger;
  loginThrottle: LoginThrottle;
  /** null without SMTP settings */
  mailer: Mailer | null;
  /** null without an SSO provider */
  sso: SsoConfig | null;
  /** null without Redis (REDIS_URL, router_settings.redis_host or cache_params.host): state stays in this process */
  redis: RedisConn | null;
  /** key snapshots and team roles for every surface (REST, GraphQL, /v1), purged by `changes` */
  keys: KeyCache;
  /** change events (key, user, team, membership): in process, or Redis pub/sub across processes */
  changes: ChangeBus;
  /** whether the database answered last (db/outage.ts): logs, /metrics and readiness show it */
  db: DatabaseHealth;
  /** the data directory (spend spill file); unset: spend waits in memory while the database is away */
  dataDir?: string;
  /** set once the gateway is built (usage and metrics read it) */
  gateway?: GatewayRuntime;
}

/** What a service call needs: the app, one EntityManager fork and the caller. */
export interface Ctx {
  app: App;
  em: EntityManager;
  principal: Principal | null;
}
