/**
 * Graceful shutdown, in order: `/ready` turns 503 at once and every answer closes its connection
 * (plugins/draining.ts); the listening socket closes, so new connections are refused, but open
 * keep-alive connections are NOT cut (Node's server.close() would close idle ones, racing a request
 * the client is sending: a reset); each closes after its next answer. Connections that stay idle
 * for IDLE_GRACE_MS are closed then; whatever is still open at `drainMs` is cut. Then the app
 * closes (flushing key usage) and the store. close-with-grace (main.ts) bounds the whole.
 */
import { Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

/** A keep-alive connection with no request for this long is closed (the race with a new request is then unlikely). */
export const IDLE_GRACE_MS = 1000;

const openConnections = (server: Server): Promise<number> =>
  new Promise((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n)));

export async function drainAndClose(app: FastifyInstance, drainMs: number): Promise<{ cut: number }> {
  app.startDraining();
  const server = app.server;
  Server.prototype.close.call(server); // stop accepting, keep the open connections
  const started = Date.now();
  let idleClosed = false;
  while ((await openConnections(server)) > 0 && Date.now() - started < drainMs) {
    if (!idleClosed && Date.now() - started >= IDLE_GRACE_MS) {
      server.closeIdleConnections();
      idleClosed = true;
    }
    await sleep(10);
  }
  const cut = await openConnections(server);
  if (cut > 0) server.closeAllConnections();
  await app.close();
  return { cut };
}
