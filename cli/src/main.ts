// `purser`: a command-line client of a running Purser, over its GraphQL API.
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerAuth } from './commands/auth.js';
import { registerKeys } from './commands/keys.js';
import { registerLimits } from './commands/limits.js';
import { registerTeams } from './commands/teams.js';
import { registerUsage } from './commands/usage.js';
import { registerUsers } from './commands/users.js';
import { DEFAULT_URL } from './context.js';
import { ApiError, EXIT, UnreachableError, UsageError } from './errors.js';

// through the workspace link, so it resolves from src/, dist/ and any other build folder alike
const { version } = createRequire(import.meta.url)('@purser/cli/package.json') as { version: string };

const program = new Command('purser')
  .description('Manage a running Purser from the terminal: keys, users, teams, usage, limits.')
  .version(version)
  .option('--url <url>', `Purser's address (env PURSER_URL; default ${DEFAULT_URL})`)
  .option('--key <key>', 'master key or virtual key (env PURSER_API_KEY; default: the session of `purser login`)')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerKeys(program);
registerUsers(program);
registerTeams(program);
registerUsage(program);
registerLimits(program);
registerAuth(program);
// a group without its subcommand (`purser keys`) shows its help and is a usage error
for (const group of program.commands) group.exitOverride();

try {
  await program.parseAsync(process.argv);
  process.exitCode = EXIT.ok;
} catch (e) {
  if (e instanceof CommanderError) {
    // help and --version exit 0; commander already printed what was wrong
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = EXIT.usage;
  } else if (e instanceof ApiError) {
    process.stderr.write(`${e.code}: ${e.message}\n`);
    process.exitCode = EXIT.refused;
  } else if (e instanceof UnreachableError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = EXIT.unreachable;
  } else throw e;
}
