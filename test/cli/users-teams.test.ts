import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { startSmtp } from '../helpers/smtp.js';
import { buildCli, purser, type CliEnv } from './run.js';

/** `purser users ...` and `purser teams ...` against a real Purser (with a real SMTP server), per role. */
let s: TestServer;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let admin: CliEnv;
let alice: CliEnv;
let viewer: CliEnv;
let cleanup: () => void;

beforeAll(async () => {
  cleanup = await buildCli();
  smtp = await startSmtp();
  const port = await freePort();
  s = await startServer(
    {
      environment_variables: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        SMTP_USERNAME: 'mailer',
        SMTP_PASSWORD: 'mail-secret',
        SMTP_SENDER_EMAIL: 'purser@example.com',
        SMTP_TLS: 'False',
      },
    },
    { port, env: { PROXY_BASE_URL: `http://127.0.0.1:${port}` } },
  );
  await s.rest('POST', '/team/new', { team_alias: 'research', team_id: 'team_r' });
  admin = { url: s.url, key: s.masterKey };
  alice = { url: s.url, key: await userWithKey(s, { user_id: 'alice', user_email: 'alice@example.com', user_role: 'internal_user' }) };
  viewer = { url: s.url, key: await userWithKey(s, { user_id: 'vera', user_email: 'vera@example.com', user_role: 'proxy_admin_viewer' }) };
});
afterAll(async () => {
  await s?.close();
  await smtp?.close();
  cleanup?.();
});

const userCount = async () => (await s.gql('{ users(first: 1) { totalCount } }')).data.users.totalCount as number;
const teamCount = async () => (await s.gql('{ teams(first: 1) { totalCount } }')).data.teams.totalCount as number;
const userByEmail = async (email: string) =>
  (await s.gql('query ($e: String!) { users(first: 1, filter: { email: $e }) { edges { node { id userRole maxBudget teams { teamId role } } } } }', { e: email })).data.users.edges[0]?.node;

