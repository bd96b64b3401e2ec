/**
 * The fuzz's requests: for each operation a valid request built from the run's state (existing
 * experiments, arms, decisions, keys), and mutations of it (types, nesting, sizes, encodings, ids,
 * tokens). `FuzzCase` is what fast-check draws; `buildRequest` turns it into an inject request.
 */
import fc from 'fast-check';

export const OPS = ['select', 'reward', 'rewards', 'create', 'patch', 'disable', 'enable', 'get', 'list', 'report', 'keys'] as const;
export type Op = (typeof OPS)[number];
export const MUTATIONS = ['type', 'nest', 'size', 'encoding', 'content-type', 'id', 'token', 'drop'] as const;
type Mutation = (typeof MUTATIONS)[number];

export interface FuzzState {
  experiments: { id: string; arms: string[] }[];
  decisions: string[];
  keyIds: string[];
}

export interface FuzzCase { valid: boolean; mutation: Mutation; pick: number; pick2: number; junk: unknown; text: string; n: number }

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  valid: fc.boolean(), // half the requests are mutated
  mutation: fc.constantFrom(...MUTATIONS),
  pick: fc.nat(),
  pick2: fc.nat(),
  junk: fc.anything({ maxDepth: 3, maxKeys: 5 }),
  text: fc.string({ maxLength: 40 }),
  n: fc.double({ noNaN: false }),
});

export interface Req { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: unknown; raw?: string | Buffer; contentType?: string | null; key?: string | null }

const PROTO = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const at = <T>(xs: T[], i: number, fallback: T): T => (xs.length ? xs[i % xs.length] : fallback);

function valid(op: Op, s: FuzzState, c: FuzzCase): Req {
  const exp = at(s.experiments, c.pick, { id: 'none', arms: ['a'] });
  const arm = at(exp.arms, c.pick2, 'a');
  const id = encodeURIComponent(exp.id);
  const reward = () => ({ decisionId: at(s.decisions, c.pick2 + c.pick, 'none'), reward: c.pick % 2, latencyMs: c.pick % 3000, cost: (c.pick2 % 100) / 1000, error: c.pick % 7 === 0 });
  switch (op) {
    case 'select': return { method: 'POST', url: '/select', body: { experimentId: exp.id, ...(c.pick % 3 && { userId: `u${c.pick2 % 500}` }), ...(c.pick % 5 === 0 && { context: { plan: c.text } }) } };
    case 'reward': return { method: 'POST', url: '/reward', body: reward() };
    case 'rewards': return { method: 'POST', url: '/rewards', body: { events: Array.from({ length: 1 + (c.pick % 4) }, (_, i) => ({ ...reward(), decisionId: at(s.decisions, c.pick2 + i, 'none') })) } };
    case 'create': {
      const armIds = [`c${c.pick % 10}`, PROTO[c.pick2 % PROTO.length], `t${c.pick2 % 7}`];
      return { method: 'POST', url: '/experiments', body: { id: `f${c.pick % 100_000}`, arms: armIds.map((a) => ({ id: a, payload: { v: c.text } })), rewardModel: c.pick % 2 ? 'bernoulli' : 'gaussian', policy: ['thompson', 'ucb', 'fixed'][c.pick2 % 3], holdbackPercent: c.pick % 20, guardrails: c.pick % 4 ? null : { errorRate: 0.5, minSamples: 5, windowSize: 50 } } };
    }
    case 'patch': return { method: 'PATCH', url: `/experiments/${id}`, body: [{ trafficPercent: c.pick % 101 }, { status: c.pick2 % 2 ? 'active' : 'paused' }, { guardrails: { meanCost: (c.pick % 10) / 10 } }, { holdbackPercent: c.pick2 % 30 }][c.pick % 4] };
    case 'disable': return { method: 'POST', url: `/experiments/${id}/arms/${encodeURIComponent(arm)}/disable`, body: { reason: c.text || 'fuzz' } };
    case 'enable': return { method: 'POST', url: `/experiments/${id}/arms/${encodeURIComponent(arm)}/enable`, body: {} };
    case 'get': return { method: 'GET', url: `/experiments/${id}` };
    case 'list': return { method: 'GET', url: `/experiments?limit=${1 + (c.pick % 50)}` };
    case 'report': return { method: 'GET', url: `/arms?experimentId=${id}` };
    case 'keys': return c.pick % 3 === 0 ? { method: 'GET', url: '/keys' } : c.pick % 3 === 1
      ? { method: 'POST', url: '/keys', body: { scope: ['decide', 'read', 'admin'][c.pick2 % 3], name: c.text || 'k' } }
      : { method: 'DELETE', url: `/keys/${encodeURIComponent(at(s.keyIds, c.pick2, 'key_none'))}` };
  }
}

