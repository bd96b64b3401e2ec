// The dashboard: the experiment list, and for the chosen one its leaderboard and charts, read from
// the JSON API every few seconds; the kill switch and enable buttons call the API with the tab's key.
import { api, key } from './api.js';
import { colorOf, drawLift, LineChart } from './charts.js';
import { densities } from './density.js';
import { whoIsIn } from './targeting.js';
import { meanText, prob, renderDecision, renderLanding, sig } from './summary.js';
import { renderMetrics } from './metrics.js';

const REFRESH_MS = 5000;
const HISTORY_SPAN_MS = 6 * 3600 * 1000;
const $ = (id) => document.getElementById(id);

const NO_HISTORY = 'No history points yet: one is written every interval';
const charts = {
  pbest: new LineChart($('chart-pbest'), { yRange: [0, 1], yLabel: 'P(best)', emptyText: NO_HISTORY }),
  allocation: new LineChart($('chart-allocation'), { yRange: [0, 1], yLabel: 'share', emptyText: NO_HISTORY }),
  mean: new LineChart($('chart-mean'), { yLabel: 'mean reward', emptyText: NO_HISTORY }),
  density: new LineChart($('chart-density'), { time: false, yLabel: 'density' }),
};
let last = null; // the latest { report, history } drawn, for resizes
let kept = null; // { id, intervalSeconds, points }: the history read so far; a refresh asks only for newer points
let alertFrom = null; // 'refresh' or 'action': a refresh clears only its own message
let pending = null; // { arm, until }: an arm whose Disable was clicked once and awaits confirmation

