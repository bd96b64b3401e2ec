import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_EXPERIMENT_LABELS, Metrics } from '../../src/observability/metrics.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { StoreUnavailableError, type AssignInput, type AssignResult } from '../../src/store/store.js';
import { experimentBody, makeTestApp, type TestApp } from '../helpers/app.js';
import { storeKinds } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

/** The samples of /metrics as `name{labels}` -> value. */
async function scrape(t: TestApp): Promise<{ text: string; value: (series: string) => number | undefined }> {
  const res = await t.app.inject({ url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of res.body.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { text: res.body, value: (series) => samples.get(series) };
}

describe.each(storeKinds)('/metrics ($name store)', (kind) => {
  const t = useTestApp(kind);

  it('counts decisions and rewards by experiment, arm and population, never by user', async () => {
    await t.post('/experiments', experimentBody({ policy: 'fixed', holdbackPercent: 30 }));
    const served: Record<string, number> = {};
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const d = (await t.post('/select', { experimentId: 'exp-1', userId: `secret-user-${i}` })).body;
      served[`${d.armId}/${d.population}`] = (served[`${d.armId}/${d.population}`] ?? 0) + 1;
      ids.push(d.decisionId);
      await t.post('/reward', { decisionId: d.decisionId, reward: 1 });
    }
    await t.post('/reward', { decisionId: ids[0], reward: 1 }); // a duplicate: not a reward
    const m = await scrape(t);
    expect(m.text).not.toContain('secret-user');
    await t.post('/select', { experimentId: 'no-such-experiment' });
    expect((await scrape(t)).text).not.toContain('no-such-experiment');
    for (const [key, n] of Object.entries(served)) {
      const [arm, population] = key.split('/');
      expect(m.value(`bandit_decisions_total{experiment="exp-1",arm="${arm}",population="${population}"}`)).toBe(n);
      expect(m.value(`bandit_rewards_total{experiment="exp-1",arm="${arm}",population="${population}"}`)).toBe(n);
    }
    expect(m.value('bandit_reward_duplicates_total{experiment="exp-1"}')).toBe(1);
    expect(m.value('bandit_store_duration_seconds_count{operation="assign"}')).toBe(40);
    expect(m.value('bandit_store_duration_seconds_count{operation="recordReward"}')).toBe(41);
    // Buckets below a millisecond, by route pattern.
    expect(m.value('http_request_duration_seconds_count{method="POST",route="/select",status_code="200"}')).toBe(40);
    expect(m.value('http_request_duration_seconds_bucket{le="0.0002",method="POST",route="/select",status_code="200"}')).toBeDefined();
    await t.get('/experiments/exp-1');
    await t.get('/no/such/route');
    const again = await scrape(t);
    expect(again.value('http_request_duration_seconds_count{method="GET",route="/experiments/:id",status_code="200"}')).toBe(1);
    expect(again.value('http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toBe(1);
  });

  it('counts OFREP evaluations as the decisions they are', async () => {
    await t.post('/experiments', experimentBody());
    for (let i = 0; i < 3; i++) expect((await t.post('/ofrep/v1/evaluate/flags/exp-1', { context: { targetingKey: `u${i}` } })).status).toBe(200);
    const m = await scrape(t);
    const total = ['control', 'structured', 'large'].reduce((s, arm) => s + (m.value(`bandit_decisions_total{experiment="exp-1",arm="${arm}",population="bandit"}`) ?? 0), 0);
    expect(total).toBe(3);
    expect(m.value('http_request_duration_seconds_count{method="POST",route="/ofrep/v1/evaluate/flags/:experimentId",status_code="200"}')).toBe(3);
  });

  it('counts guardrail disables by arm and guardrail, and shows the arm disabled', async () => {
    await t.post('/experiments', experimentBody({ policy: 'fixed', guardrails: { errorRate: 0.1, minSamples: 5 } }));
    let fed = 0;
    while (fed < 5) {
      const d = (await t.post('/select', { experimentId: 'exp-1' })).body;
      if (d.armId !== 'large') continue;
      await t.post('/reward', { decisionId: d.decisionId, error: true });
      fed++;
    }
    const m = await scrape(t);
    expect(m.value('bandit_guardrail_disables_total{experiment="exp-1",arm="large",guardrail="errorRate"}')).toBe(1);
    expect(m.value('bandit_arm_disabled{experiment="exp-1",arm="large"}')).toBe(1);
    expect(m.value('bandit_arm_disabled{experiment="exp-1",arm="control"}')).toBe(0);
    expect(m.value('bandit_arm_probability_best{experiment="exp-1",arm="large"}')).toBeUndefined();
  });

  it('exports P(best) as /arms reports it, the allocation and its entropy', async () => {
    await t.post('/experiments', experimentBody());
    for (let i = 0; i < 30; i++) {
      const d = (await t.post('/select', { experimentId: 'exp-1' })).body;
      await t.post('/reward', { decisionId: d.decisionId, reward: d.armId === 'structured' ? 1 : 0 });
    }
    const report = (await t.get('/arms?experimentId=exp-1')).body;
    const m = await scrape(t);
    let shareSum = 0;
    let entropy = 0;
    for (const a of report.arms) {
      expect(m.value(`bandit_arm_probability_best{experiment="exp-1",arm="${a.armId}"}`)).toBeCloseTo(a.probabilityBest, 5);
      const share = m.value(`bandit_arm_allocation_ratio{experiment="exp-1",arm="${a.armId}"}`)!;
      expect(share).toBeCloseTo(a.decisions / report.totals.decisions, 9);
      shareSum += share;
      if (share > 0) entropy -= share * Math.log2(share);
    }
    expect(shareSum).toBeCloseTo(1, 9);
    expect(m.value('bandit_allocation_entropy_bits{experiment="exp-1"}')).toBeCloseTo(entropy, 9);
  });

  it('counts stale-decision retries and snapshot reloads when another replica changes the experiment', async () => {
    await t.post('/experiments', experimentBody());
    await t.post('/select', { experimentId: 'exp-1' });
    const other = await makeTestApp(t.store, t.clock);
    try {
      await other.post('/experiments/exp-1/arms/large/disable', {});
      await t.post('/select', { experimentId: 'exp-1' });
    } finally {
      await other.app.close();
    }
    const m = await scrape(t);
    expect(m.value('bandit_stale_retries_total{experiment="exp-1"}')).toBe(1);
    expect(m.value('bandit_snapshot_reloads_total{experiment="exp-1"}')).toBe(2);
  });
});

/** The embedded store, with a switch that makes assign time out the way an unreachable Redis does. */
class FlakyStore extends MemoryStore {
  down = false;
  override async assign(input: AssignInput): Promise<AssignResult> {
    if (this.down) throw new StoreUnavailableError('Redis unavailable: Command timed out');
    return super.assign(input);
  }
}

describe('/metrics when the store is unavailable', () => {
  it('counts fallbacks (as excluded decisions of the baseline) and store errors', async () => {
    const store = new FlakyStore();
    const t = await makeTestApp(store);
    try {
      await t.post('/experiments', experimentBody());
      await t.post('/select', { experimentId: 'exp-1' });
      store.down = true;
      for (let i = 0; i < 3; i++) expect((await t.post('/select', { experimentId: 'exp-1' })).body.fallback).toBe(true);
      const m = await scrape(t);
      expect(m.value('bandit_select_fallbacks_total{experiment="exp-1"}')).toBe(3);
      expect(m.value('bandit_decisions_total{experiment="exp-1",arm="control",population="excluded"}')).toBe(3);
      expect(m.value('bandit_store_errors_total{operation="assign"}')).toBe(3);
      expect(m.value('bandit_store_duration_seconds_count{operation="assign"}')).toBe(4);
    } finally {
      await t.app.close();
    }
  });
});

describe('Metrics labels', () => {
  it(`keeps at most ${MAX_EXPERIMENT_LABELS} experiment label values; the rest are summed under _other`, async () => {
    const m = new Metrics();
    for (let i = 0; i < MAX_EXPERIMENT_LABELS + 50; i++) m.decision(`e${i}`, 'a', 'b');
    const text = await m.registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('bandit_decisions_total{'));
    expect(lines).toHaveLength(MAX_EXPERIMENT_LABELS + 1);
    expect(lines).toContain('bandit_decisions_total{experiment="_other",arm="a",population="bandit"} 50');
  });
});

describe('/metrics and history with API keys', () => {
  const keys = { read: 'read-key-0123456789abcdefghij', decide: 'decide-key-0123456789abcdefgh', admin: 'admin-key-0123456789abcdefghi' };
  const auth = { apiKeys: `read:${keys.read},decide:${keys.decide},admin:${keys.admin}` };

  it('need the read scope: 401 without a key, 403 with a decide key, 200 with read or admin', async () => {
    const t = await makeTestApp(new MemoryStore(), undefined, { auth, key: keys.admin });
    try {
      await t.post('/experiments', experimentBody());
      for (const url of ['/metrics', '/experiments/exp-1/history']) {
        const none = await t.app.inject({ url });
        expect(none.statusCode).toBe(401);
        expect(none.json().error).toBe('unauthorized');
        const decide = await t.app.inject({ url, headers: { authorization: `Bearer ${keys.decide}` } });
        expect(decide.statusCode).toBe(403);
        expect(decide.json().error).toBe('forbidden');
        for (const key of [keys.read, keys.admin]) expect((await t.app.inject({ url, headers: { 'x-api-key': key } })).statusCode).toBe(200);
      }
    } finally {
      await t.app.close();
    }
  });
});

describe('the example alerts (docs/prometheus, pasted in the README)', () => {
  const alerts = readFileSync('docs/prometheus/bandit-alerts.yml', 'utf8');
  const readme = readFileSync('README.md', 'utf8');

  it('are in the README as they are in docs/prometheus', () => {
    expect(readme).toContain(alerts.trim());
    expect(readme).toContain(readFileSync('docs/prometheus/prometheus.yml', 'utf8').trim());
  });

  it('use only series and labels that /metrics exports', async () => {
    const store = new FlakyStore();
    const t = await makeTestApp(store);
    try {
      await t.post('/experiments', experimentBody({ policy: 'fixed', guardrails: { errorRate: 0.1, minSamples: 3 } }));
      for (let fed = 0; fed < 3;) {
        const d = (await t.post('/select', { experimentId: 'exp-1' })).body;
        if (d.armId === 'large') fed++;
        await t.post('/reward', { decisionId: d.decisionId, ...(d.armId === 'large' ? { error: true } : { reward: 1 }) });
      }
      store.down = true;
      await t.post('/select', { experimentId: 'exp-1' });
      const { text } = await scrape(t);
      // Each `by (labels) (rate|increase(series[...]))` of the alerts: the series exists and carries those labels.
      const uses = [...alerts.matchAll(/by \(([^)]+)\) \((?:increase|rate)\((\w+)\[/g)].map((m) => ({ labels: m[1].split(',').map((l) => l.trim()), series: m[2] }));
      expect(uses.map((u) => u.series).sort()).toEqual(['bandit_decisions_total', 'bandit_guardrail_disables_total', 'bandit_select_fallbacks_total', 'bandit_store_duration_seconds_bucket']);
      for (const { series, labels } of uses) {
        const samples = text.split('\n').filter((l) => l.startsWith(`${series}{`));
        expect(samples.length, series).toBeGreaterThan(0);
        for (const s of samples) for (const l of labels) expect(s, `${series} has ${l}`).toContain(`${l}="`);
      }
    } finally {
      await t.app.close();
    }
  });
});
