/**
 * The bare route of bench/serving/http.ts: bare Fastify with the service's logger setting (pino at
 * LOG_LEVEL), POST /select and POST /reward routes that parse the JSON body (Fastify's default
 * parser, no schema) and answer a constant object, serialised per request like the service's
 * answers (JSON.stringify). CEILING_SELECT_BODY and CEILING_REWARD_BODY are real answers of the
 * service's /select and /reward, so the bodies have the same size.
 *
 * bench/serving/http.ts compiles this file with tsc and runs it with plain `node`, like dist/main.js.
 */
import Fastify from 'fastify';
import { pino } from 'pino';

const constant = (name: string) => JSON.parse(process.env[name] ?? '{}') as Record<string, unknown>;
const selectBody = constant('CEILING_SELECT_BODY');
const rewardBody = constant('CEILING_REWARD_BODY');
const app = Fastify({ loggerInstance: pino({ level: process.env.LOG_LEVEL ?? 'warn' }) });
app.post('/select', async () => selectBody);
app.post('/reward', async () => rewardBody);
app.get('/health', async () => ({ status: 'ok' }));

process.once('SIGTERM', () => void app.close());
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
