/**
 * buildApp: plugins, routes and the one error handler. No port is opened here (main.ts does that),
 * so tests drive the app with `app.inject`.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { decisionRoutes } from './api/decisions.js';
import { signalRoutes } from './api/signals.js';
import { eventRoutes } from './api/events.js';
import { experimentRoutes } from './api/experiments.js';
import { layerRoutes } from './api/layers.js';
import { historyRoutes } from './api/history.js';
import { keyRoutes } from './api/keys.js';
import { lifecycleRoutes } from './api/lifecycle.js';
import { ofrepRoutes } from './api/ofrep.js';
import { operationRoutes } from './api/operations.js';
import { dashboardPlugin } from './plugins/dashboard.js';
import { metricsPlugin } from './plugins/metrics.js';
import { ApiError, invalid, RETRY_AFTER_SECONDS, storeUnavailable, type ErrorCode } from './errors.js';
import { toIssues } from './contract/issues.js';
import { authPlugin, type AuthMode } from './plugins/auth.js';
import { drainingPlugin } from './plugins/draining.js';
import { DefaultRewardSweeper } from './jobs/default-reward-sweeper.js';
import { registerHardening, registerHtmlRoutes } from './plugins/http-hardening.js';
import { registerJsonBody } from './plugins/json-body.js';
import { DEFAULT_BODY_LIMIT_BYTES, frameworkErrors, registerRouteLimits } from './plugins/limits.js';
import { registerRateLimit, type RateLimitOptions } from './plugins/rate-limit.js';
import { decisionBudgetPlugin } from './plugins/decision-budget.js';
import { capConnectionsPerAddress, DEFAULT_CONNECTION_LIMITS, serverOptions, type ConnectionLimits } from './plugins/connections.js';
import { requestPipelinePlugin } from './plugins/request-pipeline.js';
import { jobsPlugin, type Job } from './plugins/jobs.js';
import { documentTransform, security, securitySchemes } from './plugins/openapi-transform.js';
import { ServiceContext, systemClock, type Clock } from './service/context.js';
import { KeyRing } from './service/keys.js';
import { SecretKeeper, type SecretState } from './jobs/secret-keeper.js';
import { secretGatePlugin } from './plugins/secret-gate.js';
import { HistoryWriter } from './jobs/history-writer.js';
import { LogIndexer } from './jobs/log-indexer.js';
import type { HistorySettings } from './service/history.js';
import { StoreUnavailableError, type Store } from './store/store.js';

export interface AppOptions {
  store: Store;
  /** The decision-signing secret every replica shares; omitted: the one the store keeps (service/secret-keeper.ts). */
  secret?: string;
  /** A pino logger (main.ts), or false for none (tests). */
  logger?: FastifyBaseLogger | false;
  clock?: Clock;
  /** History interval and retention (defaults: 60 s, 7 days); `writer` runs the history writer (main.ts: on; default off, for tests). */
  history?: Partial<HistorySettings> & { writer?: boolean };
  /** API keys and scopes; default: no configured keys, open while none exists (the loopback quick start). */
  auth?: AuthOptions;
  /** Per-key (or, in open mode, per-address) requests per second; default: off. */
  rateLimit?: RateLimitOptions;
  /** Origins allowed by CORS; default: none (CORS off). */
  corsOrigins?: string[];
  /** The largest request body accepted (413 above); default 2 MiB. /select and /reward accept less. */
  bodyLimitBytes?: number;
  /** The most experiments the store may hold (409 too_many_experiments beyond); default 1000. */
  maxExperiments?: number;
  /** Header, body and keep-alive timeouts and the per-address connection cap (plugins/connections.ts); each defaults. */
  connections?: Partial<ConnectionLimits>;
}

export interface AuthOptions {
  /** API_KEYS: `<scope>:<key>,...` (scopes decide, read, admin). */
  apiKeys?: string;
  /** 'keys': always require a key; 'open-when-empty' (default): serve without one while no key exists; 'off': AUTH=off. */
  mode?: AuthMode;
}

