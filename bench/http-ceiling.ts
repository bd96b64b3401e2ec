/**
 * The ceiling of bench/http.ts: bare Fastify with the service's logger setting (pino at
 * LOG_LEVEL), one POST /select route that parses the JSON body (Fastify's default parser, no
 * schema) and answers a constant object, serialised per request like the service's answers
 * (JSON.stringify). CEILING_BODY is a real /select answer, so the body has the same size.
 *
 * bench/http.ts compiles this file with tsc and runs it with plain `node`, like dist/main.js.
 */
import Fastify from 'fastify';
import { pino } from 'pino';

const body = JSON.parse(process.env.CEILING_BODY ?? '{}') as Record<string, unknown>;
const app = Fastify({ loggerInstance: pino({ level: process.env.LOG_LEVEL ?? 'warn' }) });
app.post('/select', async () => body);
app.get('/health', async () => ({ status: 'ok' }));

process.once('SIGTERM', () => void app.close());
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
