/**
 * The per-request work every route shares, as plain Fastify hooks (callback style: an async hook
 * costs a promise and a microtask on every request):
 *
 * - onRequest: `x-request-id` on the answer, then one hook per check that other plugins add with
 *   `app.requestCheck(check)` (draining, auth, content type, the secret gate), in Fastify's hook
 *   order, which is the order app.ts registers those plugins. A check returns an error to answer
 *   with (the error handler shapes it), nothing to go on, or a promise of either (only when it
 *   must ask the store). The rate limiter (@fastify/rate-limit) keeps its own route-level hook,
 *   which runs after these (it needs the key).
 * - onResponse: the request's log line (method, url, status, ms, and an error answer's code; the
 *   request id is in the request logger's bindings): successes at debug, client errors at info,
 *   failures at error, probes at debug; then one hook per step added with `app.responseStep(step)`
 *   (metrics). Fastify's own request lines are off (app.ts), so this is the one line per request.
 *
 * These replaced a hand-written runner of the checks inside one onRequest hook (issue 26): Fastify's
 * hooks cost +0.4 to +1.3 µs CPU per request (3 runs; GET /experiments/:id, median of 2,000
 * alternated blocks, ±0.2-0.3; /select and /reward within their ±0.5-8 µs), bench/RESULTS.md.
 *
 * The request logger is lazy: Fastify builds a pino child per request even when nothing logs; here
 * the child is built on the first line written at an enabled level, with the same bindings, so a
 * request that logs nothing at the configured level costs no child. Measured: a pino 9.14 child
 * costs 0.44-0.68 µs CPU (5 rounds of 10^6 `child({reqId})`, 2026-12-08, loaded machine), 1-2% of
 * the 35 µs server CPU of a /select on the memory store (bench/RESULTS.md); kept for that.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export type RequestCheck = (req: FastifyRequest, reply: FastifyReply) => Error | undefined | Promise<Error | undefined>;
export type ResponseStep = (req: FastifyRequest, reply: FastifyReply, elapsedMs: number) => void;

declare module 'fastify' {
  interface FastifyInstance {
    /** Adds a check as an onRequest hook of this instance (after those added before it). */
    requestCheck(check: RequestCheck): void;
    /** Adds a step as an onResponse hook of this instance. */
    responseStep(step: ResponseStep): void;
  }
  interface FastifyReply {
    /** The contract's error code of an error answer (set by the error handlers), logged on the request's line. */
    errorCode: string | null;
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
type Level = (typeof LEVELS)[number];
type LevelAware = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

/** A request's logger that builds its pino child on the first line written at an enabled level. */
class LazyChild {
  #child: FastifyBaseLogger | undefined;
  constructor(private readonly parent: LevelAware, private readonly bindings: Record<string, unknown>) {}
  real(): FastifyBaseLogger { return (this.#child ??= this.parent.child(this.bindings)); }
  get level(): string { return this.#child?.level ?? this.parent.level; }
  set level(level: string) { this.real().level = level; }
  isLevelEnabled(level: string): boolean { return this.#child ? (this.#child as LevelAware).isLevelEnabled(level) : this.parent.isLevelEnabled(level); }
  child(bindings: Record<string, unknown>, opts?: object): FastifyBaseLogger { return this.real().child(bindings, opts); }
  silent(): void {}
}
interface LazyChild extends Record<Level, (...args: unknown[]) => void> {}
for (const level of LEVELS) {
  LazyChild.prototype[level] = function (this: LazyChild, ...args: unknown[]) {
    if (this.isLevelEnabled(level)) (this.real() as unknown as Record<Level, (...a: unknown[]) => void>)[level](...args);
  };
}

function requestLogLevel(req: FastifyRequest, status: number): Level {
  const url = req.routeOptions.url;
  // Probes log at debug: a Redis outage is logged once per change (main.ts), not once per probe.
  if (url === '/ready' || url === '/health') return 'debug';
  return status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
}

const plugin: FastifyPluginAsync = async (app) => {

  app.setChildLoggerFactory((logger, bindings, opts) => {
    const aware = logger as Partial<LevelAware>;
    // Fastify's null logger (logger: false) and route-level levels or serializers: a child as Fastify makes it.
    if (typeof aware.isLevelEnabled !== 'function' || opts.level !== undefined || opts.serializers !== undefined) return logger.child(bindings, opts);
    return new LazyChild(aware as LevelAware, bindings) as unknown as FastifyBaseLogger;
  });

  // Each check is its own onRequest hook, in callback style (an async hook costs a promise and a microtask on every request).
  app.decorate('requestCheck', function (this: FastifyInstance, check: RequestCheck) {
    this.addHook('onRequest', (req, reply, done) => {
      let out: ReturnType<RequestCheck>;
      try {
        out = check(req, reply);
      } catch (err) {
        return done(err as Error);
      }
      if (out === undefined || out instanceof Error) return done(out);
      out.then((err) => done(err), done);
    });
  });
  app.decorate('responseStep', function (this: FastifyInstance, step: ResponseStep) {
    this.addHook('onResponse', (req, reply, done) => { step(req, reply, reply.elapsedTime); done(); });
  });
  app.decorateReply('errorCode', null);
  app.addHook('onRequest', (req, reply, done) => { reply.header('x-request-id', req.id); done(); });

  app.addHook('onResponse', (req, reply, done) => {
    const ms = reply.elapsedTime;
    const level = requestLogLevel(req, reply.statusCode);
    // The line is built only when it is written (successes are at debug, below the default level).
    if ((req.log as Partial<LevelAware>).isLevelEnabled?.(level) !== false) {
      const line = { method: req.method, url: req.url, statusCode: reply.statusCode, ms: +ms.toFixed(2) };
      req.log[level](reply.errorCode === null ? line : { ...line, error: reply.errorCode }, 'request completed');
    }
    done();
  });
};

export const requestPipelinePlugin = fp(plugin, { name: 'bandit-request-pipeline' });
