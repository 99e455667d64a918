import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh, empty PostgreSQL database for this run; `drop()` removes it even with open connections. */
export async function freshPostgres() {
  const name = `purser_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return { url: PG_ADMIN.replace(/\/[^/]*$/, `/${name}`), drop: () => adminQuery(`drop database if exists ${name} with (force)`) };
}
