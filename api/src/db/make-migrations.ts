/**
 * Writes a migration per dialect for whatever the entities changed since the last one:
 * `npm run migration:create`. It migrates a scratch database to the current head first,
 * so each new file holds only the difference. Needs the local PostgreSQL (DATABASE_URL_PG,
 * default postgres://postgres@127.0.0.1:5432/postgres) for the postgresql file.
 */
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ormOptions, type Dialect } from './orm.js';

const here = resolve(process.argv[2] ?? 'api/src/db/migrations');
const adminUrl = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function scratch(dialect: Dialect): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const file = join(tmpdir(), `purser-mig-${process.pid}.db`);
    rmSync(file, { force: true });
    return { url: `sqlite:${file}`, drop: async () => rmSync(file, { force: true }) };
  }
  const name = `purser_mig_${process.pid}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`drop database if exists ${name}`);
  await c.query(`create database ${name}`);
  await c.end();
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const d = new pg.Client({ connectionString: adminUrl });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}

for (const dialect of ['sqlite', 'postgresql'] as Dialect[]) {
  const db = await scratch(dialect);
  const dir = join(here, dialect);
  const opts = ormOptions(db.url);
  const orm = await MikroORM.init({ ...opts, migrations: { ...opts.migrations, path: dir, pathTs: dir, emit: 'ts' } });
  try {
    await orm.getMigrator().up();
    const res = await orm.getMigrator().createMigration(dir);
    if (!res.fileName) {
      console.log(`${dialect}: no changes`);
      continue;
    }
    const cls = res.fileName.replace(/\.ts$/, '');
    const indexFile = join(dir, 'index.ts');
    let index = readFileSync(indexFile, 'utf8');
    index = `import { ${cls} } from './${cls}.js';\n` + index;
    index = index.replace(/\[([^\]]*)\];/, (_m, list: string) => {
      const items = list.trim() ? list.trim().replace(/,$/, '') + ', ' : '';
      return `[${items}{ name: '${cls}', class: ${cls} }];`;
    });
    writeFileSync(indexFile, index);
    console.log(`${dialect}: wrote ${res.fileName}`);
  } finally {
    await orm.close(true);
    await db.drop();
  }
}
