/**
 * Contract: with several Purser processes on one PostgreSQL database, only the holder of the
 * reset job's advisory lock (api/src/db/leader.ts) resets budgets; when it stops, the next
 * process that runs the job takes over. Two real servers in this process, one database (this
 * also covers the reset itself on PostgreSQL, whose timestamps come back as text).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mintKey, sql } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('budget reset leader on PostgreSQL', () => {
  const servers: TestServer[] = [];
  let drop: (() => Promise<unknown>) | null = null;
  afterAll(async () => {
    for (const s of servers) await s.close().catch(() => {});
    await drop?.();
  });

  it('one of two processes resets a due budget; after it stops the other takes over', async () => {
    const db = await freshPostgres();
    drop = db.drop;
    const a = await startServer({}, { databaseUrl: db.url });
    servers.push(a);
    const b = await startServer({}, { databaseUrl: db.url });
    servers.push(b);
    const { id } = await mintKey(a, { max_budget: 1, budget_duration: '1d' });
    const job = (s: TestServer) => s.running.app.gateway!.resetJob;
    // the start-up runs are over (a run in flight would be joined, not repeated)
    await job(a).runOnce();
    await job(b).runOnce();

    const makeDue = () => sql(b, `update virtual_keys set budget_spend = 123, budget_budget_reset_at = date_trunc('second', now()) - interval '1 minute' where id = ?`, [id]);
    const spend = async () => Number((await sql(b, 'select budget_spend from virtual_keys where id = ?', [id]))[0].budget_spend);

    await makeDue();
    // the follower first: it must leave the due budget alone
    const counts = [];
    for (const s of [b, a]) counts.push(await job(s).runOnce());
    expect([...counts].sort()).toEqual([0, 1]);
    expect(await spend()).toBe(0);
    const leader = counts[0] === 1 ? b : a;
    const follower = leader === a ? b : a;
    await makeDue();
    expect(await job(follower).runOnce()).toBe(0);
    expect(await spend()).toBe(123);

    // the leader stops (its lock session ends): the follower takes over on its next run
    await leader.close();
    servers.splice(servers.indexOf(leader), 1);
    const q = (text: string, p: unknown[] = []) => sql(follower, text, p);
    expect(await job(follower).runOnce()).toBe(1);
    expect(Number((await q('select budget_spend from virtual_keys where id = ?', [id]))[0].budget_spend)).toBe(0);
  }, 60_000);
});
