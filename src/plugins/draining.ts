/**
 * The app's side of a graceful shutdown (main.ts drives it, see lifecycle/shutdown.ts): after
 * `startDraining()`, `/ready` answers 503 `shutting_down` (with Retry-After) so load balancers
 * stop sending, and every answer says `Connection: close`, so a keep-alive connection closes
 * cleanly after its current request instead of being cut under the client.
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    startDraining(): void;
    readonly isDraining: boolean;
  }
}

const plugin: FastifyPluginAsync = async (app) => {
  let draining = false;
  app.decorate('startDraining', () => { draining = true; });
  app.decorate('isDraining', { getter: () => draining });
  app.requestCheck((req, reply) => {
    if (!draining) return undefined;
    reply.header('connection', 'close');
    return req.routeOptions.url === '/ready' ? new ApiError('shutting_down', 'this replica is shutting down; send requests to another') : undefined;
  });
};

export const drainingPlugin = fp(plugin, { name: 'bandit-draining', dependencies: ['bandit-request-pipeline'] });
