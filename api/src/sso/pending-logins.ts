import type { RedisConn } from '../shared-state/redis.js';
import type { PendingLogin } from './oidc.js';

/**
 * SSO logins between /sso/key/generate and /sso/callback (state, nonce, PKCE verifier).
 * With Redis they are shared, so a login started on one process finishes on another; each
 * is taken once (GETDEL: a replayed state finds nothing). Without Redis, or while it is away,
 * they stay in this process (a login started then finishes only here).
 */
export class PendingLogins {
  private readonly local = new Map<string, PendingLogin>();

  constructor(
    private readonly redis: RedisConn | null,
    private readonly ttlMs: number,
  ) {}

  async put(p: PendingLogin): Promise<void> {
    if (this.redis?.up) {
      try {
        await this.redis.client.set(this.redis.key('sso', 'pending', p.state), JSON.stringify(p), 'PX', this.ttlMs);
        return;
      } catch {
        /* Redis went away: keep it here */
      }
    }
    const now = Date.now();
    for (const [k, v] of this.local) if (now - v.createdAt > this.ttlMs) this.local.delete(k);
    this.local.set(p.state, p);
  }

  /** The login started with `state`, removed so it cannot be used twice; null if unknown or expired. */
  async take(state: string): Promise<PendingLogin | null> {
    let p: PendingLogin | null = this.local.get(state) ?? null;
    this.local.delete(state);
    if (!p && this.redis?.up) {
      try {
        const text = await this.redis.client.getdel(this.redis.key('sso', 'pending', state));
        p = text ? parse(text) : null;
      } catch {
        p = null;
      }
    }
    return p && Date.now() - p.createdAt <= this.ttlMs ? p : null;
  }
}

function parse(text: string): PendingLogin | null {
  try {
    const v = JSON.parse(text) as PendingLogin;
    return typeof v.state === 'string' && typeof v.nonce === 'string' && typeof v.verifier === 'string' && typeof v.debug === 'boolean' && Number.isFinite(v.createdAt) ? v : null;
  } catch {
    return null;
  }
}
