/**
 * Issue 19 item 2, on loopback and bounded: connections that send their headers and trickle the
 * body are cut at the request timeout (408, then closed), those past the per-address cap at once,
 * and callers from another address are served meanwhile. The 1,100-connection run under
 * `ulimit -n 1024` is bench/serving/slow-connections.ts.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { MemoryStore } from '../src/store/memory-store.js';

let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  app = await buildApp({ store: new MemoryStore(), secret: 'connections-secret-0123456789', connections: { requestTimeoutMs: 1000, headersTimeoutMs: 1000, maxPerAddress: 20 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => { await app.close(); });

interface Trickler { socket: Socket; closedAt: number | null; answer: string }

/** Sends the headers of a POST /select with a 1000-byte body, then one byte every 100 ms. */
function trickle(localAddress: string): Trickler {
  const t: Trickler = { socket: connect({ host: '127.0.0.1', port, localAddress }), closedAt: null, answer: '' };
  t.socket.on('error', () => {});
  t.socket.on('data', (d) => { t.answer += d; });
  t.socket.on('close', () => { t.closedAt = Date.now(); });
  t.socket.on('connect', () => {
    t.socket.write(`POST /select HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    const timer = setInterval(() => (t.closedAt === null ? t.socket.write(' ') : clearInterval(timer)), 100);
  });
  return t;
}

it('cuts trickling bodies at the request timeout and the connections past the cap at once, and serves others meanwhile', async () => {
  const start = Date.now();
  const tricklers = Array.from({ length: 50 }, () => trickle('127.0.0.2'));
  await new Promise((r) => setTimeout(r, 300));
  const refusedAtOnce = tricklers.filter((t) => t.closedAt !== null).length;
  expect(refusedAtOnce).toBe(30); // 50 - the cap of 20

  const served: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    served.push(Date.now() - t0);
  }
  expect(Math.max(...served)).toBeLessThan(1000);

  const deadline = Date.now() + 5000;
  while (tricklers.some((t) => t.closedAt === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(tricklers.every((t) => t.closedAt !== null)).toBe(true);
  const cut = tricklers.filter((t) => t.answer !== '');
  expect(cut).toHaveLength(20);
  for (const t of cut) {
    expect(t.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(t.closedAt! - start).toBeLessThan(3000); // 1 s timeout, checked every 100 ms
  }
}, 15_000);
