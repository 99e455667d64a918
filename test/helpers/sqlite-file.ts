import sqlite3 from 'sqlite3';

/** A separate connection to a SQLite file (not the server's): to break a table or read after exit. */
export async function openSqlite(file: string) {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(file, (e) => (e ? reject(e) : resolve(d)));
  });
  return {
    all: <T = any>(q: string, params: unknown[] = []) =>
      new Promise<T[]>((resolve, reject) => db.all(q, params, (e, rows) => (e ? reject(e) : resolve(rows as T[])))),
    run: (q: string, params: unknown[] = []) =>
      new Promise<void>((resolve, reject) => db.run(q, params, (e) => (e ? reject(e) : resolve()))),
    close: () => new Promise<void>((resolve, reject) => db.close((e) => (e ? reject(e) : resolve()))),
  };
}