export const API_VERSION = '0.1.0';

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.connections };
  const app = Fastify({
    ...serverOptions(limits),
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    requestIdHeader: 'x-request-id',
    // Fastify's two lines per request are replaced by one, at debug for successes (see onResponse).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    frameworkErrors,
    // Requests on open connections during close are served (with Connection: close), not refused with Fastify's own 503.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  capConnectionsPerAddress(app.server, limits.maxPerAddress, refusedLog(app.log, limits.maxPerAddress));
  // Without a configured secret, a placeholder that is replaced (and never used: see secret-gate.ts) once the store's is read.
  const ctx = new ServiceContext(opts.store, opts.secret ?? randomUUID(), opts.clock);
  const keeper = opts.secret === undefined ? new SecretKeeper(opts.store, ctx, (s) => logSecretState(app.log, s)) : null;
  if (opts.maxExperiments !== undefined) ctx.maxExperiments = opts.maxExperiments;
  const ring = new KeyRing(opts.store, opts.auth?.apiKeys, opts.clock ?? systemClock);
  // The background jobs (plugins/jobs.ts starts and stops them). A store that is down is logged once
  // per change by main.ts, so the jobs log only other failures.
  const failed = (what: string) => (err: unknown) => (err instanceof StoreUnavailableError ? undefined : app.log.warn({ err }, `${what}; the next one retries`));
  const jobs: Job[] = [
    { start: () => ring.start(), stop: () => ring.close() },
    // Default rewards (issue 11): every replica sweeps the store's due set; the state is the store's.
    new DefaultRewardSweeper(ctx, failed('default rewards: sweep failed')),
    // The Redis log's per-type index, kept current by every replica (issue 19); the other stores index as they write.
    ...(LogIndexer.needed(opts.store) ? [new LogIndexer(opts.store, failed('event log index: a pass failed'))] : []),
    // The secret is read before the app is ready (as when it was checked at build), then every second.
    ...(keeper ? [{ start: async () => { await keeper.check().catch(() => {}); keeper.start(); }, stop: () => keeper.stop() }] : []),
  ];

  app.setValidatorCompiler(validatorCompiler);
  registerJsonBody(app);
  registerRouteLimits(app);
  // Responses are plain JSON.stringify: the response schemas document the contract, and validating
  // every response with zod would double the schema work on the hot path.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Bandit decision service', version: API_VERSION, description: 'Multi-armed bandit decisions: select, reward, report. See README.md.' },
      tags: [{ name: 'decisions' }, { name: 'experiments' }, { name: 'report' }, { name: 'operations' }, { name: 'keys' }, { name: 'events' },
        { name: 'openfeature', description: 'OpenFeature remote evaluation (OFREP): any OpenFeature SDK with the OFREP provider is a client.' }],
      components: { securitySchemes },
      security,
    },
    transform: documentTransform,
  });
  await registerHtmlRoutes(app, async (html) => {
    await html.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true }, staticCSP: true });
    await html.register(dashboardPlugin);
  });
  // The hooks of every route: x-request-id, the plugins' checks (one onRequest hook each, in the order
  // they are registered below), the request's log line and metrics (plugins/request-pipeline.ts).
  await app.register(requestPipelinePlugin);
  await app.register(drainingPlugin); // first: every answer while draining closes its connection
  await app.register(authPlugin, { ring, mode: opts.auth?.mode ?? 'open-when-empty', now: () => ctx.clock.now() });
  await registerRateLimit(app, opts.rateLimit); // after auth: limits are per key
  await app.register(decisionBudgetPlugin, { perSecond: opts.rateLimit?.perSecond ?? 0, now: () => ctx.clock.now() });
  await registerHardening(app, { corsOrigins: opts.corsOrigins });
  if (keeper) await app.register(secretGatePlugin, { keeper });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof StoreUnavailableError) {
      reply.errorCode = 'store_unavailable';
      req.log.debug({ err: err.message }, 'store unavailable'); // the cause is logged once per change (main.ts)
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(storeUnavailable().toBody());
    }
    const api = toApiError(err, req);
    if (api) {
      reply.errorCode = api.code;
      if (api.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.code(api.status).send(api.toBody());
    }
    req.log.error({ err }, 'unhandled error');
    reply.errorCode = 'internal_error';
    return reply.code(500).send({ error: 'internal_error', message: 'the service failed; see its logs for the request id ' + req.id });
  });
  app.setNotFoundHandler((req, reply) => { reply.errorCode = 'not_found'; return reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }); });

  await app.register(metricsPlugin(ctx));
  await app.register(decisionRoutes(ctx));
  await app.register(signalRoutes(ctx));
  await app.register(experimentRoutes(ctx));
  await app.register(layerRoutes(ctx));
  await app.register(lifecycleRoutes(ctx));
  await app.register(operationRoutes(ctx));
  await app.register(keyRoutes(ring, (opts.auth?.mode ?? 'open-when-empty') === 'open-when-empty'));
  await app.register(ofrepRoutes(ctx));
  const history: HistorySettings = { intervalSeconds: opts.history?.intervalSeconds ?? 60, retentionSeconds: opts.history?.retentionSeconds ?? 7 * 86_400 };
  await app.register(historyRoutes(ctx, history));
  if (opts.history?.writer) {
    // A store that is down is logged once per change by main.ts; here only the missed interval, at debug.
    jobs.push(new HistoryWriter(ctx, history, (err) => (err instanceof StoreUnavailableError
      ? app.log.debug({ err: err.message }, 'history: store unavailable, this interval stays a gap')
      : app.log.warn({ err }, 'history: could not write this interval\'s points'))));
  }
  await app.register(eventRoutes(ctx));
  await app.register(jobsPlugin, { jobs });
  return app;
}

