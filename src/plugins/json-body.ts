/**
 * The JSON body parser: Fastify's own (which refuses `__proto__` and `constructor.prototype`
 * keys), after a scan that refuses bodies nesting deeper than MAX_JSON_DEPTH (400 invalid_json),
 * so no handler, schema or serialiser ever recurses over a hostile depth.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH, textDeeperThan } from '../contract/bounded-json.js';
import { ApiError } from '../errors.js';

export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (textDeeperThan(body as string)) return done(new ApiError('invalid_json', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    parse(req, body as string, done);
  });
}
