/**
 * A tiny browser stand-in: fetch with `redirect: 'manual'` and a cookie jar kept per origin
 * (name, value, path; Max-Age=0 / past Expires delete). Enough to drive redirect flows.
 */
interface Stored {
  value: string;
  path: string;
}

export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, Stored>>();

  /** The cookies this jar would send to `url`, as a Cookie header value. */
  header(url: string): string {
    const u = new URL(url);
    const jar = this.byOrigin.get(u.origin);
    if (!jar) return '';
    return [...jar.entries()]
      .filter(([, c]) => u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  get(origin: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(origin).origin)?.get(name)?.value;
  }

  store(url: string, res: Response) {
    const origin = new URL(url).origin;
    const jar = this.byOrigin.get(origin) ?? new Map<string, Stored>();
    this.byOrigin.set(origin, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        const key = k!.toLowerCase();
        if (key === 'path') path = v || '/';
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      if (expired) jar.delete(name);
      else jar.set(name, { value, path });
    }
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, res);
    return res;
  }
}

/** The `purser_session=<value>` Cookie header from a response, or null when none was set. */
export function sessionCookieOf(res: Response): string | null {
  for (const line of res.headers.getSetCookie()) {
    const m = /^purser_session=([^;]+)/.exec(line);
    if (m) return `purser_session=${m[1]}`;
  }
  return null;
}
