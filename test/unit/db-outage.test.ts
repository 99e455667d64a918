/**
 * Which database errors mean "the database did not answer" (db/outage.ts): those answer 503
 * and send spend to the spill file; any other failure stays a 500 / a retried batch.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isConnectionError } from '../../api/src/db/outage.js';
import { PG_ADMIN } from '../helpers/postgres.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const failure = async (f: () => Promise<unknown>) => f().then(() => null, (e: unknown) => e);

describe('isConnectionError', () => {
  it('is true for a refused connection and a connection cut mid-session', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    try {
      const c = new pg.Client({ connectionString: PG_ADMIN.replace('127.0.0.1:5432', proxy.address) });
      c.on('error', () => {});
      await c.connect();
      proxy.cut();
      expect(isConnectionError(await failure(() => c.query('select 1')))).toBe(true);
      const refused = new pg.Client({ connectionString: PG_ADMIN.replace('127.0.0.1:5432', '127.0.0.1:1') });
      expect(isConnectionError(await failure(() => refused.connect()))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('is false for a query the database refused, even when a value in the SQL reads like one', async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN });
    await c.connect();
    try {
      const e = await failure(() => c.query(`select * from no_such_table where x = 'Connection terminated unexpectedly'`));
      expect(e).toBeInstanceOf(Error);
      expect(isConnectionError(e)).toBe(false);
      // knex's "<sql> - <driver message>" with such a value inside the SQL
      expect(isConnectionError(new Error(`insert into "teams" ("alias") values ('x - Connection terminated') - duplicate key value`))).toBe(false);
      expect(isConnectionError(new Error(`select 1 - Connection terminated unexpectedly`))).toBe(true);
    } finally {
      await c.end();
    }
  });
});