describe('purser users', () => {
  it('invites with role, team as admin and budget; prints the link once and says the mail did not go out', async () => {
    const r = await purser(['users', 'invite', 'bob@example.com', '--role', 'internal_user', '--team', 'team_r:admin', '--max-budget', '10'], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Invited bob@example\.com as internal_user/);
    const link = /(http:\/\/\S+\/ui\/invite\/\S+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain('Email: not sent (no --send-email)');
    expect(await userByEmail('bob@example.com')).toMatchObject({ userRole: 'INTERNAL_USER', maxBudget: 10, teams: [{ teamId: 'team_r', role: 'ADMIN' }] });
    const token = link.split('/').pop()!;
    const info = await s.gql('query ($t: String!) { invitation(token: $t) { email valid } }', { t: token }, null);
    expect(info.data.invitation).toEqual({ email: 'bob@example.com', valid: true });
  });

  it('with --send-email the link goes out and it says so', async () => {
    const r = await purser(['users', 'invite', 'carol@example.com', '--role', 'internal_user_viewer', '--send-email'], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Email: sent to carol@example.com.');
    const link = /(http:\/\/\S+\/ui\/invite\/\S+)/.exec(r.stdout)![1]!;
    expect(smtp.received.find((m) => m.to.includes('carol@example.com'))?.text).toContain(link);
  });

  it('says when the mail could not be sent; the invitation stays', async () => {
    const r = await purser(['users', 'invite', 'bounce@example.com', '--role', 'internal_user', '--send-email'], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Email: NOT sent: Could not send the email/);
    expect(await userByEmail('bounce@example.com')).toBeTruthy();
  });

  it('lists users as admin and as proxy_admin_viewer; an internal_user sees only herself', async () => {
    const r = await purser(['users', 'list'], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bob@example.com');
    expect(r.stdout).toContain('internal_user');
    const v = await purser(['users', 'list', '--json'], viewer);
    expect(v.code, v.stderr).toBe(0);
    expect((JSON.parse(v.stdout) as unknown[]).length).toBe(await userCount());
    const a = await purser(['users', 'list', '--json'], alice);
    expect(a.code, a.stderr).toBe(0);
    expect((JSON.parse(a.stdout) as Array<{ email: string }>).map((u) => u.email)).toEqual(['alice@example.com']);
  });

  it('a proxy_admin_viewer cannot invite: FORBIDDEN, nobody created', async () => {
    const before = await userCount();
    const r = await purser(['users', 'invite', 'dan@example.com', '--role', 'internal_user'], viewer);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^FORBIDDEN: /);
    expect(await userCount()).toBe(before);
    expect(await userByEmail('dan@example.com')).toBeUndefined();
  });

  it('refuses bad input with exit 2 before any request; nobody created', async () => {
    const before = await userCount();
    for (const [args, named] of [
      [['users', 'invite', 'eve@example.com', '--role', 'internal_user', '--max-budget', '-1'], '--max-budget'],
      [['users', 'invite', 'eve@example.com', '--role', 'internal_user', '--max-budget', '1e309'], '--max-budget'],
      [['users', 'invite', 'eve@example.com', '--role', 'king'], '--role'],
      [['users', 'invite', 'eve@example.com'], '--role'],
      [['users', 'invite', 'eve@example.com', '--role', 'internal_user', '--team', 'team_r:owner'], '--team'],
    ] as const) {
      const r = await purser([...args], admin);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(named);
    }
    expect(await userCount()).toBe(before);
  });

  it('deletes a user with their keys', async () => {
    await purser(['users', 'invite', 'frank@example.com', '--role', 'internal_user'], admin);
    const id = (await userByEmail('frank@example.com')).id;
    const r = await purser(['users', 'delete', id], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Deleted user ${id} and 0 key(s).`);
    expect(await userByEmail('frank@example.com')).toBeUndefined();
    const refused = await purser(['users', 'delete', 'vera'], alice);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^FORBIDDEN: /);
  });
});

describe('purser teams', () => {
  it('creates a team with budget and models; lists it', async () => {
    const r = await purser(['teams', 'create', 'platform', '--max-budget', '100', '--models', 'gpt-4o,gpt-4o-mini'], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Created team platform \(id \S+\)\./);
    const list = JSON.parse((await purser(['teams', 'list', '--json'], admin)).stdout) as Array<{ teamAlias: string; maxBudget: number; models: string[] }>;
    expect(list.find((t) => t.teamAlias === 'platform')).toMatchObject({ maxBudget: 100, models: ['gpt-4o', 'gpt-4o-mini'] });
    const table = await purser(['teams', 'list'], viewer);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('platform');
    expect(table.stdout).toContain('$100.00');
  });

  it('adds a member by email with a role; an internal_user sees only own teams and cannot create', async () => {
    const r = await purser(['teams', 'add-member', 'team_r', 'alice@example.com', '--role', 'admin'], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Added alice@example.com to team team_r as admin.');
    const mine = JSON.parse((await purser(['teams', 'list', '--json'], alice)).stdout) as Array<{ id: string }>;
    expect(mine.map((t) => t.id)).toEqual(['team_r']);
    const before = await teamCount();
    const refused = await purser(['teams', 'create', 'alice-team'], alice);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^FORBIDDEN: /);
    const viewerRefused = await purser(['teams', 'create', 'vera-team'], viewer);
    expect(viewerRefused.code).toBe(1);
    expect(await teamCount()).toBe(before);
  });

  it('refuses bad input with exit 2 before any request; nothing created', async () => {
    const before = await teamCount();
    for (const args of [
      ['teams', 'create', 'bad', '--max-budget', '-1'],
      ['teams', 'create', 'bad', '--max-budget', '1e309'],
      ['teams', 'create', 'bad', '--models', ''],
      ['teams', 'add-member', 'team_r', 'bob@example.com', '--role', 'owner'],
      ['teams', 'add-member', 'team_r'],
    ]) {
      const r = await purser(args, admin);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    }
    expect(await teamCount()).toBe(before);
  });

  it('has --help for every users and teams command', async () => {
    for (const cmd of [['users', 'list'], ['users', 'invite'], ['users', 'delete'], ['teams', 'list'], ['teams', 'create'], ['teams', 'add-member']]) {
      const r = await purser([...cmd, '--help'], admin);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toContain(`Usage: purser ${cmd.join(' ')}`);
      expect(r.stdout).toContain('--json');
    }
  });
});
