/** One HTTP call to the service with a timeout, its errors, and the retry rules shared by reward() and rewards(). */

export interface Transport {
  baseUrl: string;
  apiKey?: string;
  fetch: typeof fetch;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  body: any;
}

/** The service answered with an error the caller must fix (or a 5xx after the retries): status, code and message from the body. */
export class BanditApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(`${status} ${code}: ${message}`);
    this.name = 'BanditApiError';
  }
}

/** No answer: the service could not be reached, or did not answer within the timeout. */
export class BanditNetworkError extends Error {
  constructor(message: string, readonly timeout: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BanditNetworkError';
  }
}

export async function call(t: Transport, method: string, path: string, body: unknown, timeoutMs: number): Promise<HttpReply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (t.apiKey) headers.authorization = `Bearer ${t.apiKey}`;
  try {
    // The signal covers the body too: a server that stalls mid-answer is a timeout as well.
    const res = await t.fetch(t.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? parseJson(text) : null };
  } catch (err) {
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const why = timeout ? `no answer within ${timeoutMs} ms` : (err as Error).message + describeCause(err);
    throw new BanditNetworkError(`${method} ${path}: ${why}`, timeout, { cause: err });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: 'invalid_response', message: text.slice(0, 200) };
  }
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause ? ` (${cause.code ?? cause.message})` : '';
}

/** A non-2xx reply as an error. */
export function apiError(reply: HttpReply): BanditApiError {
  const b = (reply.body ?? {}) as { error?: string; message?: string; details?: unknown };
  return new BanditApiError(reply.status, b.error ?? 'http_error', b.message ?? `HTTP ${reply.status}`, b.details);
}

/** 429, 502, 503, 504: the service (or its store) is busy or down for now, and a retry may succeed. */
export const retryableStatus = (status: number): boolean => status === 429 || status === 502 || status === 503 || status === 504;

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or null. */
export function retryAfterMs(headers: Headers | undefined, nowMs = Date.now()): number | null {
  const v = headers?.get('retry-after');
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export interface RetryPolicy {
  /** Attempts in all, the first included (default 6). */
  attempts: number;
  /** The first backoff; it doubles with each failure (default 200 ms). */
  baseDelayMs: number;
  /** The longest backoff between two attempts (default 5000 ms); a longer Retry-After is still honoured. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 5000 };

/** The wait before retry number `failures` (1, 2, ...): exponential with jitter (half to all of the ceiling), never less than Retry-After. */
export function backoffMs(policy: RetryPolicy, failures: number, retryAfter: number | null, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
  return Math.max(retryAfter ?? 0, Math.round(ceiling * (0.5 + random() / 2)));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
