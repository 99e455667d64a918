/**
 * `npm run bench:auth`: what authenticating a key costs in process, against a sha256 of the
 * secret alone (the least any lookup by hash can cost), measured in the same run.
 *
 * Starts Purser in this process (api/src/app/bootstrap.ts startPurser, a fresh SQLite file),
 * mints a team key with a member budget through the REST API (its snapshot then needs the key,
 * its user, its team and the membership), and times the one credential check of every surface,
 * `snapshotOfSecret` (auth/credentials.ts) on the shared KeyCache (keys/key-cache.ts):
 *  - hit: the snapshot is in the cache (the gateway's steady state);
 *  - miss: the cache is emptied before each call, so the snapshot is read from the database
 *    (the first call of a key, or after a change event or the TTL);
 *  - unknown key: a well-formed secret no key has, answered from the negative cache.
 * Each is timed in batches after a warm-up; per-call medians over the batches, and the ratio to
 * the baseline. A benchmark, not a test: it asserts only that every check answered as expected.
 *
 * Options: --batches N (20) --hit-calls N (20000 per batch) --miss-calls N (200 per batch)
 */
import 'reflect-metadata';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { snapshotOfSecret } from '../api/src/auth/credentials.js';
import { newSecretKey, sha256 } from '../api/src/common/ids.js';
import { median, startInProcess } from './in-process.js';

const { values: opt } = parseArgs({
  options: {
    batches: { type: 'string', default: '20' },
    'hit-calls': { type: 'string', default: '20000' },
    'miss-calls': { type: 'string', default: '200' },
  },
});
const BATCHES = Number(opt.batches);
const HIT_CALLS = Number(opt['hit-calls']);
const MISS_CALLS = Number(opt['miss-calls']);

/** µs per call of `fn`, median over batches of `calls` calls, after one warm-up batch. */
async function perCall(calls: number, fn: () => unknown): Promise<number> {
  const one = async () => {
    const t = performance.now();
    for (let i = 0; i < calls; i++) await fn();
    return ((performance.now() - t) * 1000) / calls;
  };
  await one();
  const us: number[] = [];
  for (let b = 0; b < BATCHES; b++) us.push(await one());
  return median(us);
}

async function main() {
  const { running, rest, close } = await startInProcess('auth');
  try {
    await rest('/team/new', { team_id: 'bench-team', max_budget: 1000 });
    await rest('/user/new', { user_id: 'bench-user', user_role: 'internal_user', max_budget: 1000, auto_create_key: false, teams: [{ team_id: 'bench-team', max_budget_in_team: 100 }] });
    const secret = (await rest('/key/generate', { user_id: 'bench-user', team_id: 'bench-team', max_budget: 10, rpm_limit: 1000 })).key as string;
    const unknown = newSecretKey();
    const keys = running.app.keys;

    const expectKey = async () => {
      const snap = await snapshotOfSecret(keys, secret);
      if (typeof snap === 'string' || snap.userId !== 'bench-user' || snap.teamId !== 'bench-team') throw new Error(`the key was refused: ${JSON.stringify(snap)}`);
    };
    await expectKey();
    if ((await snapshotOfSecret(keys, unknown)) !== 'invalid') throw new Error('an unknown key was accepted');

    const cores = availableParallelism();
    console.log(`auth benchmark: ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}; ${BATCHES} batches, medians per call`);
    // interleaved, so a neighbour's load lands on all of them alike
    const rows: Record<string, number[]> = { baseline: [], hit: [], unknown: [], miss: [] };
    for (let round = 0; round < 3; round++) {
      rows.baseline!.push(await perCall(HIT_CALLS, () => sha256(secret)));
      rows.hit!.push(await perCall(HIT_CALLS, () => snapshotOfSecret(keys, secret)));
      rows.unknown!.push(await perCall(HIT_CALLS, () => snapshotOfSecret(keys, unknown)));
      rows.miss!.push(
        await perCall(MISS_CALLS, () => {
          keys.apply({ kind: 'all' });
          return expectKey();
        }),
      );
    }
    const base = median(rows.baseline!);
    const label: Record<string, string> = {
      baseline: 'sha256(secret) alone',
      hit: 'cache hit',
      unknown: 'unknown key (negative cache)',
      miss: 'cache miss (database)',
    };
    console.log(`\n  ${'check'.padEnd(30)} ${'µs/call'.padStart(9)}  vs sha256   (rounds)`);
    for (const [k, v] of Object.entries(rows))
      console.log(`  ${label[k]!.padEnd(30)} ${median(v).toFixed(2).padStart(9)}  ${(median(v) / base).toFixed(1).padStart(7)}x   (${v.map((x) => x.toFixed(2)).join(', ')})`);
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
