/**
 * API keys and scopes on every route (see access.ts for which scope a route needs).
 *
 * A key comes as `Authorization: Bearer <key>` or `X-API-Key: <key>`. 401 `unauthorized` without a
 * key or with an unknown or revoked one, 403 `forbidden` when its scope does not allow the route.
 * Open mode (`openWhenEmpty`, the loopback quick start): while no key exists at all, every route is
 * served without one. `off` (AUTH=off) checks nothing. Failed attempts are limited per address (auth-failures.ts).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';
import { AuthFailures } from './auth-failures.js';
import { scopeAllows } from '../service/api-key-material.js';
import type { KeyIdentity, KeyRing } from '../service/keys.js';
import type { ApiKeyScope } from '../contract/domain.js';
import { accessOf, type Access } from './access.js';

export type AuthMode = 'keys' | 'open-when-empty' | 'off';

declare module 'fastify' {
  interface FastifyRequest { apiKey: KeyIdentity | null }
  interface FastifyContextConfig { access?: Access }
}

/** The key a request presents, or null. */
export function presentedKey(req: FastifyRequest): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || null;
  const header = req.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header.trim() : null;
}

const plugin: FastifyPluginAsync<{ ring: KeyRing; mode: AuthMode; now?: () => number }> = async (app, { ring, mode, now = Date.now }) => {
  app.decorateRequest('apiKey', null);
  if (mode === 'off') return;
  const failures = new AuthFailures(now);
  /** The error for this identity, or null when it may go on (and then it is on the request). */
  const decide = (req: FastifyRequest, reply: FastifyReply, key: string | null, identity: KeyIdentity | null, access: ApiKeyScope): ApiError | null => {
    if (!identity) {
      const wait = failures.blockedFor(req.ip);
      if (wait !== null) {
        reply.header('retry-after', String(wait));
        return new ApiError('rate_limited', `too many requests without a valid API key from this address; retry after ${wait} s`);
      }
      failures.fail(req.ip);
      reply.header('www-authenticate', 'Bearer realm="bandit", charset="UTF-8"');
      return new ApiError('unauthorized', key === null
        ? 'this route needs an API key: send Authorization: Bearer <key> or X-API-Key: <key>'
        : 'the API key is unknown or revoked');
    }
    if (!scopeAllows(identity.scope, access)) {
      return new ApiError('forbidden', `a ${identity.scope} key may not ${req.method} ${req.routeOptions.url}: it needs the ${access} scope`);
    }
    req.apiKey = identity;
    return null;
  };
  // With the key set's watch live the check is synchronous (no promise per request).
  app.requestCheck((req, reply) => {
    const access = accessOf(req);
    if (access === 'open') return undefined;
    const check = (): ApiError | undefined | Promise<ApiError | undefined> => {
      const key = presentedKey(req);
      const now = key === null ? null : ring.identifyNow(key);
      if (now !== undefined) return decide(req, reply, key, now, access) ?? undefined;
      return ring.identify(key!).then((identity) => decide(req, reply, key, identity, access) ?? undefined);
    };
    // A presented key is always checked, open mode or not: a key the store no longer knows (revoked, or lost with its data) is refused.
    if (mode !== 'open-when-empty' || presentedKey(req) !== null) return check();
    // Open only while no key exists anywhere: a replica that has not read the key set asks the store first.
    const open = ring.openNow();
    if (open === true) return undefined;
    if (open === false) return check();
    return ring.isOpen(access).then((isOpen) => (isOpen ? undefined : check()));
  });
};

export const authPlugin = fp(plugin, { name: 'bandit-auth', dependencies: ['bandit-request-pipeline'] });
