import { hash, verify } from '@node-rs/argon2';
import { badInput } from '../common/errors.js';

// argon2id (the library default algorithm), OWASP's 19 MiB / t=2 baseline.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function checkPasswordPolicy(field: string, password: string): void {
  if (typeof password !== 'string') throw badInput(`${field} must be a string.`, field);
  if (password.length < 8) throw badInput(`${field} is too short: use at least 8 characters.`, field);
  if (password.length > 128) throw badInput(`${field} is too long: use at most 128 characters.`, field);
}

export async function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A fixed hash to verify against when the account does not exist, so timing does not tell. */
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword('purser-timing-equaliser');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
