// The metrics table (issue 22): each declared metric by arm (bandit population), the direction
// that is better, and for each arm whether its difference from the baseline is established
// (always-valid p-value at or below the Bonferroni threshold the report states).
const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 3) => (v === null || v === undefined ? '–' : Number(v).toFixed(digits));

function td(text, cls) {
  const el = document.createElement('td');
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

/** The verdict of one arm against the baseline: better, worse, or not established (with the difference). */
function verdict(v) {
  if (!v || v.difference === null) return { text: 'too few values', cls: 'pending' };
  const diff = `${v.difference > 0 ? '+' : ''}${fmt(v.difference)}`;
  if (!v.established) return { text: `${diff} (not established)`, cls: 'pending' };
  return v.better ? { text: `${diff} better`, cls: 'better' } : { text: `${diff} worse`, cls: 'worse' };
}

export function renderMetrics(report) {
  const section = $('metrics-section');
  const names = Object.keys(report.metrics ?? {});
  section.hidden = names.length === 0;
  if (names.length === 0) return;
  const arms = report.arms.map((a) => a.armId);
  const baseline = report.arms.find((a) => a.baseline)?.armId;
  const head = $('metrics-table').querySelector('thead tr');
  const th = (text) => { const el = document.createElement('th'); el.scope = 'col'; el.textContent = text; return el; };
  head.replaceChildren(th('Metric'), th('Better'), ...arms.map((a) => th(a === baseline ? `${a} (baseline)` : a)));
  $('metrics-table').querySelector('tbody').replaceChildren(...names.map((name) => {
    const m = report.metrics[name];
    const tr = document.createElement('tr');
    tr.dataset.metric = name;
    const cells = m.arms.map((a) => {
      const v = m.vsBaseline.find((x) => x.armId === a.armId);
      const mean = `${fmt(a.mean)} (n ${a.n})`;
      const breach = a.window?.breach ? ' · guardrail breached' : '';
      if (a.armId === baseline) return td(mean + breach, 'baseline');
      const { text, cls } = verdict(v);
      const cell = td(`${mean} · ${text}${breach}`, cls);
      cell.dataset.arm = a.armId;
      return cell;
    });
    tr.append(td(name, 'name'), td(m.direction === 'increase' ? 'higher' : 'lower', 'direction'), ...cells);
    return tr;
  }));
  const c = report.metricComparisons;
  $('metrics-note').textContent = c
    ? `${c.count} comparisons against the baseline, always-valid; established at p ≤ ${+c.perComparisonAlpha.toPrecision(3)} (Bonferroni, family-wise ${c.familyAlpha}).`
    : '';
}
