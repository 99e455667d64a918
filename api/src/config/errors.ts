/**
 * Config errors are one line naming the exact key path, so an operator can fix the file
 * without reading a stack trace or a list of twenty follow-on issues.
 */
import { distance } from 'fastest-levenshtein';

export type KeyPath = ReadonlyArray<string | number>;

export class ConfigError extends Error {
  /** dotted key path the message is about ("" for file-level problems) */
  readonly keyPath: string;
  /** config file, when known */
  readonly file: string | null;

  constructor(message: string, opts: { keyPath?: string; file?: string | null } = {}) {
    super(message);
    this.name = 'ConfigError';
    this.keyPath = opts.keyPath ?? '';
    this.file = opts.file ?? null;
  }
}

/** `model_list[2].litellm_params.model` */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(config)' : out;
}

export function configError(path: KeyPath, message: string): ConfigError {
  const keyPath = formatPath(path);
  return new ConfigError(`${keyPath}: ${message}`, { keyPath });
}

/** How a received value is shown in messages: JSON, truncated; containers named, not dumped. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  if (value !== null && typeof value === 'object') return 'an object';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 39)}…` : json;
}

/** Closest known key within edit distance 2, for "did you mean" hints. */
export function suggestKey(key: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

export function unknownKeyMessage(suggestion: string | null): string {
  return suggestion ? `unknown key (did you mean "${suggestion}"?)` : 'unknown key';
}
