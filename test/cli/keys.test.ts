import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { buildCli, purser, type CliEnv } from './run.js';

/** `purser keys ...` as a child process against a real Purser, as each role where roles differ. */
let s: TestServer;
let admin: CliEnv;
let alice: CliEnv;
let viewer: CliEnv;
let cleanup: () => void;

beforeAll(async () => {
  cleanup = await buildCli();
  s = await startServer();
  await s.rest('POST', '/team/new', { team_alias: 'research', team_id: 'team_r' });
  const aliceKey = await userWithKey(s, { user_id: 'alice', user_email: 'alice@example.com', user_role: 'internal_user', teams: ['team_r'] });
  const viewerKey = await userWithKey(s, { user_id: 'vera', user_email: 'vera@example.com', user_role: 'proxy_admin_viewer' });
  admin = { url: s.url, key: s.masterKey };
  alice = { url: s.url, key: aliceKey };
  viewer = { url: s.url, key: viewerKey };
});
afterAll(async () => {
  await s?.close();
  cleanup?.();
});

const keyCount = async () => (await s.gql('{ keys(first: 1) { totalCount } }')).data.keys.totalCount as number;
const gatewayStatus = async (secret: string) => (await s.rest('GET', '/v1/models', undefined, secret)).status;

describe('purser keys', () => {
  it('creates a key with every limit and prints the secret once; the secret works on the gateway', async () => {
    const r = await purser(
      ['keys', 'create', '--alias', 'alice-laptop', '--models', 'gpt-4o-mini', '--max-budget', '5', '--budget-duration', '30d', '--expires', '90d', '--rpm', '10', '--tpm', '1000'],
      alice,
    );
    expect(r.code, r.stderr).toBe(0);
    const secret = /(sk-[A-Za-z0-9_-]{20,})/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain('shown only now');
    expect(r.stdout).toContain('alice-laptop');
    expect(await gatewayStatus(secret)).toBe(200);
    const { data } = await s.gql('{ keys(first: 10, filter: { keyAlias: "alice-laptop" }) { edges { node { userId models maxBudget budgetDuration rpmLimit tpmLimit expires } } } }');
    expect(data.keys.edges[0].node).toMatchObject({ userId: 'alice', models: ['gpt-4o-mini'], maxBudget: 5, budgetDuration: '30d', rpmLimit: 10, tpmLimit: 1000 });
    expect(data.keys.edges[0].node.expires).not.toBeNull();
  });

  it('--json gives the secret and the key as JSON', async () => {
    const r = await purser(['keys', 'create', '--alias', 'alice-ci', '--json'], alice);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.secret).toMatch(/^sk-/);
    expect(body.key).toMatchObject({ keyAlias: 'alice-ci', userId: 'alice', blocked: false });
  });

  it('an admin mints a key for another user with --user; an internal_user may not', async () => {
    const r = await purser(['keys', 'create', '--alias', 'for-alice', '--user', 'alice@example.com', '--json'], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).key).toMatchObject({ keyAlias: 'for-alice', userId: 'alice' });
    const before = await keyCount();
    const refused = await purser(['keys', 'create', '--alias', 'for-vera', '--user', 'vera@example.com'], alice);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^(FORBIDDEN|NOT_FOUND): /);
    expect(await keyCount()).toBe(before);
  });

  it('creates a team key with --team', async () => {
    const r = await purser(['keys', 'create', '--alias', 'alice-team', '--team', 'team_r', '--json'], alice);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).key).toMatchObject({ teamId: 'team_r', team: { teamAlias: 'research' } });
  });

  it('lists your own keys by default, a user\'s with --user, a team\'s with --team, all with --all', async () => {
    const own = await purser(['keys', 'list'], alice);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain('alice-laptop');
    expect(own.stdout).toMatch(/│ id\s+│ alias/);
    const mine = JSON.parse((await purser(['keys', 'list', '--json'], admin)).stdout) as Array<{ userId: string }>;
    expect(mine.every((k) => k.userId !== 'alice')).toBe(true);
    const hers = JSON.parse((await purser(['keys', 'list', '--user', 'alice@example.com', '--json'], admin)).stdout) as Array<{ keyAlias: string; userId: string }>;
    expect(hers.map((k) => k.keyAlias).sort()).toEqual(['alice-ci', 'alice-laptop', 'alice-team', 'for-alice', null].sort());
    expect(hers.every((k) => k.userId === 'alice')).toBe(true);
    // the server's email filter matches parts of addresses; --user takes only the exact one
    await userWithKey(s, { user_id: 'malice', user_email: 'malice@example.com', user_role: 'internal_user' });
    const exact = JSON.parse((await purser(['keys', 'list', '--user', 'alice@example.com', '--json'], admin)).stdout) as Array<{ userId: string }>;
    expect(exact.every((k) => k.userId === 'alice')).toBe(true);
    const team = JSON.parse((await purser(['keys', 'list', '--team', 'team_r', '--json'], admin)).stdout) as Array<{ keyAlias: string }>;
    expect(team.map((k) => k.keyAlias)).toEqual(['alice-team']);
    const all = JSON.parse((await purser(['keys', 'list', '--all', '--json'], admin)).stdout) as unknown[];
    expect(all.length).toBe(await keyCount());
  });

  it('a proxy_admin_viewer lists every key but cannot create one (FORBIDDEN, exit 1, nothing made)', async () => {
    const list = await purser(['keys', 'list', '--all', '--json'], viewer);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(await keyCount());
    const before = await keyCount();
    const r = await purser(['keys', 'create', '--alias', 'vera-key'], viewer);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^FORBIDDEN: /);
    expect(r.stdout).toBe('');
    expect(await keyCount()).toBe(before);
  });

  it('regenerates: a new secret, the old one stops working', async () => {
    const made = JSON.parse((await purser(['keys', 'create', '--alias', 'alice-rotate', '--json'], alice)).stdout);
    const r = await purser(['keys', 'regenerate', made.key.id, '--json'], alice);
    expect(r.code, r.stderr).toBe(0);
    const fresh = JSON.parse(r.stdout);
    expect(fresh.key.id).toBe(made.key.id);
    expect(fresh.secret).not.toBe(made.secret);
    expect(await gatewayStatus(made.secret)).toBe(401);
    expect(await gatewayStatus(fresh.secret)).toBe(200);
  });

  it('blocks and unblocks (an admin); an internal_user may not block (FORBIDDEN, key unchanged)', async () => {
    const made = JSON.parse((await purser(['keys', 'create', '--alias', 'alice-block', '--json'], alice)).stdout);
    const refused = await purser(['keys', 'block', made.key.id], alice);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^FORBIDDEN: /);
    expect(await gatewayStatus(made.secret)).toBe(200);
    const blocked = await purser(['keys', 'block', made.key.id], admin);
    expect(blocked.code, blocked.stderr).toBe(0);
    expect(blocked.stdout).toContain('Blocked key alice-block.');
    expect(await gatewayStatus(made.secret)).toBe(401);
    const unblocked = await purser(['keys', 'unblock', made.key.id, '--json'], admin);
    expect(unblocked.code, unblocked.stderr).toBe(0);
    expect(JSON.parse(unblocked.stdout).blocked).toBe(false);
    expect(await gatewayStatus(made.secret)).toBe(200);
  });

  it('deletes own key; an unknown id is NOT_FOUND (exit 1)', async () => {
    const made = JSON.parse((await purser(['keys', 'create', '--alias', 'alice-gone', '--json'], alice)).stdout);
    const r = await purser(['keys', 'delete', made.key.id], alice);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Deleted key ${made.key.id}.`);
    expect(await gatewayStatus(made.secret)).toBe(401);
    const again = await purser(['keys', 'delete', made.key.id], alice);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^NOT_FOUND: /);
  });

  it('refuses bad input with exit 2, naming the option, before any request (nothing changes)', async () => {
    const before = await keyCount();
    // an address where nothing listens: a request would be exit 3, so exit 2 proves none was sent
    const nowhere = { ...alice, url: `http://127.0.0.1:${await freePort()}` };
    for (const [args, named] of [
      [['--max-budget', '-1'], '--max-budget'],
      [['--max-budget', '1e309'], '--max-budget'],
      [['--max-budget', 'ten'], '--max-budget'],
      [['--rpm', '0'], '--rpm'],
      [['--tpm', '1.5'], '--tpm'],
      [['--expires', 'forever'], '--expires'],
      [['--budget-duration', '30 days'], '--budget-duration'],
      [['--models', 'a,,b'], '--models'],
      [['--nope'], '--nope'],
    ] as const) {
      for (const env of [alice, nowhere]) {
        const r = await purser(['keys', 'create', '--alias', 'bad', ...args], env);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(named);
      }
    }
    expect(await keyCount()).toBe(before);
    const both = await purser(['keys', 'list', '--all', '--user', 'alice@example.com'], nowhere);
    expect(both.code).toBe(2);
  });

  it('exits 3 when the server cannot be reached, 1 for a key the server does not know', async () => {
    const r = await purser(['keys', 'list'], { ...alice, url: `http://127.0.0.1:${await freePort()}` });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot reach Purser');
    const bad = await purser(['keys', 'list'], { ...alice, key: 'sk-not-a-key' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^UNAUTHENTICATED: /);
  });

  it('has --help for every keys command', async () => {
    for (const sub of ['list', 'create', 'delete', 'regenerate', 'block', 'unblock']) {
      const r = await purser(['keys', sub, '--help'], alice);
      expect(r.code, sub).toBe(0);
      expect(r.stdout).toContain(`Usage: purser keys ${sub}`);
      expect(r.stdout).toContain('--json');
    }
    expect((await purser(['keys', 'create', '--help'], alice)).stdout).toContain('--max-budget <usd>');
    // an unknown command, or a group without its command, is a usage error
    for (const args of [['nope'], ['keys'], ['keys', 'nope']]) expect((await purser(args, alice)).code, args.join(' ')).toBe(2);
    expect((await purser(['--help'], alice)).stdout).toContain('Usage: purser [options] [command]');
  });
});
