/**
 * Batched rewards: add() queues an event and returns at once; the queue is sent to POST /rewards
 * every flush interval (or as soon as a batch is full), in batches of at most 1000. Events the
 * service could not store (a 503 for the batch or for the event, a timeout, a network error) go
 * back to the front of the queue and are sent again after a backoff that honours Retry-After:
 * safe, because a reward counts once per decision. The queue is bounded; close() sends what is
 * left on shutdown.
 */
import { apiError, BanditNetworkError, backoffMs, DEFAULT_RETRY, retryableStatus, retryAfterMs, sleep, type HttpReply, type RetryPolicy } from './http.js';
import type { RewardBatchResult, RewardEvent } from './types.js';

export interface RewardBatcherOptions {
  /** Send at least this often while events are queued (default 1000 ms). */
  flushIntervalMs?: number;
  /** Events per POST /rewards (default 500, at most 1000); a full batch is sent at once. */
  batchSize?: number;
  /** The most events kept waiting (default 10000); add() drops the event and returns false beyond it. */
  maxQueue?: number;
  /** How long close() keeps trying to send what is left (default 10000 ms). */
  closeTimeoutMs?: number;
  /** Also send what is left when the process is about to exit on its own (`beforeExit`; default true). */
  flushOnExit?: boolean;
  retry?: RetryPolicy;
  /** An event the service refused for good (a 4xx: invalid, unknown or expired decision), or dropped because the queue was full. */
  onError?: (event: RewardEvent, error: { status?: number; error: string; message: string }) => void;
}

export interface RewardBatchStats {
  accepted: number;
  duplicates: number;
  /** Refused by the service for good (4xx), each reported to onError. */
  rejected: number;
  /** Dropped by add() because the queue was full. */
  dropped: number;
  /** Still queued (after close(): the events that could not be sent before its timeout). */
  queued: number;
}

type Send = (events: RewardEvent[]) => Promise<HttpReply>;

export class RewardBatcher {
  private queue: RewardEvent[] = [];
  private readonly counts = { accepted: 0, duplicates: 0, rejected: 0, dropped: 0 };
  private inflight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private notBefore = 0;
  private closed = false;
  private readonly o: Required<Omit<RewardBatcherOptions, 'onError'>> & Pick<RewardBatcherOptions, 'onError'>;
  private readonly onExit = (): void => void this.close();

  constructor(private readonly send: Send, opts: RewardBatcherOptions = {}) {
    this.o = {
      flushIntervalMs: 1000, batchSize: 500, maxQueue: 10_000, closeTimeoutMs: 10_000, flushOnExit: true, retry: DEFAULT_RETRY, ...opts,
    };
    this.o.batchSize = Math.min(Math.max(1, this.o.batchSize), 1000);
  }

  /** Queues one event; false (and onError) when the queue is full or the batcher is closed. */
  add(event: RewardEvent): boolean {
    if (this.closed || this.queue.length >= this.o.maxQueue) {
      this.counts.dropped++;
      this.o.onError?.(event, { error: 'dropped', message: this.closed ? 'the batcher is closed' : `the reward queue is full (${this.o.maxQueue} events)` });
      return false;
    }
    this.queue.push(event);
    this.start();
    if (this.queue.length >= this.o.batchSize) void this.kick();
    return true;
  }

  get stats(): RewardBatchStats {
    return { ...this.counts, queued: this.queue.length };
  }

  /** Sends everything queued, waiting out backoffs, for at most `timeoutMs`; resolves when the queue is empty or the time is up. */
  async flush(timeoutMs = this.o.closeTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 || this.inflight) {
      await this.kick();
      const wait = Math.min(this.notBefore, deadline) - Date.now();
      if (this.queue.length === 0 || Date.now() >= deadline) break;
      if (wait > 0) await sleep(wait);
    }
  }

  /** Stops the timer, sends what is left (for at most closeTimeoutMs) and returns the counts. add() refuses from now on. */
  async close(): Promise<RewardBatchStats> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    process.off('beforeExit', this.onExit);
    await this.flush();
    return this.stats;
  }

  private start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.kick(), this.o.flushIntervalMs);
    this.timer.unref(); // a queue alone does not keep the process alive: beforeExit sends it
    if (this.o.flushOnExit) process.once('beforeExit', this.onExit);
  }

  /** One drain at a time: sends batches until the queue is empty or a batch fails (then waits for notBefore). */
  private kick(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (Date.now() < this.notBefore || this.queue.length === 0) return Promise.resolve();
    this.inflight = this.drain().finally(() => { this.inflight = null; });
    return this.inflight;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && (await this.sendBatch()));
  }

  /** True when every event of the batch got its final answer. */
  private async sendBatch(): Promise<boolean> {
    const batch = this.queue.splice(0, this.o.batchSize);
    let reply: HttpReply;
    try {
      reply = await this.send(batch);
    } catch (err) {
      if (!(err instanceof BanditNetworkError)) throw err;
      return this.retryLater(batch, null);
    }
    if (retryableStatus(reply.status)) return this.retryLater(batch, reply.headers);
    if (reply.status !== 200) {
      // The whole batch refused (401, 403, 400): no retry can help.
      const e = apiError(reply);
      for (const ev of batch) this.reject(ev, { status: reply.status, error: e.code, message: e.message });
      return true;
    }
    const results = reply.body?.results as RewardBatchResult[] | undefined;
    // Not the answer the contract promises (a proxy's page, a cut body): nothing is known stored, so send again.
    if (!Array.isArray(results) || results.length !== batch.length) return this.retryLater(batch, null);
    const again: RewardEvent[] = [];
    results.forEach((r, i) => {
      if (r.status === 200) this.counts[r.duplicate ? 'duplicates' : 'accepted']++;
      else if (retryableStatus(r.status)) again.push(batch[i]);
      else this.reject(batch[i], { status: r.status, error: r.error ?? 'http_error', message: r.message ?? `status ${r.status}` });
    });
    if (again.length > 0) return this.retryLater(again, reply.headers);
    this.failures = 0;
    return true;
  }

  private retryLater(events: RewardEvent[], headers: Headers | null): false {
    this.queue.unshift(...events);
    this.failures++;
    this.notBefore = Date.now() + backoffMs(this.o.retry, Math.min(this.failures, 30), retryAfterMs(headers ?? undefined));
    return false;
  }

  private reject(event: RewardEvent, error: { status?: number; error: string; message: string }): void {
    this.counts.rejected++;
    this.o.onError?.(event, error);
  }
}
