import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A dashboard session from `purser login`: the cookie, never the password. */
export interface StoredSession {
  url: string;
  cookie: string;
  email: string;
  savedAt: string;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'purser');
}

export const sessionFile = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'session.json');

export function saveSession(s: StoredSession, env: NodeJS.ProcessEnv = process.env): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = sessionFile(env);
  writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an older file keeps its mode on overwrite
  return file;
}

/** The stored session, if it was made for this server. */
export function loadSession(url: string, env: NodeJS.ProcessEnv = process.env): StoredSession | null {
  const file = sessionFile(env);
  if (!existsSync(file)) return null;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredSession>;
    return s.url === url && typeof s.cookie === 'string' && typeof s.email === 'string' ? (s as StoredSession) : null;
  } catch {
    return null;
  }
}

export function forgetSession(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(sessionFile(env), { force: true });
}
