/** Run-time API keys (admin): create (the key is shown once), list without secrets, revoke. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidAt } from '../errors.js';
import type { KeyRing } from '../service/keys.js';
import { CreatedKey, CreateKeySchema, ListedKeySchema } from '../contract/keys.js';
import { errors } from './responses.js';

const KeyParams = z.object({ id: z.string().min(1).max(64) });

/** `openMode`: the auth mode serves without keys while none exists (open-when-empty). */
export const keyRoutes = (ring: KeyRing, openMode: boolean): FastifyPluginAsyncZod => async (app) => {
  const tags = ['keys'];
  app.post('/keys', { schema: { tags, summary: 'Create an API key', body: CreateKeySchema, response: { 201: CreatedKey, ...errors(400, 409) } } },
    async (req, reply) => {
      // Any key ends open mode, so the first must be one that can manage the others (else the operator is locked out).
      if (openMode && req.apiKey === null && req.body.scope !== 'admin') {
        req.log.warn({ scope: req.body.scope }, 'open mode: refused a first API key that is not admin (it would end open mode and lock out every admin route)');
        throw invalidAt('invalid_request', 'scope', `the first key must be admin: any key ends open mode, and a ${req.body.scope} key could not manage the others`);
      }
      const { id, key, scope, name, createdAt } = await ring.create(req.body.scope, req.body.name);
      req.log.info({ keyId: id, scope, name }, 'API key created');
      return reply.code(201).send({ id, key, scope, name, createdAt });
    });

  app.get('/keys', { schema: { tags, summary: 'List API keys (no secrets)', response: { 200: z.object({ keys: z.array(ListedKeySchema) }) } } },
    async () => ({ keys: await ring.list() }));

  app.delete('/keys/:id', { schema: { tags, summary: 'Revoke an API key on every replica', params: KeyParams, response: { 204: z.null().describe('Revoked'), ...errors(404, 409) } } },
    async (req, reply) => {
      const unconfirmed = await ring.revoke(req.params.id);
      req.log.info({ keyId: req.params.id }, 'API key revoked');
      if (unconfirmed > 0) {
        req.log.warn({ keyId: req.params.id, unconfirmed }, 'revoked, but some replicas did not confirm in time (they recheck while their subscription is down)');
        reply.header('x-unconfirmed-replicas', String(unconfirmed));
      }
      return reply.code(204).send(null);
    });
};
