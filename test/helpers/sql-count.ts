import type { TestServer } from './server.js';

/** Every SQL statement the server's own database connection runs while `fn` runs (knex's query events). */
export async function statementsDuring(s: TestServer, fn: () => Promise<unknown>): Promise<string[]> {
  const knex = (s.running.app.orm.em.getConnection() as any).getKnex();
  const seen: string[] = [];
  const on = (q: { sql: string }) => seen.push(q.sql);
  knex.on('query', on);
  try {
    await fn();
  } finally {
    knex.removeListener('query', on);
  }
  return seen;
}

/**
 * GraphQL `{ __typename }` with a key: it reads no data, so the SQL it runs is the credential
 * lookup alone. Returns whether the key was accepted and the statements run.
 */
export async function authProbe(s: TestServer, key: string): Promise<{ accepted: boolean; statements: string[] }> {
  let accepted = false;
  const statements = await statementsDuring(s, async () => {
    const r = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: '{ __typename }' }) });
    accepted = ((await r.json()) as any).data?.__typename === 'Query';
  });
  return { accepted, statements };
}
