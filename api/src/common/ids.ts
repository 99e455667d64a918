import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const newId = () => randomUUID();

/** SHA-256 hex of a secret: what we store instead of the secret. */
export const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * A virtual key / master key secret: `sk-prs_` + 40 random base62 characters (~238 bits) + a
 * 6-character base62 CRC-32 of everything before it, so secret scanners can match
 * `sk-prs_[0-9A-Za-z]{46}` and verify the checksum offline (GitHub's token format idea).
 */
export const KEY_PREFIX = 'sk-prs_';
export const KEY_PATTERN = /^sk-prs_[0-9A-Za-z]{46}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62Random(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      // 248 = 4 × 62: rejection keeps every character equally likely
      if (b < 248 && out.length < n) out += BASE62[b % 62];
    }
  }
  return out;
}

function checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function newSecretKey(): string {
  const body = KEY_PREFIX + base62Random(40);
  return body + checksum(body);
}

/**
 * Could this be a credential? Cheap checks before any lookup: `sk-`, not a stored hash, bounded,
 * and a key in Purser's own format must carry a valid checksum (older `sk-` keys still work).
 */
export function plausibleSecret(secret: string): boolean {
  if (!secret.startsWith('sk-') || secret.length > 256 || isSha256Hex(secret)) return false;
  if (!secret.startsWith(KEY_PREFIX)) return true;
  return KEY_PATTERN.test(secret) && checksum(secret.slice(0, -6)) === secret.slice(-6);
}

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Display form of a secret key: `sk-...abcd`. */
export const displayKeyName = (secret: string) => 'sk-...' + secret.slice(-4);

export const isSha256Hex = (s: string) => /^[0-9a-f]{64}$/i.test(s);
