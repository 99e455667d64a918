/**
 * Benchmark child: the baseline, what Node itself costs. A plain node:http server that
 * forwards `POST /v1/...` bodies to the upstream over an undici keep-alive pool (the same
 * client and pool settings Purser uses) and pipes the answer back. No auth, no parsing, no
 * accounting. Usage: bare-proxy.ts <upstream base, e.g. http://127.0.0.1:1234/v1>.
 * Prints `{"url": ...}` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const base = new URL(process.argv[2]!);
const prefix = base.pathname.replace(/\/+$/, '');
const pool = new Pool(base.origin, { connections: 256, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });

const server = createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const up = await pool.request({
      path: prefix + (req.url ?? '/').replace(/^\/v1/, ''),
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-up' },
      body: Buffer.concat(chunks),
    });
    const headers: Record<string, string> = { 'content-type': String(up.headers['content-type'] ?? 'application/json') };
    if (up.headers['content-length']) headers['content-length'] = String(up.headers['content-length']);
    res.writeHead(up.statusCode, headers);
    await pipeline(up.body, res);
  } catch (e) {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: (e as Error).message } }));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => void pool.close().then(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
