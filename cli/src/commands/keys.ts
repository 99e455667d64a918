import { Command } from 'commander';
import type { PurserClient } from '../client.js';
import { clientFor, leaf, optionsOf } from '../context.js';
import { BlockKey, DeleteKey, GenerateKey, ListKeys, RegenerateKey, UnblockKey, UserByEmail, WhoAmI } from '../documents.js';
import { ApiError, UsageError } from '../errors.js';
import type { CliKeyFragment, KeyFilter } from '../gql/graphql.js';
import { money, note, orDash, printJson, printTable, say, when } from '../output.js';
import { count, duration, list, text, usd } from '../parse.js';
import { allPages } from './paging.js';

const status = (k: CliKeyFragment) => (k.blocked ? 'blocked' : k.expires && Date.parse(k.expires) <= Date.now() ? 'expired' : 'active');

export function printKeys(keys: CliKeyFragment[]): void {
  printTable(
    ['id', 'alias', 'key', 'owner', 'team', 'spend', 'budget', 'status', 'expires'],
    keys.map((k) => [k.id, orDash(k.keyAlias), k.keyName, orDash(k.user?.email ?? k.userId), orDash(k.team?.teamAlias ?? k.teamId), money(k.spend), money(k.maxBudget), status(k), when(k.expires)]),
  );
}

/** An email → that user's id: the caller's own without a lookup (anyone may list their own keys). */
async function userIdOf(client: PurserClient, email: string): Promise<string> {
  const { me } = await client.request(WhoAmI);
  if (me.user.email?.toLowerCase() === email.toLowerCase()) return me.user.id;
  // the filter matches parts of addresses: keep only the exact one
  const users = await allPages(async (after) => (await client.request(UserByEmail, { email, after })).users);
  const id = users.find((u) => u.email?.toLowerCase() === email.toLowerCase())?.id;
  if (!id) throw new ApiError('NOT_FOUND', `No user with email ${email} (that you may see).`);
  return id;
}

function secretOnce(json: boolean, data: { secret: string; key: CliKeyFragment }, verb: string) {
  if (json) return printJson(data);
  say(`${verb} key ${data.key.keyAlias ?? data.key.id}. Its secret, shown only now:\n\n  ${data.secret}\n`);
  printKeys([data.key]);
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Virtual keys: list, create, delete, regenerate, block, unblock');

  leaf(keys, 'list', 'Your keys; with --user or --team theirs, with --all every key you may see')
    .option('--user <email>', 'keys of this user', text)
    .option('--team <id>', 'keys of this team', text)
    .option('--all', 'every key you may see (admins: all keys)')
    .action(async (_opts, cmd: Command) => {
      const o = optionsOf(cmd);
      if (o.all && (o.user || o.team)) throw new UsageError('--all lists every key you may see: leave out --user and --team.');
      const client = clientFor(o);
      const filter: KeyFilter = {};
      if (o.team) filter.teamId = o.team as string;
      if (o.user) filter.userId = await userIdOf(client, o.user as string);
      else if (!o.all && !o.team) filter.userId = (await client.request(WhoAmI)).me.user.id;
      const rows = await allPages(async (after) => (await client.request(ListKeys, { first: 100, after, filter })).keys);
      if (o.json) return printJson(rows);
      printKeys(rows);
      note(`${rows.length} key(s).`);
    });

  leaf(keys, 'create', 'Mint a key (personal, or for a team with --team); prints the secret once')
    .option('--alias <alias>', 'unique alias', text)
    .option('--user <email>', 'owner, when not you (proxy_admin)', text)
    .option('--team <id>', 'a team key for this team', text)
    .option('--models <a,b>', 'models the key may use (default: all its owner or team may use)', list)
    .option('--max-budget <usd>', 'key budget in USD', usd)
    .option('--budget-duration <duration>', 'budget reset period, e.g. 30d or 1mo', duration)
    .option('--expires <duration>', 'lifetime, e.g. 90d', duration)
    .option('--rpm <n>', 'requests per minute', count)
    .option('--tpm <n>', 'tokens per minute', count)
    .action(async (_opts, cmd: Command) => {
      const o = optionsOf(cmd);
      const client = clientFor(o);
      const userId = o.user ? await userIdOf(client, o.user as string) : undefined;
      const { generateKey } = await client.request(GenerateKey, {
        input: {
          userId,
          keyAlias: o.alias as string | undefined,
          teamId: o.team as string | undefined,
          models: o.models as string[] | undefined,
          maxBudget: o.maxBudget as number | undefined,
          budgetDuration: o.budgetDuration as string | undefined,
          duration: o.expires as string | undefined,
          rpmLimit: o.rpm as number | undefined,
          tpmLimit: o.tpm as number | undefined,
        },
      });
      secretOnce(o.json === true, generateKey, 'Created');
    });

  leaf(keys, 'delete', 'Delete a key').argument('<id>', 'key id (or its secret or token hash)', text).action(async (id: string, _opts, cmd: Command) => {
    const o = optionsOf(cmd);
    const { deleteKey } = await clientFor(o).request(DeleteKey, { input: { id } });
    if (o.json) return printJson(deleteKey);
    say(`Deleted key ${deleteKey.id}.`);
  });

  leaf(keys, 'regenerate', 'A new secret for a key (the old one stops working); prints it once').argument('<id>', 'key id', text).action(async (id: string, _opts, cmd: Command) => {
    const o = optionsOf(cmd);
    const { regenerateKey } = await clientFor(o).request(RegenerateKey, { input: { id } });
    secretOnce(o.json === true, regenerateKey, 'Regenerated');
  });

  const blocking = async (id: string, cmd: Command, block: boolean) => {
    const o = optionsOf(cmd);
    const client = clientFor(o);
    const key = block ? (await client.request(BlockKey, { input: { id } })).blockKey : (await client.request(UnblockKey, { input: { id } })).unblockKey;
    if (o.json) return printJson(key);
    say(`${block ? 'Blocked' : 'Unblocked'} key ${key.keyAlias ?? key.id}.`);
  };
  leaf(keys, 'block', 'Block a key: the gateway refuses it until it is unblocked')
    .argument('<id>', 'key id', text)
    .action((id: string, _opts, cmd: Command) => blocking(id, cmd, true));
  leaf(keys, 'unblock', 'Unblock a key: it works again')
    .argument('<id>', 'key id', text)
    .action((id: string, _opts, cmd: Command) => blocking(id, cmd, false));
}