/** At most one line per address per minute about the connections refused past the cap. */
function refusedLog(log: FastifyBaseLogger, max: number): (address: string) => void {
  const last = new Map<string, number>();
  return (address) => {
    const now = Date.now();
    if (now - (last.get(address) ?? 0) < 60_000) return;
    if (last.size > 1000) last.clear();
    last.set(address, now);
    log.warn({ address, maxPerAddress: max }, 'connections from one address over the cap: closing the extra ones (MAX_CONNECTIONS_PER_ADDRESS)');
  };
}

function logSecretState(log: FastifyBaseLogger, s: SecretState): void {
  if (s === 'ok') log.info('decision secret read from the store (shared by every replica)');
  else if (s === 'mismatch') log.error('the store holds another decision secret than this replica: not ready, decisions refused; restart it or set DECISION_SECRET');
}

/** The routes whose body is an experiment's settings: POST /experiments, PATCH /experiments/:id. */
const CONFIG_BODY = /^\/experiments(\/[^/?]+)?(\?|$)/;

/** Maps what the app or Fastify threw to the contract's errors; null for a real failure (500). */
function toApiError(err: FastifyError, { url, body, query }: { url: string; body: unknown; query: unknown }): ApiError | null {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const raw = err.validation.map((v) => ({ path: v.instancePath.split('/').filter(Boolean), code: v.keyword, message: v.message ?? 'invalid', keys: (v.params as { keys?: string[] }).keys }));
    const input = where === 'body' ? body : where === 'querystring' ? query : undefined;
    // An experiment's settings (POST /experiments, PATCH /experiments/:id) are a config; other bodies under it (evaluate, promote, disable) are requests.
    return invalid(CONFIG_BODY.test(url) && where === 'body' ? 'invalid_config' : 'invalid_request', toIssues(raw, input));
  }
  const byFastifyCode: Record<string, ErrorCode> = {
    FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
    FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  };
  const code = byFastifyCode[err.code];
  if (code) return new ApiError(code, err.message);
  // Any other client error Fastify raises (a bad URL, a malformed header) is the client's to fix.
  const clientError = err instanceof SyntaxError || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500);
  return clientError ? new ApiError('invalid_request', err.message) : null;
}
