/**
 * With the decision secret kept in the store (no DECISION_SECRET): the decision routes answer 503
 * until the secret is read and while this replica disagrees with the store, and each /ready
 * re-checks it (see service/secret-keeper.ts). Logged once per change of state.
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { SecretKeeper } from '../jobs/secret-keeper.js';
import { accessOf } from './access.js';

const plugin: FastifyPluginAsync<{ keeper: SecretKeeper }> = async (app, { keeper }) => {
  app.requestCheck((req) => {
    if (req.routeOptions.url === '/ready') return keeper.check().then(() => { keeper.assertUsable(); return undefined; });
    if (accessOf(req) === 'decide') keeper.assertUsable(); // throws the 503 (the pipeline answers it)
    return undefined;
  });
  app.addHook('onClose', async () => keeper.stop());
};

export const secretGatePlugin = fp(plugin, { name: 'bandit-secret-gate', dependencies: ['bandit-request-pipeline'] });