/** Replaces one field (by path) of an object body, or the whole body. */
function replaceField(body: unknown, c: FuzzCase, value: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return value;
  const keys = Object.keys(body);
  if (!keys.length) return value;
  return { ...body, [keys[c.pick2 % keys.length]]: value };
}

function mutate(r: Req, c: FuzzCase): Req {
  switch (c.mutation) {
    case 'type': return { ...r, body: replaceField(r.body, c, [c.junk, c.n, c.text, null, true, [], {}][c.pick % 7]), method: r.body === undefined && c.pick % 2 ? 'POST' : r.method };
    case 'nest': return { ...r, raw: JSON.stringify(replaceField(r.body ?? {}, c, 'HOLE')).replace('"HOLE"', `${'['.repeat(20 + (c.pick % 5000))}1${']'.repeat(20 + (c.pick % 5000))}`) };
    case 'size': return { ...r, body: replaceField(r.body ?? {}, c, 'x'.repeat([300, 20_000, 70_000, 2_200_000][c.pick % 4 === 3 && c.pick2 % 10 ? 2 : c.pick % 4])) };
    case 'encoding': return { ...r, raw: [Buffer.from([0xff, 0xfe, 0x7b, 0x80]), '{"experimentId": "a"', 'not json', '', '\u0000{}', '{"a":1}{"b":2}'][c.pick % 6] };
    case 'content-type': return { ...r, contentType: ['text/plain', null, 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data'][c.pick % 5] };
    case 'id': {
      const bad = [...PROTO, 'a'.repeat(65), 'a'.repeat(300), 'é✓', '%E0%A4%A', '..', ' ', c.text][c.pick2 % 13];
      return { ...r, url: r.url.replace(/\/experiments\/[^/?]+/, `/experiments/${bad}`).replace(/experimentId=[^&]*/, `experimentId=${encodeURIComponent(bad)}`), body: replaceField(r.body, c, bad) };
    }
    case 'token': return { ...r, key: [null, 'bogus', 'x'.repeat(5000), 'Bearer', '%%%%'.repeat(10)][c.pick % 5] };
    case 'drop': return { ...r, body: r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? Object.fromEntries(Object.entries(r.body).slice(1)) : undefined };
  }
}

export function buildRequest(op: Op, s: FuzzState, c: FuzzCase): { req: Req; mutated: boolean } {
  const base = valid(op, s, c);
  return c.valid ? { req: base, mutated: false } : { req: mutate(base, c), mutated: true };
}

/** Sends one fuzz request to an app with inject (`key` undefined: the admin key); the JSON body parsed when the answer is JSON. */
export async function injectFuzz(app: { inject: (opts: InjectOptions) => Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }> }, r: Req, adminKey: string): Promise<{ status: number; body: any }> {
  const payload = r.raw ?? (r.body === undefined ? undefined : JSON.stringify(r.body));
  const type = r.contentType === undefined ? (payload === undefined ? undefined : 'application/json') : r.contentType;
  const key = r.key === undefined ? adminKey : r.key;
  const res = await app.inject({ method: r.method, url: r.url, payload, headers: { ...(type && { 'content-type': type }), ...(key && { authorization: `Bearer ${key}` }) } });
  return { status: res.statusCode, body: String(res.headers['content-type'] ?? '').startsWith('application/json') && res.body ? JSON.parse(res.body) : null };
}
interface InjectOptions { method: Req['method']; url: string; payload?: string | Buffer; headers: Record<string, string> }
