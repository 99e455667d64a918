import { Command } from 'commander';
import { PurserClient } from '../client.js';
import { clientFor, leaf, optionsOf, serverUrl } from '../context.js';
import { Login, Logout, WhoAmI } from '../documents.js';
import { ApiError } from '../errors.js';
import { litellmName, money, note, printFields, printJson, say } from '../output.js';
import { text } from '../parse.js';
import { readPassword } from '../password.js';
import { forgetSession, loadSession, saveSession } from '../session-store.js';

export function registerAuth(program: Command): void {
  leaf(program, 'login', 'Sign in with email and password; keeps the session (never the password) in $XDG_CONFIG_HOME/purser/')
    .requiredOption('--email <email>', 'your email', text)
    .option('--password-stdin', 'read the password from standard input instead of a prompt')
    .action(async (_opts, cmd: Command) => {
      const opts = optionsOf(cmd);
      const url = serverUrl(opts);
      const password = await readPassword(opts.passwordStdin === true);
      const anonymous = new PurserClient(url, { key: null, cookie: null });
      const { data, setCookies } = await anonymous.send(Login, { input: { email: opts.email as string, password } });
      // the session is the cookie login set: name=value pairs only, no attributes
      const cookie = setCookies.map((c) => c.split(';')[0]!.trim()).filter(Boolean).join('; ');
      if (!cookie) throw new ApiError('NO_SESSION', `${url} signed you in but sent no session cookie.`);
      const file = saveSession({ url, cookie, email: data.login.user.email ?? (opts.email as string), savedAt: new Date().toISOString() });
      if (opts.json) return printJson({ ...data.login, sessionFile: file });
      say(`Signed in to ${url} as ${data.login.user.email} (${litellmName(data.login.user.userRole)}).`);
      note(`Session saved in ${file} (mode 0600); commands use it when no --key or PURSER_API_KEY is given.`);
    });

  leaf(program, 'logout', 'End the stored session on the server and forget it').action(async (_opts, cmd: Command) => {
    const opts = optionsOf(cmd);
    const url = serverUrl(opts);
    const stored = loadSession(url);
    if (stored) await new PurserClient(url, { key: null, cookie: stored.cookie }).request(Logout);
    forgetSession();
    if (opts.json) return printJson({ signedOut: stored !== null });
    say(stored ? `Signed out ${stored.email} from ${url}.` : `No stored session for ${url}.`);
  });

  leaf(program, 'whoami', 'Who the credential in use is: user, role, how authenticated, budget, teams').action(async (_opts, cmd: Command) => {
    const opts = optionsOf(cmd);
    const { me } = await clientFor(opts).request(WhoAmI);
    if (opts.json) return printJson(me);
    const u = me.user;
    printFields([
      ['user', u.id],
      ['email', u.email ?? '–'],
      ['role', litellmName(u.userRole)],
      ['signed in with', litellmName(me.authMethod)],
      ['spend', `${money(u.spend)} (personal keys ${money(u.personalSpend)})`],
      ['budget', money(u.maxBudget)],
      ['teams', u.teams.map((t) => `${t.team?.teamAlias ?? t.teamId} (${litellmName(t.role)})`).join(', ') || '–'],
    ]);
  });
}
