import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { dirname, resolve } from 'node:path';
import { ENTITIES } from './entities.js';
import { postgresqlMigrations } from './migrations/postgresql/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';

export type Dialect = 'sqlite' | 'postgresql';

export const dialectOf = (url: string): Dialect => (/^postgres(ql)?:\/\//i.test(url) ? 'postgresql' : 'sqlite');

/** `sqlite:./x.db`, `sqlite:///abs.db`, `file:x.db` or a bare path → a file path. */
export function sqlitePath(url: string): string {
  const p = url.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:/i, '');
  return p === ':memory:' ? p : resolve(p);
}

export function ormOptions(databaseUrl: string): Options {
  const dialect = dialectOf(databaseUrl);
  const common: Options = {
    entities: ENTITIES,
    discovery: { warnWhenNoEntities: true },
    extensions: [Migrator],
    debug: false,
    // services use explicit transactions and flushes; never implicit per-request state
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
  };
  if (dialect === 'postgresql') {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: databaseUrl,
      migrations: { migrationsList: postgresqlMigrations, transactional: true, snapshot: false, silent: true },
    } as Options;
  }
  const file = sqlitePath(databaseUrl);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return {
    ...common,
    driver: SqliteDriver,
    dbName: file,
    migrations: { migrationsList: sqliteMigrations, transactional: true, snapshot: false, silent: true },
  } as Options;
}

/**
 * Opens the database and applies pending migrations. On PostgreSQL an advisory lock makes
 * sure only one process migrates at a time. The lock is a session's: it is taken and released
 * on a connection of its own (through the pool, unlock could run on another session than lock
 * and leave the lock held for good, blocking every later start).
 */
export async function openDatabase(databaseUrl: string): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptions(databaseUrl));
  const conn = orm.em.getConnection();
  if (dialectOf(databaseUrl) === 'sqlite') {
    // WAL lets readers proceed while the spend flush writes
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 5000');
    await conn.execute('pragma foreign_keys = on');
    await orm.getMigrator().up();
  } else {
    const lock = new pg.Client({ connectionString: databaseUrl });
    await lock.connect();
    try {
      await lock.query('select pg_advisory_lock(7375901)');
      await orm.getMigrator().up();
    } finally {
      // ending the session releases the lock
      await lock.end();
    }
  }
  return orm;
}