const selected = () => decodeURIComponent(location.hash.replace(/^#e=/, '')) || null;

function showAlert(err, from) {
  const el = $('alert');
  el.textContent = err.status ? `${err.status} ${err.code}: ${err.message}` : String(err.message ?? err);
  el.hidden = false;
  alertFrom = from;
  if (err.status === 401 || err.status === 403) {
    $('api-key').placeholder = err.status === 403 ? 'this needs a key of a wider scope (admin)' : 'enter an API key';
    $('api-key').focus();
  }
}
function clearAlert(from) {
  if (alertFrom !== from) return;
  $('alert').hidden = true;
  alertFrom = null;
}

const pct = (v) => (v === null || v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
const time = (iso) => new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' });
function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function renderList(experiments) {
  const ul = $('experiment-list');
  ul.replaceChildren(...experiments.map((e) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#e=${encodeURIComponent(e.id)}`;
    a.textContent = e.id;
    if (e.id === selected()) a.setAttribute('aria-current', 'page');
    const meta = document.createElement('span');
    meta.className = 'muted';
    meta.textContent = ` ${e.policy} · ${e.status}`;
    li.append(a, meta);
    return li;
  }));
  if (experiments.length === 0) ul.innerHTML = '<li class="muted">No experiments yet (POST /experiments).</li>';
}

function guardrailText(g, limits) {
  if (!g) return '–';
  const parts = [];
  const lim = (name, unit = '') => (limits?.[name] !== undefined ? ` / ${limits[name]}${unit}` : '');
  parts.push(`p95 ${g.latencyP95Ms === null ? '–' : Math.round(g.latencyP95Ms)}${lim('latencyP95Ms', ' ms')}${limits?.latencyP95Ms === undefined && g.latencyP95Ms !== null ? ' ms' : ''}`);
  parts.push(`cost ${sig(g.meanCost)}${lim('meanCost')}`);
  parts.push(`errors ${pct(g.errorRate)}${limits?.errorRate !== undefined ? ` / ${pct(limits.errorRate)}` : ''}`);
  parts.push(`n ${g.samples}`);
  if (g.breach) parts.push(`BREACH ${g.breach.guardrail}`);
  return parts.join(' · ');
}

function renderLeaderboard(report, experiment) {
  const tbody = $('leaderboard').querySelector('tbody');
  tbody.replaceChildren(...report.arms.map((a, i) => {
    const tr = document.createElement('tr');
    tr.dataset.arm = a.armId;
    tr.className = a.status === 'disabled' ? 'disabled' : '';
    const name = cell('', 'arm');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colorOf(i);
    name.append(swatch, document.createTextNode(a.armId + (a.baseline ? ' (baseline)' : '')));
    const d = a.disabled;
    // A guardrail's breach is shown rounded to 3 significant digits (the stored reason keeps 6); a manual reason is the operator's words.
    const g = d?.guardrail;
    const why = g ? `guardrail ${g.guardrail}: observed ${sig(g.observed)} ${g.observed < g.limit ? 'below' : 'above'} limit ${sig(g.limit)}` : d?.reason;
    // With change detection: the newest change, where the evidence the figures use starts.
    const c = a.changes?.[0];
    const changeText = c ? `reward changed at ${time(c.at)} (detected ${time(c.detectedAt)}; evidence now: ${a.rewardsSinceChange} rewards)` : '';
    const disabledText = [d ? `${d.source === 'guardrail' ? '' : 'by hand: '}${why} (${time(d.at)})` : '', changeText].filter(Boolean).join('; ');
    const action = cell('');
    if (!a.baseline) {
      const b = document.createElement('button');
      const enable = a.status === 'disabled';
      b.textContent = enable ? 'Enable' : 'Disable';
      b.className = enable ? 'enable' : 'kill';
      b.dataset.action = enable ? 'enable' : 'disable';
      b.dataset.arm = a.armId;
      b.setAttribute('aria-label', `${enable ? 'Enable' : 'Disable'} arm ${a.armId}`);
      if (!enable && pending?.arm === a.armId && pending.until > Date.now()) armConfirm(b);
      action.append(b);
    }
    const m = report.rewardModel;
    const ci = a.credibleInterval95 ? `[${meanText(a.credibleInterval95[0], m)}, ${meanText(a.credibleInterval95[1], m)}]`
      : a.support && !a.support.supported ? 'not enough data' : '–';
    // After a detected change the interval is the evidence since it: so is the mean beside it (the all-time mean in its title).
    const restarted = a.rewardsSinceChange !== undefined && a.rewardsSinceChange < a.rewards;
    const mean = cell(meanText(restarted ? a.posteriorMean : a.meanReward, m), 'num mean');
    if (restarted) {
      const note = document.createElement('small');
      note.textContent = 'since change';
      mean.append(document.createElement('br'), note);
      mean.title = `posterior mean of the ${a.rewardsSinceChange} rewards since the change; all-time mean ${meanText(a.meanReward, m)}`;
    }
    tr.append(name, action, cell(a.status, 'status'), cell(String(a.decisions), 'num decisions'), mean, cell(ci, 'interval'),
      cell(prob(a.probabilityBest), 'num pbest'), cell(sig(a.expectedLoss, 2), 'num loss'), cell(guardrailText(a.guardrails, experiment.guardrails), 'guardrails'),
      cell(disabledText, 'why'));
    // The column names, for the stacked layout of narrow screens.
    const heads = [...$('leaderboard').querySelectorAll('thead th')].map((th) => th.textContent);
    [...tr.children].forEach((td, j) => { td.dataset.label = heads[j]; });
    return tr;
  }));
}

/** The Disable button's second state: it now disables for real (for 15 s, across refreshes). */
function armConfirm(b) {
  b.dataset.confirm = 'yes';
  b.textContent = `Confirm: disable ${b.dataset.arm}`;
  b.className = 'confirm';
  b.setAttribute('aria-label', `Confirm disabling arm ${b.dataset.arm}`);
}

/**
 * Vertical marks: each arm's current disable at its time, and earlier disables seen in the history;
 * with change detection, each detected change (the report's and the history points') at its change
 * point, dotted, in the arm's colour.
 */
function marksOf(report, points) {
  const marks = [];
  const seen = new Set();
  const changes = [...report.arms.map((a) => [a.armId, a.changes ?? []]), ...points.flatMap((p) => p.arms.map((a) => [a.armId, a.changes ?? []]))];
  for (const [armId, list] of changes) {
    for (const c of list) {
      if (seen.has(`${armId}|${c.at}`)) continue;
      seen.add(`${armId}|${c.at}`);
      const i = report.arms.findIndex((a) => a.armId === armId);
      marks.push({ x: Date.parse(c.at) / 1000, color: colorOf(i), label: `${armId} changed`, dash: [2, 3] });
    }
  }
  for (const a of report.arms) {
    if (a.disabled) marks.push({ x: Date.parse(a.disabled.at) / 1000, color: a.disabled.source === 'guardrail' ? '#dc2626' : '#6b7280', label: `${a.armId} disabled` });
  }
  for (let i = 1; i < points.length; i++) {
    for (const arm of points[i].arms) {
      const before = points[i - 1].arms.find((p) => p.armId === arm.armId);
      const current = report.arms.find((a) => a.armId === arm.armId);
      if (before?.status === 'active' && arm.status === 'disabled' && !current?.disabled) {
        marks.push({ x: Date.parse(points[i].ts) / 1000, color: '#6b7280', label: `${arm.armId} disabled (re-enabled since)` });
      }
    }
  }
  return marks;
}

function renderCharts(report, history) {
  const names = report.arms.map((a) => a.armId);
  const xs = history.points.map((p) => Date.parse(p.ts) / 1000);
  const series = (field) => names.map((n) => history.points.map((p) => p.arms.find((a) => a.armId === n)?.[field] ?? null));
  const marks = marksOf(report, history.points);
  // The history's probabilityBest is the report's (service/judged.ts): same quantity, same evidence.
  const pbest = series('probabilityBest');
  charts.pbest.update(xs, pbest, names, marks);
  $('pbest-basis').textContent = report.basis?.quantity === 'netValue' ? `of the net value (reward − ${report.basis.costWeight} × cost)` : '';
  $('chart-pbest').dataset.latest = JSON.stringify(Object.fromEntries(names.map((n, i) => [n, pbest[i].at(-1) ?? null])));
  charts.allocation.update(xs, series('allocation'), names, marks);
  charts.mean.update(xs, series('meanReward'), names, marks);
  // The hurdle model's mean has no closed-form density (it is known by its draws): no curves, the intervals say it.
  const d = report.arms.some((a) => a.posterior.kind === 'hurdle-lognormal') ? { xs: [], ys: names.map(() => []) } : densities(report.arms.map((a) => a.posterior));
  charts.density.update(d.xs, d.ys, names);
  $('density-note').textContent = d.xs.length === 0 && report.arms.length > 0 ? '(hurdle model: see the intervals)' : report.basis?.quantity === 'netValue' ? '(of the reward, before cost)' : '';

  const h = report.holdback;
  const always = h.alwaysValid?.interval95;
  const label = always ? 'always-valid 95% (holds under continuous monitoring)' : 'fixed-horizon 95% (valid for one look only)';
  $('lift-caption').textContent = `Holdback lift: bandit minus holdback mean reward (${h.percent}% holdback)`;
  drawLift($('chart-lift'), h.lift, always ?? h.liftInterval95, label, h.percent);
}

/** The history of the last HISTORY_SPAN_MS: read once, then only the points after the newest one kept. */
async function newHistory(id) {
  const since = Date.now() - HISTORY_SPAN_MS;
  const newest = kept?.id === id ? kept.points.at(-1) : undefined;
  const res = await api.history(id, newest ? Date.parse(newest.ts) + 1000 : since);
  const points = newest ? [...kept.points, ...res.points] : res.points;
  kept = { id, intervalSeconds: res.intervalSeconds, points: points.filter((p) => Date.parse(p.ts) >= since) };
  return kept;
}

async function refresh() {
  try {
    const { experiments } = await api.experiments();
    renderList(experiments);
    renderLanding(experiments);
    const id = selected();
    $('experiment').hidden = !id;
    $('empty').hidden = Boolean(id);
    if (id) {
      const [report, experiment, history] = await Promise.all([api.report(id), api.experiment(id), newHistory(id)]);
      $('exp-title').textContent = id;
      const t = report.totals;
      $('exp-meta').textContent = `${report.policy} · ${report.rewardModel} · ${report.status}${report.ended ? ' (ended)' : ''} · `
        + `${t.decisions} decisions, ${t.rewards} rewards · history every ${history.intervalSeconds} s`;
      renderDecision(report);
      $('exp-who').textContent = whoIsIn(experiment);
      renderLeaderboard(report, experiment);
      renderMetrics(report);
      renderCharts(report, history);
      last = { report, history };
    }
    $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? 0) + 1);
    clearAlert('refresh');
  } catch (err) {
    showAlert(err, 'refresh');
  }
}

