/**
 * Validates every real response of the test apps against the COMMITTED openapi/openapi.json (ajv):
 * the status must be declared for the route, a JSON body must match the declared schema, and every
 * answer carries `x-request-id`. makeTestApp attaches it to every app it builds, so every API suite
 * is checked, and `contract-setup.ts` (a vitest setup file) fails the test that produced a violation.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

interface Operation { responses: Record<string, { content?: Record<string, { schema?: object }> }> }
const spec = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Operation>> };
const ajv = new Ajv({ strict: false, allErrors: false });
addFormats.default(ajv); // ajv-formats is CommonJS: its function is the default export's `default`
const compiled = new Map<string, ValidateFunction>();
const violations: string[] = [];

/** The violations seen since the last call (and forgets them). */
export function drainViolations(): string[] {
  return violations.splice(0);
}

const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function validatorFor(key: string, schema: object): ValidateFunction {
  let v = compiled.get(key);
  if (!v) compiled.set(key, (v = ajv.compile(schema)));
  return v;
}

/** Checks one response; returns what is wrong with it, or null. Routes the document hides (e.g. /docs) are not checked. */
export function checkResponse(method: string, routeUrl: string | undefined, status: number, contentType: string, body: string, requestId: unknown): string | null {
  if (requestId === undefined) return `${method} ${routeUrl}: ${status} without x-request-id`;
  if (routeUrl === undefined) return null; // no route: the 404 handler (checked by its own test)
  const op = spec.paths[toOpenApiPath(routeUrl)]?.[method.toLowerCase()];
  if (!op) return null;
  const declared = op.responses[String(status)] ?? op.responses.default;
  if (!declared) return `${method} ${routeUrl}: status ${status} is not declared (body ${body.slice(0, 200)})`;
  if (status === 204 || !declared.content) return null;
  const type = contentType.split(';')[0].trim();
  const media = declared.content[type];
  if (!media) return `${method} ${routeUrl}: ${status} answered ${type}, declared ${Object.keys(declared.content).join(', ')}`;
  if (type !== 'application/json' || !media.schema) return null;
  const validate = validatorFor(`${method} ${routeUrl} ${status}`, media.schema);
  let parsed: unknown;
  try { parsed = JSON.parse(body); } catch { return `${method} ${routeUrl}: ${status} body is not JSON`; }
  if (validate(parsed)) return null;
  return `${method} ${routeUrl}: ${status} body does not match the document: ${ajv.errorsText(validate.errors)} (body ${body.slice(0, 300)})`;
}

export function attachContractCheck(app: FastifyInstance): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    if (typeof payload === 'string' || payload === null || payload === undefined || Buffer.isBuffer(payload)) {
      const body = payload === null || payload === undefined ? '' : String(payload);
      const problem = checkResponse(req.method, req.routeOptions.url, reply.statusCode, String(reply.getHeader('content-type') ?? ''), body, reply.getHeader('x-request-id'));
      if (problem) violations.push(problem);
    }
    done(null, payload);
  });
}
