/**
 * buildApp: plugins, routes and the one error handler. No port is opened here (main.ts does that),
 * so tests drive the app with `app.inject`.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { decisionRoutes } from './api/decisions.js';
import { experimentRoutes } from './api/experiments.js';
import { keyRoutes } from './api/keys.js';
import { ofrepRoutes } from './api/ofrep.js';
import { operationRoutes } from './api/operations.js';
import { ApiError, RETRY_AFTER_SECONDS, storeUnavailable, type ErrorCode } from './errors.js';
import { authPlugin, type AuthMode } from './plugins/auth.js';
import { secureTransform, security, securitySchemes } from './plugins/openapi-security.js';
import { DefaultRewardSweeper } from './service/default-rewards.js';
import { ServiceContext, systemClock, type Clock } from './service/context.js';
import { KeyRing } from './service/keys.js';
import { StoreUnavailableError, type Store } from './store/store.js';

export interface AppOptions {
  store: Store;
  /** The decision-signing secret every replica shares. */
  secret: string;
  /** A pino logger (main.ts), or false for none (tests). */
  logger?: FastifyBaseLogger | false;
  clock?: Clock;
  /** API keys and scopes; default: no configured keys, open while none exists (the loopback quick start). */
  auth?: AuthOptions;
}

export interface AuthOptions {
  /** API_KEYS: `<scope>:<key>,...` (scopes decide, read, admin). */
  apiKeys?: string;
  /** 'keys': always require a key; 'open-when-empty' (default): serve without one while no key exists; 'off': AUTH=off. */
  mode?: AuthMode;
}

export const API_VERSION = '0.1.0';

/** pino loggers answer isLevelEnabled; Fastify's null logger (logger: false) does not. */
type LevelAware = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    requestIdHeader: 'x-request-id',
    // Fastify's two lines per request are replaced by one, at debug for successes (see onResponse).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 8 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  const ctx = new ServiceContext(opts.store, opts.secret, opts.clock);
  const ring = new KeyRing(opts.store, opts.auth?.apiKeys, opts.clock ?? systemClock);
  await ring.start();
  app.addHook('onClose', async () => ring.close());
  // Default rewards (issue 11): every replica sweeps the store's due set; the state is the store's.
  const defaults = new DefaultRewardSweeper(ctx, (err) => app.log.warn({ err }, 'default rewards: sweep failed; the next one retries'));
  defaults.start();
  app.addHook('onClose', async () => defaults.stop());

  app.setValidatorCompiler(validatorCompiler);
  // Responses are plain JSON.stringify: the response schemas document the contract, and validating
  // every response with zod would double the schema work on the hot path.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Bandit decision service', version: API_VERSION, description: 'Multi-armed bandit decisions: select, reward, report. See README.md.' },
      tags: [{ name: 'decisions' }, { name: 'experiments' }, { name: 'report' }, { name: 'operations' }, { name: 'keys' },
        { name: 'openfeature', description: 'OpenFeature remote evaluation (OFREP): any OpenFeature SDK with the OFREP provider is a client.' }],
      components: { securitySchemes },
      security,
    },
    transform: secureTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });
  await app.register(authPlugin, { ring, mode: opts.auth?.mode ?? 'open-when-empty' });

  // Callback-style hooks: an async hook costs a promise and a microtask on every request.
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'info' : 'debug';
    // The line is built only when it is written (successes are at debug, below the default level).
    if ((req.log as LevelAware).isLevelEnabled?.(level) !== false) {
      req.log[level]({ method: req.method, url: req.url, statusCode: reply.statusCode, ms: +reply.elapsedTime.toFixed(2) }, 'request completed');
    }
    done();
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof StoreUnavailableError) {
      req.log.warn({ err: err.message }, 'store unavailable');
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(storeUnavailable().toBody());
    }
    const api = toApiError(err, req.url);
    if (api) {
      if (api.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.code(api.status).send(api.toBody());
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal_error', message: 'the service failed; see its logs for the request id ' + req.id });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(decisionRoutes(ctx));
  await app.register(experimentRoutes(ctx));
  await app.register(operationRoutes(ctx));
  await app.register(keyRoutes(ring));
  await app.register(ofrepRoutes(ctx));
  return app;
}

/** Maps what the app or Fastify threw to the contract's errors; null for a real failure (500). */
function toApiError(err: FastifyError, url: string): ApiError | null {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const issues = err.validation.map((v) => ({ field: `${where}${v.instancePath.replaceAll('/', '.')}`, message: v.message ?? 'invalid' }));
    const code: ErrorCode = url.startsWith('/experiments') && where === 'body' ? 'invalid_config' : 'invalid_request';
    return new ApiError(code, issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues });
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
