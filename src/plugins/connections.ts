/**
 * Connections are bounded (issue 19): a request whose headers have not all arrived within
 * `headersTimeoutMs`, or whose body has not within `requestTimeoutMs` of its start, is answered
 * 408 by Node and its connection closed; an idle keep-alive connection closes after
 * `keepAliveTimeoutMs`; and one client address holds at most `maxPerAddress` open connections
 * (those beyond are closed at once, so a flood of slow connections cannot take every file
 * descriptor). Behind a proxy every connection comes from its address: raise the cap there, or 0 (off).
 * Node checks the header and request timeouts every `connectionsCheckingInterval` (its default,
 * 30 s, would let a 30 s timeout run to 60 s); here a tenth of the shorter one, at most 1 s.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** The whole request (headers and body) must arrive within this (ms; 408 after). */
  requestTimeoutMs: number;
  /** The headers must arrive within this (ms). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number;
  /** Open connections per client address (0: no cap). */
  maxPerAddress: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 72_000, maxPerAddress: 256 };

/** Fastify's server options for these limits. */
export function serverOptions(limits: ConnectionLimits): { requestTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  const shorter = Math.min(limits.requestTimeoutMs, limits.headersTimeoutMs);
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node requires headersTimeout <= requestTimeout.
    http: { headersTimeout: shorter, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(shorter / 10))) },
  };
}

/** Closes every connection past `maxPerAddress` from one address, as it opens. */
export function capConnectionsPerAddress(server: Server, maxPerAddress: number, onRefused: (address: string) => void): void {
  if (maxPerAddress <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = (open.get(address) ?? 0) + 1;
    if (n > maxPerAddress) {
      onRefused(address);
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
