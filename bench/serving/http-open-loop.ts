/**
 * A constant-arrival-rate load generator (open loop), in its own process: request i is due at
 * t0 + i / rate whatever the server does, and its latency is measured from that intended send time,
 * not from when a connection was free to send it (coordinated omission accounted for, as wrk2 does).
 * A request due while every connection is busy waits in a queue here, and that wait is part of its
 * latency; so is any lateness of this process's own timer (reported as `maxLagMs`, so a generator
 * that cannot keep up is seen, not hidden).
 *
 * HTTP/1.1 over raw keep-alive sockets (one request in flight per connection, answers framed by
 * Content-Length): a plain http.Agent costs more CPU per request than the servers under test.
 * Started by bench/serving/http-latency.ts with the spec in BENCH_OPEN_LOOP (JSON); prints one JSON line.
 */
import { connect, type Socket } from 'node:net';
import { rewardBodies, selectBodies, type RewardSpec } from './http-bodies.js';
import { nearestRank } from './http-summary.js';

export interface OpenLoopSpec {
  host: string;
  port: number;
  path: '/select' | '/reward';
  experimentId: string;
  /** Requests a second (the arrival rate). */
  rate: number;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  users: number;
  reward?: RewardSpec;
}

export interface OpenLoopResult {
  /** Answers in the measured window (those due in it), by status. */
  statusCodes: Record<string, number>;
  sent: number;
  /** Due in the measured window but unanswered when it closed (after a grace of 5 s). */
  unanswered: number;
  errors: number;
  /** Latency from the intended send time, ms: nearest rank over 10 µs buckets. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** The generator's worst timer lateness in the measured window (ms): above a few ms, the figures include the generator's own delay. */
  maxLagMs: number;
  /** Requests that waited in this process for a free connection. */
  queued: number;
  reward?: { freshSent: number; duplicatesSent: number; freshMinted: number; wrapped: boolean };
}

const spec = JSON.parse(process.env.BENCH_OPEN_LOOP ?? '') as OpenLoopSpec;
const bodies = spec.path === '/select' ? selectBodies(spec.experimentId, spec.users) : rewardBodies(spec.experimentId, spec.reward!);
const head = (body: string): string =>
  `POST ${spec.path} HTTP/1.1\r\nHost: ${spec.host}:${spec.port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const nowMs = (): number => performance.now();
const histogram = new Map<number, number>();
const statusCodes: Record<string, number> = {};
let errors = 0;
let measureFrom = Infinity;
let measureTo = Infinity;
let inWindow = 0;
let answeredInWindow = 0;

interface Conn { socket: Socket; buf: Buffer; intended: number; busy: boolean }
const idle: Conn[] = [];
const pending: number[] = []; // intended send times of requests waiting for a connection
let queued = 0;

function record(intended: number, status: number): void {
  if (intended < measureFrom || intended >= measureTo) return;
  answeredInWindow++;
  const bucket = Math.round((nowMs() - intended) * 100);
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
  statusCodes[status] = (statusCodes[status] ?? 0) + 1;
}

function send(c: Conn, intended: number): void {
  c.busy = true;
  c.intended = intended;
  c.socket.write(head(bodies.next()));
}

function release(c: Conn): void {
  const next = pending.shift();
  if (next !== undefined) send(c, next);
  else {
    c.busy = false;
    idle.push(c);
  }
}

/** Parses whole answers off the connection's buffer (status line, headers, Content-Length body). */
function onData(c: Conn, chunk: Buffer): void {
  c.buf = c.buf.length ? Buffer.concat([c.buf, chunk]) : chunk;
  for (;;) {
    const end = c.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const headText = c.buf.toString('latin1', 0, end);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? 0);
    if (c.buf.length < end + 4 + length) return;
    c.buf = c.buf.subarray(end + 4 + length);
    record(c.intended, Number(headText.slice(9, 12)));
    release(c);
  }
}

async function open(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: spec.host, port: spec.port, noDelay: true });
    const c: Conn = { socket, buf: Buffer.alloc(0), intended: 0, busy: false };
    socket.once('connect', () => resolve(c));
    socket.once('error', reject);
    socket.on('data', (d: Buffer) => onData(c, d));
    socket.on('close', () => { if (c.busy) errors++; });
  });
}

const conns = await Promise.all(Array.from({ length: spec.connections }, open));
for (const c of conns) c.socket.on('error', () => { errors++; });
idle.push(...conns);

const t0 = nowMs() + 10;
measureFrom = t0 + spec.warmupSeconds * 1000;
measureTo = measureFrom + spec.durationSeconds * 1000;
const total = Math.floor((spec.warmupSeconds + spec.durationSeconds) * spec.rate);
const interval = 1000 / spec.rate;
let due = 0;
let maxLagMs = 0;
let lastTick = t0;
await new Promise<void>((resolve) => {
  const tick = (): void => {
    const now = nowMs();
    if (now >= measureFrom) maxLagMs = Math.max(maxLagMs, now - lastTick - 1);
    lastTick = now;
    for (; due < total && t0 + due * interval <= now; due++) {
      const intended = t0 + due * interval;
      if (intended >= measureFrom && intended < measureTo) inWindow++;
      const c = idle.pop();
      if (c) send(c, intended);
      else { pending.push(intended); queued++; }
    }
    if (due < total) setTimeout(tick, 1);
    else resolve();
  };
  setTimeout(tick, Math.max(0, t0 - nowMs()));
});
// Answers still in flight get a grace of 5 s; what is still unanswered then counts against the run.
for (const deadline = nowMs() + 5000; answeredInWindow < inWindow && nowMs() < deadline;) await new Promise((r) => setTimeout(r, 20));
for (const c of conns) c.socket.destroy();

const buckets = [...histogram].sort((a, b) => a[0] - b[0]);
const quantile = (q: number): number => nearestRank(buckets, q);
const result: OpenLoopResult = {
  statusCodes, sent: due, unanswered: inWindow - answeredInWindow, errors, p50: quantile(0.5), p99: quantile(0.99), p999: quantile(0.999),
  max: buckets.length ? buckets[buckets.length - 1][0] / 100 : NaN, maxLagMs, queued,
  ...(spec.reward && { reward: bodies.counts() }),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
