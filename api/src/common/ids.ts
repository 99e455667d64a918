import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const newId = () => randomUUID();

/** SHA-256 hex of a secret: what we store instead of the secret. */
export const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A virtual key / master key secret: `sk-` + 32 random bytes, URL-safe. */
export const newSecretKey = () => 'sk-' + randomBytes(32).toString('base64url');

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Display form of a secret key: `sk-...abcd`. */
export const displayKeyName = (secret: string) => 'sk-...' + secret.slice(-4);

export const isSha256Hex = (s: string) => /^[0-9a-f]{64}$/i.test(s);
