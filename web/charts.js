// Charts: uPlot line charts (time series and densities) and the holdback lift as a small SVG.
/* global uPlot */

export const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
export const colorOf = (i) => COLORS[i % COLORS.length];
const HEIGHT = 220;

/** A range that is never empty (one point, or none, still gets an axis). */
const widen = (min, max) => {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) {
    const now = Date.now() / 1000;
    return [now - 3600, now]; // no data: the last hour
  }
  return max > min ? [min, max] : [min - 60, max + 60];
};
const width = (el) => Math.max(260, el.clientWidth || el.parentElement.clientWidth || 600);

/**
 * A line chart kept across refreshes: recreated only when its series change (another experiment,
 * other arms), otherwise given new data. `marks` are vertical lines: {x, color, label, dash?}; their
 * labels are also kept in the element's data-marks (what the browser tests read).
 */
export class LineChart {
  constructor(el, { time = true, yRange = null, yLabel = '', emptyText = 'No data yet' } = {}) {
    this.emptyText = emptyText;
    this.el = el;
    this.time = time;
    this.yRange = yRange;
    this.yLabel = yLabel;
    this.plot = null;
    this.signature = '';
    this.marks = [];
  }

  update(xs, series, names, marks = []) {
    this.marks = marks;
    this.el.dataset.marks = marks.map((m) => m.label).join('; ');
    const signature = names.join('\u0000');
    const data = [xs, ...series];
    if (this.plot && signature === this.signature) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.signature = signature;
    const chart = this;
    this.plot = new uPlot({
      width: width(this.el),
      height: HEIGHT,
      // The x range reaches the newest mark too: an arm disabled after the last point is still shown.
      scales: {
        x: { time: this.time, range: (u, min, max) => widen(min, Math.max(max, ...chart.marks.map((m) => m.x))) },
        y: this.yRange ? { range: this.yRange } : { auto: true },
      },
      series: [{ label: this.time ? 'time' : 'mean' }, ...names.map((n, i) => ({
        label: n, stroke: colorOf(i), width: 2, spanGaps: true, points: { show: xs.length < 3 },
      }))],
      axes: [{}, { label: this.yLabel, size: 56 }],
      legend: { live: false },
      hooks: { draw: [(u) => chart.drawMarks(u)] },
    }, data, this.el);
  }

  drawMarks(u) {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
    if (u.data[0].length === 0) {
      ctx.fillStyle = '#6b7280';
      ctx.textAlign = 'center';
      ctx.fillText(this.emptyText, bbox.left + bbox.width / 2, bbox.top + bbox.height / 2);
      ctx.textAlign = 'start';
    }
    for (const m of this.marks) {
      const x = u.valToPos(m.x, 'x', true);
      if (!(x >= bbox.left && x <= bbox.left + bbox.width)) continue;
      ctx.strokeStyle = m.color;
      ctx.fillStyle = m.color;
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash((m.dash ?? [6, 4]).map((d) => d * devicePixelRatio));
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      ctx.fillText(m.label, Math.min(x + 4 * devicePixelRatio, bbox.left + bbox.width - ctx.measureText(m.label).width), bbox.top + 12 * devicePixelRatio);
    }
    ctx.restore();
  }

  resize() {
    this.plot?.setSize({ width: width(this.el), height: HEIGHT });
  }
}

const SVG = 'http://www.w3.org/2000/svg';
function svgEl(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The lift (bandit minus holdback mean reward) with its 95% band, on an axis through zero. */
export function drawLift(el, lift, interval, bandLabel, holdbackPercent) {
  el.replaceChildren();
  const w = width(el);
  const h = 96;
  const svg = svgEl('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, class: 'lift' });
  if (lift === null || lift === undefined || !interval) {
    const why = holdbackPercent > 0 ? 'Not enough rewards in both the bandit and the holdback yet' : 'No holdback: holdbackPercent is 0';
    svg.append(svgEl('text', { x: w / 2, y: h / 2, 'text-anchor': 'middle', class: 'muted-text' }, why));
    el.append(svg);
    return;
  }
  const [lo, hi] = interval;
  const span = Math.max(Math.abs(lo), Math.abs(hi), Math.abs(lift), 1e-9) * 1.25;
  const pad = 24;
  const x = (v) => pad + ((v + span) / (2 * span)) * (w - 2 * pad);
  const y = 52;
  const positive = lo > 0;
  const negative = hi < 0;
  const color = positive ? '#16a34a' : negative ? '#dc2626' : '#2563eb';
  svg.append(
    svgEl('line', { x1: pad, x2: w - pad, y1: y, y2: y, stroke: '#9ca3af' }),
    svgEl('line', { x1: x(0), x2: x(0), y1: y - 22, y2: y + 22, stroke: '#6b7280', 'stroke-dasharray': '3 3' }),
    svgEl('text', { x: x(0), y: y + 38, 'text-anchor': 'middle', class: 'muted-text' }, '0'),
    svgEl('rect', { x: x(lo), y: y - 9, width: Math.max(2, x(hi) - x(lo)), height: 18, fill: color, 'fill-opacity': 0.25, stroke: color }),
    svgEl('circle', { cx: x(lift), cy: y, r: 6, fill: color }),
    svgEl('text', { x: x(lo), y: y - 16, 'text-anchor': 'middle', class: 'tick' }, fmtSigned(lo)),
    svgEl('text', { x: x(hi), y: y - 16, 'text-anchor': 'middle', class: 'tick' }, fmtSigned(hi)),
  );
  const note = document.createElement('p');
  note.className = 'lift-note';
  note.textContent = `lift ${fmtSigned(lift)}; band: ${bandLabel}`;
  el.append(svg, note);
}

export const fmtSigned = (v) => (v > 0 ? '+' : '') + (Math.abs(v) >= 1 ? Number(v).toPrecision(4) : Number(v).toFixed(3));
