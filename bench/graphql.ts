/**
 * `npm run bench:graphql`: what the GraphQL stack costs on a real page query, against the same
 * schema executed with plain graphql-js in the same process and run.
 *
 * Starts Purser in this process (startPurser, a fresh SQLite file), seeds an internal user who
 * is a member of a team and owns `--keys` keys (half of them team keys), and times the Keys
 * page's shape of query, `keys(first: 50)` with each key's owner and team, as that user (an API
 * key, so the principal comes from the key cache as in production):
 *  - http: POST /graphql over loopback: Fastify, Apollo (parse, validate, depth and cost
 *    limits, the input guard), graphql-shield, type-graphql, MikroORM, serialization;
 *  - execute (shield): graphql-js `execute` on the served schema (shield included) with the
 *    same per-request context (an EntityManager fork and the key's principal), document parsed once;
 *  - execute (no shield): the same on the base schema (type-graphql's, without shield rules).
 * Sequential calls, interleaved rounds, medians per call and ratios to the plain execute. Every
 * answer is checked (50 keys, each with its owner; the team keys with their team).
 *
 * Options: --rounds N (5) --calls N (100 per round and path) --keys N (60)
 *          --profile FILE (a CPU profile of the http calls, summarised by bench/profile-summary.ts)
 */
import 'reflect-metadata';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { principalFromSecret } from '../api/src/auth/credentials.js';
import { buildBaseSchema, buildServedSchema } from '../api/src/graphql/schema.js';
import type { Ctx } from '../api/src/app/context.js';
import { median, startInProcess } from './in-process.js';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    calls: { type: 'string', default: '100' },
    keys: { type: 'string', default: '60' },
    profile: { type: 'string' },
  },
});
const ROUNDS = Number(opt.rounds);
const CALLS = Number(opt.calls);
const KEYS = Number(opt.keys);

const QUERY = /* GraphQL */ `
  query BenchKeys {
    keys(first: 50) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id keyName keyAlias spend maxBudget models blocked expires createdAt rpmLimit tpmLimit
          user { id email userRole }
          team { id alias }
        }
      }
    }
  }
`;

/** The answer is the page it should be: 50 keys, every one with its owner, the team keys with their team. */
function check(what: string, r: any) {
  const edges = r?.data?.keys?.edges;
  if (r?.errors || !Array.isArray(edges) || edges.length !== 50) throw new Error(`${what}: ${JSON.stringify(r).slice(0, 500)}`);
  if (!edges.every((e: any) => e.node.user?.id === 'bench-user')) throw new Error(`${what}: a key without its owner`);
  if (!edges.some((e: any) => e.node.team?.id === 'bench-team')) throw new Error(`${what}: no team key with its team`);
}

async function main() {
  const { running, rest, close } = await startInProcess('gql');
  try {
    await rest('/team/new', { team_id: 'bench-team', team_alias: 'Bench team', max_budget: 1000 });
    await rest('/user/new', { user_id: 'bench-user', user_email: 'bench@example.com', user_role: 'internal_user', auto_create_key: false, teams: [{ team_id: 'bench-team', max_budget_in_team: 100 }] });
    let secret = '';
    for (let i = 0; i < KEYS; i++) {
      const k = await rest('/key/generate', { user_id: 'bench-user', key_alias: `bench-${i}`, ...(i % 2 ? { team_id: 'bench-team' } : {}), max_budget: 10, rpm_limit: 100 });
      secret ||= k.key as string;
    }
    const http = async () => {
      const res = await fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ query: QUERY }) });
      return res.json();
    };
    const doc = parse(QUERY);
    const app = running.app;
    const direct = (schema: GraphQLSchema) => async () => {
      const ctx: Ctx = { app, em: app.orm.em.fork(), principal: null };
      ctx.principal = await principalFromSecret(ctx, secret);
      return execute({ schema, document: doc, contextValue: { ...ctx, request: undefined, reply: undefined } });
    };
    const paths: Array<[string, () => Promise<unknown>]> = [
      ['http (whole stack)', http],
      ['execute (shield)', direct(buildServedSchema())],
      ['execute (no shield)', direct(buildBaseSchema())],
    ];
    for (const [name, fn] of paths) check(name, await fn());

    const cores = availableParallelism();
    console.log(`graphql benchmark: ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}; ${ROUNDS} rounds of ${CALLS} sequential calls per path`);
    for (const [, fn] of paths) for (let i = 0; i < 20; i++) await fn(); // warm-up
    const ms = new Map<string, number[]>(paths.map(([n]) => [n, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const [name, fn] of paths) {
        const times: number[] = [];
        for (let i = 0; i < CALLS; i++) {
          const t = performance.now();
          await fn();
          times.push(performance.now() - t);
        }
        ms.get(name)!.push(median(times));
        line.push(`${name} ${median(times).toFixed(2)} ms`);
      }
      console.log(`round ${round}  ${line.join('   ')}`);
    }
    const base = median(ms.get('execute (no shield)')!);
    console.log(`\n  ${'path'.padEnd(22)} ${'p50 ms'.padStart(8)}  vs plain execute`);
    for (const [name] of paths) console.log(`  ${name.padEnd(22)} ${median(ms.get(name)!).toFixed(2).padStart(8)}  ${(median(ms.get(name)!) / base).toFixed(2).padStart(6)}x`);

    if (opt.profile) {
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
      for (let i = 0; i < ROUNDS * CALLS; i++) await http();
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(resolve(opt.profile), JSON.stringify(profile));
      console.log(`\nCPU profile of ${ROUNDS * CALLS} http calls: ${resolve(opt.profile)} (npm run bench:profile -- ${opt.profile})`);
    }
  } finally {
    await close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
