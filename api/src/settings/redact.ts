import type { PurserConfig } from '../config/index.js';

const SECRET_KEYS = /(^|_)(key|secret|password|token)$|^master_key$|^database_url$/i;
/** Prices and counts named after tokens (`input_cost_per_token`) are figures, not credentials. */
const NOT_SECRET = /_per_token$/i;

/** Query parameters that carry credentials (`api_key`, `x-api-key`, `access_token`, `client_secret`, `sig`, `X-Amz-Signature`, `id_token_hint`, ...). */
const SECRET_PARAMS = /(^|[-_.])(key|apikey|token|secret|password|passwd|pwd|sig|signature|credential|auth|authorization|code|token_hint)$/i;

/** Anything that looks like an absolute URL, inside a longer string too. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

const REDACTED = '***';

/** One URL with its userinfo replaced and secret query parameters redacted. */
function redactUrl(raw: string): string {
  // userinfo ends at the last "@": a password may hold "/", "?" or "#" unencoded, and
  // over-redacting a path that holds "@" costs nothing here, unlike a leaked password
  let out = raw.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/i, `$1${REDACTED}@`);
  out = out.replace(/([?&;])([^=&;#]+)=([^&;#]*)/g, (m, sep: string, name: string) =>
    SECRET_PARAMS.test(decodeSafe(name)) ? `${sep}${name}=${REDACTED}` : m,
  );
  return out;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Every URL inside a string value, redacted. */
export function redactUrls(value: string): string {
  return value.replace(URL_IN_TEXT, redactUrl);
}

/**
 * A copy of the config with every secret-looking value replaced by "***", and in every other
 * string each URL's userinfo and secret query parameters redacted (`api_base:
 * http://user:pass@host/?api_key=…` → `http://***@host/?api_key=***`).
 */
export function redactedConfig(config: PurserConfig): Record<string, unknown> {
  const walk = (v: unknown, key: string, inEnv: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key, inEnv));
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k, inEnv || k === 'environment_variables')]),
      );
    if (v === null || v === undefined) return v;
    if (inEnv || (SECRET_KEYS.test(key) && !NOT_SECRET.test(key) && key !== 'database_url')) return REDACTED;
    return typeof v === 'string' ? redactUrls(v) : v;
  };
  return walk(config, '', false) as Record<string, unknown>;
}
