/**
 * Prometheus: GET /metrics (text format 0.0.4), the HTTP request histogram, and the bandit health
 * gauges read from the store at scrape time. The counters are bumped inside the use cases
 * (observability/metrics.ts); this plugin only exposes them. prom-client rather than fastify-metrics:
 * the service counts its own events into its own registry (one per app, so tests do not share
 * series), and only one hook is needed here.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Gauge } from 'prom-client';
import { z } from 'zod';
import { banditHealth, type ExperimentHealth } from '../service/bandit-health.js';
import type { ServiceContext } from '../service/context.js';

export const metricsPlugin = (ctx: ServiceContext) => fp<object>((async (app) => {
  const { metrics } = ctx;
  const registers = [metrics.registry];
  collectDefaultMetrics({ register: metrics.registry });

  // One store read per scrape feeds all four gauges: the first gauge collected starts it.
  let health: Promise<ExperimentHealth[]> | null = null;
  const read = (): Promise<ExperimentHealth[]> => (health ??= banditHealth(ctx).finally(() => setImmediate(() => { health = null; })));
  const perArm = (name: string, help: string, value: (a: ExperimentHealth['arms'][number]) => number | null) => new Gauge({
    name, help, labelNames: ['experiment', 'arm'], registers,
    async collect() {
      this.reset();
      for (const e of await read()) for (const a of e.arms) {
        const v = value(a);
        if (v !== null) this.set({ experiment: e.experimentId, arm: a.armId }, v);
      }
    },
  });
  perArm('bandit_arm_probability_best', 'Posterior probability that the arm has the highest mean, among the enabled arms.', (a) => a.probabilityBest);
  perArm('bandit_arm_allocation_ratio', 'The arm\'s share of the bandit decisions in the current history interval.', (a) => a.allocation);
  perArm('bandit_arm_disabled', '1 when the arm is disabled (by hand or by a guardrail), else 0.', (a) => (a.disabled ? 1 : 0));
  new Gauge({
    name: 'bandit_allocation_entropy_bits', help: 'Shannon entropy of the allocation across arms: log2(arms) when even, 0 when one arm takes all.',
    labelNames: ['experiment'], registers,
    async collect() {
      this.reset();
      for (const e of await read()) if (e.allocationEntropyBits !== null) this.set({ experiment: e.experimentId }, e.allocationEntropyBits);
    },
  });

  app.responseStep((req, reply, ms) => metrics.httpRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, ms / 1000));

  const route: FastifyPluginAsyncZod = async (r) => {
    r.get('/metrics', {
      schema: {
        tags: ['operations'], summary: 'Prometheus metrics (text format)',
        produces: ['text/plain'],
        response: { 200: z.string().describe('Prometheus text exposition format 0.0.4') },
      },
    }, async (_req, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    });
  };
  await app.register(route);
}) as FastifyPluginAsyncZod, { name: 'metrics', dependencies: ['bandit-request-pipeline'] });
