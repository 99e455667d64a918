import type { Command } from 'commander';
import { clientFor, leaf, optionsOf } from '../context.js';
import { KeyLimits } from '../documents.js';
import { ApiError } from '../errors.js';
import type { CliKeyLimitsQuery } from '../gql/graphql.js';
import { money, note, printJson, printTable, say, when } from '../output.js';
import { text } from '../parse.js';

type Cap = NonNullable<CliKeyLimitsQuery['key']['limits']>['caps'][number];

/** Budgets in USD, counters as whole numbers. */
const amount = (cap: Cap, n: number) => (cap.kind === 'BUDGET' ? money(n) : String(Math.round(n)));

export function registerLimits(program: Command): void {
  leaf(program, 'limits', 'Why can\'t I call? Every cap on a key, what is left, and which stops a call first')
    .argument('<key-id>', 'key id (or its secret or token hash)', text)
    .action(async (id: string, _opts, cmd: Command) => {
      const o = optionsOf(cmd);
      const { key } = await clientFor(o).request(KeyLimits, { id });
      // the server computes this with the gateway's own admission code; null means it cannot here
      if (!key.limits) throw new ApiError('UNAVAILABLE', `The limits of key ${key.id} cannot be computed on this server.`);
      if (o.json) return printJson({ id: key.id, keyAlias: key.keyAlias, ...key.limits });
      const caps = key.limits.caps;
      printTable(
        ['', 'cap', 'whose', 'limit', 'used', 'in flight', 'left', 'resets'],
        caps.map((c, i) => [
          // "first" only once something is used: with nothing used, the order is the gateway's
          c.refuses ? 'refuses' : i === 0 && c.used > 0 ? 'first' : '',
          c.kind.toLowerCase(),
          c.label,
          amount(c, c.limit),
          amount(c, c.used),
          c.kind === 'BUDGET' ? money(c.reserved) : '–',
          amount(c, c.remaining),
          when(c.resetsAt),
        ]),
      );
      if (!caps.length) note('No cap applies to this key.');
      say(key.limits.callable ? `Key ${key.keyAlias ?? key.id} may call now.` : `Key ${key.keyAlias ?? key.id} is refused now: ${key.limits.refusal}`);
    });
}
