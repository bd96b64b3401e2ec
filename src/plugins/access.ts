/**
 * Which scope each route needs, by rule, so that routes added later are covered without listing
 * them: the contract's open routes, `decide` for the decision routes, `read` for every GET but /keys (and for
 * POST .../evaluate and POST /plan, which change nothing), `admin` for every other write.
 * A route may say otherwise with `config: { access }`.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiKeyScope } from '../contract/domain.js';

export type Access = ApiKeyScope | 'open';

const OPEN = /^\/(health|ready|openapi\.json|docs|dashboard)(\/|$)/;
const DECIDE = /^\/(select|reward|rewards|ofrep\/.*)$/;
const ADMIN_ONLY = /^\/keys(\/|$)/;
const READ_POSTS = /^\/(experiments\/[^/]+\/evaluate|plan)$/;

/** `url` is the route's pattern (e.g. /experiments/:id), undefined when no route matched (a 404, left open). */
export function requiredAccess(method: string, url: string | undefined): Access {
  if (url === undefined || method === 'OPTIONS' || OPEN.test(url)) return 'open'; // OPTIONS: CORS preflights carry no key
  if (ADMIN_ONLY.test(url)) return 'admin';
  if (method === 'POST' && DECIDE.test(url)) return 'decide';
  if (method === 'GET' || method === 'HEAD' || (method === 'POST' && READ_POSTS.test(url))) return 'read';
  return 'admin';
}

/** The scope a request's route needs: its `config.access`, else the rule above. */
export function accessOf(req: FastifyRequest): Access {
  return (req.routeOptions.config as { access?: Access } | undefined)?.access ?? requiredAccess(req.method, req.routeOptions.url);
}