$('leaderboard').addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-action]');
  if (!b) return;
  // Disabling an arm asks once more, in place: the first click arms the button, the second acts (a refresh resets it).
  if (b.dataset.action === 'disable' && b.dataset.confirm !== 'yes') {
    pending = { arm: b.dataset.arm, until: Date.now() + 15_000 };
    armConfirm(b);
    return;
  }
  pending = null;
  b.disabled = true;
  try {
    await (b.dataset.action === 'disable' ? api.disable(selected(), b.dataset.arm) : api.enable(selected(), b.dataset.arm));
    clearAlert('action');
    $('updated').textContent = `Arm ${b.dataset.arm} ${b.dataset.action}d`;
    await refresh();
  } catch (err) {
    showAlert(err, 'action');
    b.disabled = false;
    if (b.dataset.action === 'disable') { // back to its first state: a new attempt asks again
      delete b.dataset.confirm;
      b.textContent = 'Disable';
      b.className = 'kill';
      b.setAttribute('aria-label', `Disable arm ${b.dataset.arm}`);
    }
  }
});

$('key-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  key.set($('api-key').value.trim());
  $('api-key').value = '';
  $('api-key').placeholder = key.get() ? 'a key is set for this tab' : 'read or admin key (kept for this tab only)';
  clearAlert('action');
  refresh();
});
$('key-forget').addEventListener('click', () => {
  key.set('');
  $('api-key').placeholder = 'read or admin key (kept for this tab only)';
  refresh();
});

window.addEventListener('hashchange', refresh);
let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    Object.values(charts).forEach((c) => c.resize());
    if (last) renderCharts(last.report, last.history);
  }, 150);
});

if (key.get()) $('api-key').placeholder = 'a key is set for this tab';
// uPlot's script is deferred, like this module: both have run before DOMContentLoaded.
refresh();
setInterval(refresh, REFRESH_MS);
