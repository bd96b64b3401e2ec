/**
 * BanditClient: the service's typed client. select() never fails the caller's request because of
 * the bandit: it fails open, every failure (a timeout, a network error, any answer but a decision:
 * a 5xx, a 429, a 404 after the store lost the experiment, a 401 of a revoked key) gives the
 * caller's default arm, marked as a fallback with its reason; reward() retries what may succeed later (safe: rewards are exactly-once per decision);
 * `rewards` batches; the admin calls are typed from the same schemas as the server.
 */
import { apiError, BanditNetworkError, backoffMs, call, DEFAULT_RETRY, retryableStatus, retryAfterMs, sleep, type HttpReply, type RetryPolicy, type Transport } from './http.js';
import { RewardBatcher, type RewardBatcherOptions } from './reward-batcher.js';
import type { CreateExperimentRequest, Decision, Experiment, FallbackDecision, Layer, PatchExperimentRequest, Report, RewardEvent, RewardResult } from './types.js';

export interface BanditClientOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** select()'s default budget (default 300 ms): past it the caller's default arm is served. */
  selectTimeoutMs?: number;
  /** Per attempt, for reward(), rewards and the admin calls (default 5000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Options of `rewards`, the batcher. */
  batch?: RewardBatcherOptions;
  /** Called for every fallback decision, e.g. to log or count it. */
  onFallback?: (d: FallbackDecision) => void;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

export interface SelectOptions {
  userId?: string;
  context?: Record<string, unknown>;
  /** The arm to serve when the service cannot answer: its id, or its id and payload. */
  default: string | { armId: string; payload?: unknown };
  timeoutMs?: number;
}

export class BanditClient {
  /** Batched rewards: `add()` now, sent every flush interval; `close()` on shutdown sends what is left. */
  readonly rewards: RewardBatcher;
  private readonly transport: Transport;
  private readonly selectTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(private readonly opts: BanditClientOptions) {
    this.transport = { baseUrl: opts.baseUrl.replace(/\/+$/, ''), apiKey: opts.apiKey, fetch: opts.fetch ?? globalThis.fetch };
    this.selectTimeoutMs = opts.selectTimeoutMs ?? 300;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.rewards = new RewardBatcher((events) => this.send('POST', '/rewards', { events }), { retry: this.retry, ...opts.batch });
  }

  /** A decision, or on any failure the default arm as a FallbackDecision with its reason: never throws. */
  async select(experimentId: string, o: SelectOptions): Promise<Decision> {
    const body = { experimentId, ...(o.userId !== undefined && { userId: o.userId }), ...(o.context !== undefined && { context: o.context }) };
    let reply: HttpReply;
    try {
      reply = await call(this.transport, 'POST', '/select', body, o.timeoutMs ?? this.selectTimeoutMs);
    } catch (err) {
      const e = err as BanditNetworkError;
      return this.fallback(experimentId, o, e.timeout ? 'timeout' : 'network', e.message);
    }
    if (reply.status === 200 && typeof reply.body?.decisionId === 'string') return reply.body as Decision;
    if (reply.status === 200) return this.fallback(experimentId, o, 'server_error', 'POST /select: 200 without a decision in the body');
    const err = apiError(reply);
    return this.fallback(experimentId, o, fallbackReasonOf(reply.status), err.message, { status: reply.status, code: err.code });
  }

  /** Reports one outcome, retrying 429/502/503/504, timeouts and network errors with backoff and Retry-After. */
  async reward(event: RewardEvent): Promise<RewardResult> {
    for (let failures = 1; ; failures++) {
      let reply: HttpReply | null = null;
      let failure: Error;
      try {
        reply = await call(this.transport, 'POST', '/reward', event, this.timeoutMs);
        if (reply.status === 200) return reply.body as RewardResult;
        failure = apiError(reply);
        if (!retryableStatus(reply.status)) throw failure;
      } catch (err) {
        if (!(err instanceof BanditNetworkError)) throw err;
        failure = err;
      }
      if (failures >= this.retry.attempts) throw failure;
      await sleep(backoffMs(this.retry, failures, retryAfterMs(reply?.headers)));
    }
  }

  // The admin calls: typed, one attempt each, any non-2xx thrown as BanditApiError.
  createExperiment(body: CreateExperimentRequest): Promise<Experiment> { return this.json('POST', '/experiments', body); }
  async listExperiments(): Promise<Experiment[]> { return (await this.json<{ experiments: Experiment[] }>('GET', '/experiments')).experiments; }
  getExperiment(id: string): Promise<Experiment> { return this.json('GET', `/experiments/${enc(id)}`); }
  updateExperiment(id: string, patch: PatchExperimentRequest): Promise<Experiment> { return this.json('PATCH', `/experiments/${enc(id)}`, patch); }
  disableArm(id: string, armId: string, reason?: string): Promise<Experiment> {
    return this.json('POST', `/experiments/${enc(id)}/arms/${enc(armId)}/disable`, reason === undefined ? {} : { reason });
  }
  enableArm(id: string, armId: string): Promise<Experiment> { return this.json('POST', `/experiments/${enc(id)}/arms/${enc(armId)}/enable`, {}); }
  /** A layer's live experiments and free ranges (read scope). */
  getLayer(id: string): Promise<Layer> { return this.json('GET', `/layers/${enc(id)}`); }
  report(experimentId: string): Promise<Report> { return this.json('GET', `/arms?experimentId=${enc(experimentId)}`); }
  /** True when the service and its store answer (GET /ready). */
  async ready(): Promise<boolean> { return (await this.send('GET', '/ready').catch(() => null))?.status === 200; }

  /** Sends the queued rewards and stops the batcher: call it on shutdown. */
  close(): ReturnType<RewardBatcher['close']> { return this.rewards.close(); }

  private fallback(experimentId: string, o: SelectOptions, reason: FallbackDecision['fallbackReason'], error: string, answer?: { status: number; code: string }): FallbackDecision {
    const def = typeof o.default === 'string' ? { armId: o.default } : o.default;
    const d: FallbackDecision = {
      decisionId: null, experimentId, armId: def.armId, payload: def.payload ?? null,
      population: 'excluded', sticky: false, propensity: 1, fallback: true, fallbackReason: reason, error,
      ...(answer && { status: answer.status, errorCode: answer.code }),
    };
    this.opts.onFallback?.(d);
    return d;
  }

  private send(method: string, path: string, body?: unknown): Promise<HttpReply> { return call(this.transport, method, path, body, this.timeoutMs); }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await this.send(method, path, body);
    if (reply.status < 200 || reply.status >= 300) throw apiError(reply);
    return reply.body as T;
  }
}

const enc = encodeURIComponent;

function fallbackReasonOf(status: number): FallbackDecision['fallbackReason'] {
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'not_found';
  if (status === 401 || status === 403) return 'unauthorized';
  return status >= 500 ? 'server_error' : 'rejected';
}
