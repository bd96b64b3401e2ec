// The decision at the top of an experiment's page (recommendation and reason, the lift in percent
// with both means and its always-valid band, the split check, the warnings), the landing page, and
// the number formats: each figure rounded to what it can support.

const $ = (id) => document.getElementById(id);

/** Three significant digits (no trailing zeros past the point); whole numbers from 1000 up. */
export function sig(v, digits = 3) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return '–';
  const x = Number(v);
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(digits)));
}
/** A probability as a percent, never "100%" or "0%" for what is only nearly certain. */
export function prob(v) {
  if (v === null || v === undefined) return '–';
  if (v > 0.999) return '>99.9%';
  if (v < 0.001) return '<0.1%';
  return `${(100 * v).toFixed(1)}%`;
}
/** A mean reward: a rate to 3 decimals (bernoulli), else 3 significant digits. */
export const meanText = (v, model) => (v === null || v === undefined ? '–' : model === 'bernoulli' ? Number(v).toFixed(3) : sig(v));

const ACTION = {
  ship: (r) => `Ship ${r.armId}`,
  continue: () => 'Keep running',
  stop_no_difference: () => 'Stop: no arm is worth more than the threshold',
  check_split: () => 'Check the split: the figures cannot be trusted yet',
};
const CLAIM = {
  established: 'established', not_yet: 'not yet shown', holdback_better: 'no: the holdback does better', no_holdback: 'no holdback to compare with',
};

function liftText(h) {
  if (h.meanReward === null || h.banditMeanReward === null) return 'No lift yet: the holdback or the bandit population has no reward.';
  const rel = h.meanReward !== 0 ? ` (${h.lift >= 0 ? '+' : ''}${(100 * h.lift / Math.abs(h.meanReward)).toFixed(1)}%)` : '';
  const band = h.alwaysValid?.interval95?.[0] !== null && h.alwaysValid?.interval95
    ? `; always-valid 95% band ${pctOf(h.alwaysValid.interval95[0], h.meanReward)} to ${pctOf(h.alwaysValid.interval95[1], h.meanReward)}`
    : `; no always-valid band yet${h.liftNote ? ` (${h.liftNote})` : ''}`;
  return `Bandit ${sig(h.banditMeanReward)} vs holdback ${sig(h.meanReward)}: lift ${sig(h.lift)}${rel}${band}.`;
}
const pctOf = (x, base) => (base ? `${x >= 0 ? '+' : ''}${(100 * x / Math.abs(base)).toFixed(1)}%` : sig(x));

function splitText(srm) {
  if (srm.pValue === null) return { text: 'Split check: no users yet.', bad: false };
  const bad = srm.pValue <= 0.001;
  const share = srm.observedShare === null ? '–' : `${(100 * srm.observedShare).toFixed(1)}%`;
  return { text: `Split check ${bad ? 'FAILS' : 'passes'}: ${share} of users in the holdback, ${(100 * srm.expectedShare).toFixed(1)}% expected (p = ${sig(srm.pValue, 2)}).`, bad };
}

/** Warnings a reader must see before acting: arms whose data cannot support a figure yet. */
function warnings(report) {
  const out = report.arms.filter((a) => a.support && !a.support.supported).map((a) => `${a.armId}: ${a.support.reason}`);
  if (report.basis?.quantity === 'netValue') out.unshift(`Judged on the net value: reward − ${report.basis.costWeight} × cost.`);
  if (report.basis?.halfLifeSeconds) out.unshift(`Judged on recent evidence: discounted with a half-life of ${report.basis.halfLifeSeconds} s.`);
  return out;
}

export function renderDecision(report) {
  const r = report.recommendation;
  const el = $('decision');
  el.dataset.action = r.action;
  $('decision-action').textContent = ACTION[r.action](r);
  $('decision-reason').textContent = r.reason;
  $('decision-claims').textContent = `Best of the arms: ${CLAIM[r.claims.bestArm]} · bandit beats the holdback: ${CLAIM[r.claims.beatsHoldback]}`
    + (r.shipWaitsForHoldback ? ' (ship waits for it)' : '');
  $('decision-lift').textContent = liftText(report.holdback);
  const split = splitText(report.holdback.srm);
  $('decision-split').textContent = split.text;
  $('decision-split').classList.toggle('bad', split.bad);
  const w = warnings(report);
  $('decision-warnings').replaceChildren(...w.map((t) => Object.assign(document.createElement('li'), { textContent: t })));
  $('decision-warnings').hidden = w.length === 0;
}

export function renderLanding(experiments) {
  const active = experiments.filter((e) => e.status === 'active').length;
  $('landing-count').textContent = experiments.length === 0
    ? 'No experiments yet. Create one with POST /experiments (README, "Quick start"); it appears here within seconds.'
    : `${experiments.length} experiment${experiments.length === 1 ? '' : 's'} (${active} active). Pick one on the left.`;
}
