/**
 * What every route's OpenAPI entry gets besides its own schemas, so the document declares every
 * status that can occur: the ways to send a key (Swagger UI's Authorize button uses them), and the
 * answers that come from the cross-cutting plugins rather than the route:
 *   every route          400 (bad URL, query or body), 414 (path parameter too long), 500, 503
 *   routes with a key    401, 403, 429 (open routes say `security: []`)
 *   POST, PUT, PATCH, DELETE  413 (body too large), 415 (not application/json, or a type Fastify does not parse)
 * A status the route declares itself keeps its own schema.
 */
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { requiredAccess } from './access.js';

export const securitySchemes = {
  bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
} as const;
export const security: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

const errorBody = (description: string) => ({
  description,
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, details: {} },
  required: ['error', 'message'],
  additionalProperties: false,
});

const EVERY_ROUTE = {
  400: 'invalid_request / invalid_json: a malformed URL, query or body',
  414: 'uri_too_long: a path parameter over 100 characters',
  500: 'internal_error: the service failed (never for bad input); the message names the request id',
  503: 'store_unavailable (with Retry-After), or shutting down',
};
const WITH_KEY = {
  401: 'unauthorized: no key, or an unknown or revoked one',
  403: "forbidden: the key's scope does not allow this route",
  429: 'rate_limited (with Retry-After): over RATE_LIMIT requests per second for this key',
};
const WITH_BODY = {
  413: 'payload_too_large: the body is over the limit',
  415: 'unsupported_media_type: the body must be application/json',
};

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

export function documentTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(input);
  const method = [input.route.method].flat()[0] as string;
  const access = (input.route.config as { access?: string } | undefined)?.access ?? requiredAccess(method, input.url);
  const schema = out.schema as Record<string, unknown> & { response?: Record<string, unknown> };
  const extra: Record<string, string> = {
    ...EVERY_ROUTE,
    ...(access !== 'open' && WITH_KEY),
    ...(['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) && WITH_BODY), // Fastify parses a DELETE body too
  };
  const response: Record<string, unknown> = { ...schema.response };
  for (const [status, description] of Object.entries(extra)) response[status] ??= errorBody(description);
  // Errors as a `content` map: always application/json, also on routes that produce text (/metrics, the NDJSON export).
  for (const [status, body] of Object.entries(response)) {
    if (Number(status) >= 400 && !(body as { content?: unknown }).content) {
      response[status] = { description: (body as { description?: string }).description ?? 'error', content: { 'application/json': { schema: body } } };
    }
  }
  return { ...out, schema: { ...schema, response, ...(access === 'open' && { security: [] }) } };
}
