/** Issue 19 item 5: unknown fields refused by name, one `details` shape, "required", the error code on the log line, a bad setting at start. */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { experimentBody } from '../helpers/app.js';
import { memoryKind } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('strict, readable bodies', () => {
  const t = useTestApp(memoryKind);

  const decision = async () => {
    expect((await t.post('/experiments', experimentBody())).status).toBe(201);
    return (await t.post('/select', { experimentId: 'exp-1', userId: 'u1' })).body.decisionId as string;
  };

  it('refuses an unknown field on /select, naming it', async () => {
    await decision();
    const res = await t.post('/select', { experimentId: 'exp-1', userID: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.details).toEqual({ issues: [{ path: 'userID', message: "unknown field 'userID'" }] });
    expect(res.body.message).toContain('userID');
  });

  it('refuses an unknown field on /reward and on each /rewards event, naming it', async () => {
    const decisionId = await decision();
    const one = await t.post('/reward', { decisionId, reward: 1, latency: 30 });
    expect(one.status).toBe(400);
    expect(one.body.details.issues).toEqual([{ path: 'latency', message: "unknown field 'latency'" }]);
    const batch = await t.post('/rewards', { events: [{ decisionId, reward: 1, latency: 30 }, { reward: 1 }] });
    expect(batch.status).toBe(200);
    expect(batch.body.results[0]).toMatchObject({ status: 400, error: 'invalid_request', details: { issues: [{ path: 'latency', message: "unknown field 'latency'" }] } });
    expect(batch.body.results[1]).toMatchObject({ status: 400, details: { issues: [{ path: 'decisionId', message: 'required' }] } });
    const wrapper = await t.post('/rewards', { events: [{ decisionId, reward: 1 }], dryRun: true });
    expect(wrapper.status).toBe(400);
    expect(wrapper.body.details.issues).toEqual([{ path: 'dryRun', message: "unknown field 'dryRun'" }]);
  });

  it('says "required" for a missing field, with dotted paths and no "body." prefix', async () => {
    const { rewardModel: _dropped, ...noModel } = experimentBody();
    const res = await t.post('/experiments', { ...noModel, arms: [{ payload: 1 }, { id: 'b' }], colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_config');
    const issues = res.body.details.issues as { path: string; message: string }[];
    expect(issues).toContainEqual({ path: 'rewardModel', message: 'required' });
    expect(issues).toContainEqual({ path: 'arms.0.id', message: 'required' });
    expect(issues).toContainEqual({ path: 'colour', message: "unknown field 'colour'" });
    expect(JSON.stringify(res.body)).not.toContain('body.');
  });

  it('gives every 400 details.issues, also those the service raises', async () => {
    const decisionId = await decision();
    const bad = await t.post('/reward', { decisionId, reward: 7 });
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues).toEqual([{ path: 'reward', message: expect.stringContaining('must be 0, 1, true or false') }]);
    const dup = await t.post('/experiments', experimentBody({ id: 'dup', arms: [{ id: 'a' }, { id: 'a' }] }));
    expect(dup.body.details.issues).toEqual([{ path: 'arms.1.id', message: "arm id 'a' appears twice" }]);
    const query = await t.get('/experiments?limit=0');
    expect(query.status).toBe(400);
    expect(query.body.details.issues[0].path).toBe('limit');
  });
});

it('logs the error code on the line of a failed request', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  const app = await buildApp({ store: new MemoryStore(), secret: 'strict-bodies-secret-0123456789', logger: pino({ level: 'info' }, sink) });
  const post = (payload: string) => app.inject({ method: 'POST', url: '/select', headers: { 'content-type': 'application/json' }, payload });
  expect((await post('{"experimentId":"none"}')).statusCode).toBe(404);
  expect((await post('{"experimentId":"none","userID":"x"}')).statusCode).toBe(400);
  expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
  await new Promise<void>((r) => setImmediate(r));
  const done = lines.filter((l) => l.msg === 'request completed');
  expect(done.map((l) => l.error)).toEqual(['experiment_not_found', 'invalid_request', 'not_found']);
  await app.close();
});

describe('a bad setting at start', () => {
  const start = (env: Record<string, string>) => new Promise<{ code: number | null; out: string }>((resolve) => {
    const { REDIS_URL: _r, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: new URL('../..', import.meta.url), env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });

  it.each([
    ['PORT=abc', { PORT: 'abc' }, 'PORT'],
    ['the placeholder key of .env.example', { API_KEYS: 'admin:<paste-a-random-key>', PORT: '0' }, 'API_KEYS'],
  ])('%s: one line naming the variable, exit 1, no stack trace', async (_name, env, variable) => {
    const { code, out } = await start(env);
    expect(code).toBe(1);
    const lines = out.split('\n').filter(Boolean);
    expect(lines, out).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(lines[0]).toContain('invalid configuration');
    expect(out).not.toMatch(/\n\s+at /);
  }, 30_000);
});
