/**
 * What the in-process benchmarks share: Purser started in the benchmark's own process on a
 * fresh SQLite file (so a figure and its baseline run side by side), an admin REST helper to
 * seed it, and the median the figures are reported as.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPurser } from '../api/src/app/bootstrap.js';

export const MASTER_KEY = 'sk-bench-master-key-0123456789';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export type InProcess = {
  running: Awaited<ReturnType<typeof startPurser>>;
  /** POST a management route as the master key; throws on anything but a 200. */
  rest: (path: string, body: unknown) => Promise<any>;
  close: () => Promise<void>;
};

/** Purser with one mock model, its dashboard off and its logs quiet (errors still print). */
export async function startInProcess(name: string): Promise<InProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), `purser-bench-${name}-`));
  const quiet = { info() {}, warn() {}, error: (m: string) => console.error(m) };
  const running = await startPurser({
    configObject: {
      model_list: [{ model_name: 'bench-model', litellm_params: { model: 'openai/gpt-4o-mini', mock_response: 'hi' } }],
      general_settings: { master_key: MASTER_KEY },
    },
    port: 0,
    host: '127.0.0.1',
    dataDir,
    env: { PATH: process.env.PATH },
    log: quiet,
    uiDir: null,
  });
  const rest = async (path: string, body: unknown) => {
    const res = await fetch(running.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` }, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const close = async () => {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { running, rest, close };
}
