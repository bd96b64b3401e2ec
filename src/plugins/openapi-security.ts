/**
 * The OpenAPI side of auth: the two ways to send a key (so Swagger UI's Authorize button sends
 * one), and on every route that needs a key its 401/403/429 answers; open routes say `security: []`.
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
});

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

export function secureTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(input);
  const method = [input.route.method].flat()[0] as string;
  const access = (input.route.config as { access?: string } | undefined)?.access ?? requiredAccess(method, input.url);
  const schema = out.schema as Record<string, unknown> & { response?: Record<string, unknown> };
  if (access === 'open') return { ...out, schema: { ...schema, security: [] } };
  const e401 = errorBody('unauthorized: no key, or an unknown or revoked one');
  const e403 = errorBody(`forbidden: the key's scope does not allow this route (needs ${access})`);
  return { ...out, schema: { ...schema, response: { ...schema.response, 401: e401, 403: e403 } } };
}
