/**
 * The background jobs, owned in one place: each has one start and one stop; all start when this
 * plugin is registered (the last step of buildApp, so a built app has its key ring loaded and its
 * sweeps running, as the tests that drive two replicas expect) and stop, last started first, when
 * the app closes. buildApp only lists them: the key ring's watch, the default-reward sweep, the log
 * index, the secret check, the history writer.
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface Job {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

const plugin: FastifyPluginAsync<{ jobs: Job[] }> = async (app, { jobs }) => {
  const started: Job[] = [];
  app.addHook('onClose', async () => {
    for (const job of started.splice(0).reverse()) await job.stop();
  });
  for (const job of jobs) {
    await job.start();
    started.push(job);
  }
};

export const jobsPlugin = fp(plugin, { name: 'jobs' });
