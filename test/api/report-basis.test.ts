// One basis for every judgement (bandit/judgement.ts): with each engine setting, the arms'
// probabilityBest, the net value's P(best), the regret and the recommendation judge the quantity
// the policy optimises. Seeded selection and deterministic reward patterns per arm (a fixed split
// where the settings allow it; Thompson where they need it).
import { describe, expect, it } from 'vitest';
import { experimentBody, TEST_SECRET } from '../helpers/app.js';
import { ServiceContext } from '../../src/service/context.js';
import { writeHistory } from '../../src/service/history.js';
import { memoryKind } from '../helpers/stores.js';
import { useTestApp } from '../helpers/use-test-app.js';

type Arm = { armId: string; probabilityBest: number; expectedLoss: number; posteriorMean: number; decisions: number; netValue?: { mean: number; probabilityBest: number } };

/** The arm that is best with the highest probability, by the report's own arms. */
const leader = (arms: Arm[]): string => arms.reduce((a, b) => (b.probabilityBest > a.probabilityBest ? b : a)).armId;

describe('the report judges what the policy optimises (memory store)', () => {
  const t = useTestApp(memoryKind);
  // README example: a 0.10 at cost 0.01, b 0.14 at 0.02, c 0.20 at 0.05; with costWeight 5 the
  // net values are 0.05, 0.04 and -0.05: c has the best reward and the worst net value.
  const rate: Record<string, number> = { a: 0.1, b: 0.14, c: 0.2 };
  const cost: Record<string, number> = { a: 0.01, b: 0.02, c: 0.05 };
  const body = (id: string, over: Record<string, unknown>) => experimentBody({
    id, policy: Object.keys(over).length ? 'thompson' : 'fixed', seed: 'basis', stickiness: false, arms: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], ...over,
  });

  /** n rewards per arm, each arm's successes spread evenly (exact rates); `flip` swaps a's and c's rates. */
  async function feed(id: string, n: number, flip = false, userOf?: (i: number) => string) {
    const seen: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3 * n; i++) {
      const d = (await t.post('/select', { experimentId: id, ...(userOf && { userId: userOf(i) }) })).body;
      const arm = d.armId as string;
      const r = flip ? rate[arm === 'a' ? 'c' : arm === 'c' ? 'a' : arm] : rate[arm];
      const k = seen[arm]++;
      const success = Math.floor((k + 1) * r) > Math.floor(k * r) ? 1 : 0;
      await t.post('/reward', { decisionId: d.decisionId, reward: success, cost: cost[arm] });
      t.clock.advance(1000);
    }
  }

  /**
   * The dashboard's P(best) chart reads the history points: the point written now must carry the
   * report's probabilityBest (same basis), which for these settings differs from the plain reward's.
   */
  async function historyAgrees(id: string, rep: { arms: Arm[] }, plainLeader?: string) {
    await writeHistory(new ServiceContext(t.store, TEST_SECRET, t.clock), { intervalSeconds: 60, retentionSeconds: 86_400 });
    const points = (await t.get(`/experiments/${id}/history`)).body.points;
    const last = points[points.length - 1];
    rep.arms.forEach((a) => expect(last.arms.find((p: { armId: string }) => p.armId === a.armId).probabilityBest).toBeCloseTo(a.probabilityBest, 6));
    if (plainLeader) expect(leader(last.arms)).not.toBe(plainLeader);
  }

  function agree(rep: { arms: Arm[]; recommendation: { action: string; armId: string | null }; regret: { estimatedCumulative: number }; basis: { quantity: string } }) {
    const judged = (a: Arm) => (rep.basis.quantity === 'netValue' ? a.netValue!.mean : a.posteriorMean);
    if (rep.basis.quantity === 'netValue') rep.arms.forEach((a) => expect(a.probabilityBest).toBeCloseTo(a.netValue!.probabilityBest, 6));
    if (rep.recommendation.action === 'ship') expect(rep.recommendation.armId).toBe(leader(rep.arms));
    const best = Math.max(...rep.arms.map(judged));
    const regret = rep.arms.reduce((s, a) => s + a.decisions * (best - judged(a)), 0);
    expect(rep.regret.estimatedCumulative).toBeCloseTo(regret, 2);
  }

  it('plain: the reward leads; c is best and shipped', async () => {
    await t.post('/experiments', body('plain', {}));
    await feed('plain', 1500);
    const rep = (await t.get('/arms?experimentId=plain')).body;
    expect(rep.basis.quantity).toBe('reward');
    expect(leader(rep.arms)).toBe('c');
    expect(rep.recommendation).toMatchObject({ action: 'ship', armId: 'c' });
    agree(rep);
  });

  it('costWeight: the net value leads; c (best reward, worst net value) is never shipped', async () => {
    await t.post('/experiments', body('cost', { objective: { costWeight: 5 } }));
    await feed('cost', 1500);
    const rep = (await t.get('/arms?experimentId=cost')).body;
    expect(rep.basis).toMatchObject({ quantity: 'netValue', costWeight: 5 });
    expect(leader(rep.arms)).toBe('a');
    const pb = Object.fromEntries(rep.arms.map((a: Arm) => [a.armId, a.probabilityBest]));
    expect(pb.c).toBeLessThan(0.01);
    expect(pb.a).toBeGreaterThan(pb.b);
    expect(rep.recommendation.armId).not.toBe('c');
    expect(rep.recommendation.reason).toMatch(/net value/);
    agree(rep);
    // c leads on the plain reward: the chart must not show it leading.
    await historyAgrees('cost', rep, 'c');
  });

  it('discount with returning users: after the best arm changes, the recommendation follows the discounted evidence', async () => {
    await t.post('/experiments', body('disc', { discount: { halfLifeSeconds: 300 } }));
    // 30 users coming back (design effect > 1), c best for 3000 s, then a best for 3000 s.
    const user = (i: number) => `u${i % 30}`;
    await feed('disc', 1000, false, user);
    await feed('disc', 1000, true, user);
    const rep = (await t.get('/arms?experimentId=disc')).body;
    expect(rep.basis.halfLifeSeconds).toBe(300);
    expect(leader(rep.arms)).toBe('a');
    expect(rep.recommendation.armId === null || rep.recommendation.armId === 'a').toBe(true);
    agree(rep);
    // On the undiscounted counts a and c are even (c's old evidence): the chart follows the discounted leader a.
    await historyAgrees('disc', rep);
  });

  it('discount and costWeight: both at once', async () => {
    await t.post('/experiments', body('both', { discount: { halfLifeSeconds: 300 }, objective: { costWeight: 5 } }));
    await feed('both', 1000, false);
    // After the change c's reward is 0.10 and a's 0.20: a's net value 0.15 leads, c's is 0.10 - 0.25.
    await feed('both', 1000, true);
    const rep = (await t.get('/arms?experimentId=both')).body;
    expect(rep.basis).toMatchObject({ quantity: 'netValue', halfLifeSeconds: 300 });
    expect(leader(rep.arms)).toBe('a');
    expect(rep.recommendation.armId === null || rep.recommendation.armId === 'a').toBe(true);
    agree(rep);
    await historyAgrees('both', rep);
  });
});
