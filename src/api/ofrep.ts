/**
 * OpenFeature remote evaluation (OFREP) routes: single and bulk flag evaluation. Their errors take
 * the protocol's shape `{key, errorCode, errorDetails}`, from this plugin's own error handler;
 * what it does not map (401, 403, 429, 413, a real failure) goes on to the app's one handler.
 */
import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError, RETRY_AFTER_SECONDS } from '../errors.js';
import type { ServiceContext } from '../service/context.js';
import { evaluateFlag, evaluateFlags } from '../service/ofrep.js';
import { StoreUnavailableError } from '../store/store.js';
import { OfrepBulkFailure, OfrepBulkSuccess, OfrepFailure, OfrepRequest, OfrepSuccess, type OfrepErrorCode } from '../contract/ofrep.js';
import { NotModified, OfrepBulkHeaders, OfrepFlagParams } from './ofrep-schemas.js';

export const ofrepRoutes = (ctx: ServiceContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['openfeature'];
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const failure = toOfrepFailure(err);
    if (!failure) throw err;
    if (failure.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    const key = (req.params as { experimentId?: string }).experimentId;
    const body = { errorCode: failure.errorCode, errorDetails: failure.errorDetails };
    return reply.code(failure.status).send(key === undefined ? body : { key, ...body });
  });

  app.post('/ofrep/v1/evaluate/flags/:experimentId', {
    schema: {
      tags, summary: 'OFREP: evaluate one flag (an experiment) for a context; a decision, as /select makes it',
      params: OfrepFlagParams, body: OfrepRequest,
      response: { 200: OfrepSuccess, 400: OfrepFailure, 404: OfrepFailure, 503: OfrepFailure },
    },
  }, async (req) => evaluateFlag(ctx, req.params.experimentId, req.body.context));

  app.post('/ofrep/v1/evaluate/flags', {
    schema: {
      tags, summary: 'OFREP: evaluate every active experiment for a context (ETag / If-None-Match: 304 while nothing changed)',
      headers: OfrepBulkHeaders, body: OfrepRequest,
      response: { 200: OfrepBulkSuccess, 304: NotModified, 400: OfrepBulkFailure, 503: OfrepBulkFailure },
    },
  }, async (req, reply) => {
    const res = await evaluateFlags(ctx, req.body.context ?? {}, req.headers['if-none-match'], (n) => req.spendDecisions(n));
    reply.header('etag', res.etag);
    if (res.notModified) return reply.code(304).removeHeader('content-type').send(undefined);
    return { flags: res.flags };
  });
};

interface OfrepFailureReply { status: 400 | 404 | 503; errorCode: OfrepErrorCode; errorDetails: string }

function toOfrepFailure(err: FastifyError): OfrepFailureReply | null {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const details = err.validation.map((v) => `${[where, ...v.instancePath.split('/').filter(Boolean)].join('.')}: ${v.message ?? 'invalid'}`).join('; ');
    return { status: 400, errorCode: 'INVALID_CONTEXT', errorDetails: details };
  }
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
    return { status: 400, errorCode: 'PARSE_ERROR', errorDetails: err.message };
  }
  if (err instanceof ApiError && err.code === 'experiment_not_found') return { status: 404, errorCode: 'FLAG_NOT_FOUND', errorDetails: err.message };
  // Issue 23: a contextual flag's declared numeric feature that is not a number.
  if (err instanceof ApiError && err.code === 'invalid_request') return { status: 400, errorCode: 'INVALID_CONTEXT', errorDetails: err.message };
  if (err instanceof StoreUnavailableError || (err instanceof ApiError && err.code === 'store_unavailable')) {
    return { status: 503, errorCode: 'GENERAL', errorDetails: `the store could not be reached in time; retry later: ${err.message}` };
  }
  return null;
}
