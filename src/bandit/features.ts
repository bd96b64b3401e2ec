/**
 * The encoding of a request's context into the linear policies' vector (issue 23), as declared by
 * contract/features.ts: x = [1 (intercept), each numeric feature's value, each categorical
 * feature's indicators of its listed values], in the declaration's order.
 *
 * Two steps: `compactContext` reads the context into one number per feature (the numeric value, 0
 * when missing; the categorical level's index, -1 for a missing or unlisted value). That compact
 * form is what a decision id carries to its reward (assignment/decision-token.ts), so a reward
 * finds its features however large the context was. `encodeCompact` expands it into x.
 */
import type { Feature, Features } from '../contract/features.js';

export type FeatureIssue = { path: string; message: string };

/** One number per declared feature; issues for a numeric value that is not a finite number. */
export function compactContext(features: Features, context: Readonly<Record<string, unknown>> | undefined): { values: number[]; issues: FeatureIssue[] } {
  const values: number[] = [];
  const issues: FeatureIssue[] = [];
  for (const [name, f] of Object.entries(features)) {
    const v = context && Object.hasOwn(context, name) ? context[name] : undefined; // own fields only: a feature may be named 'constructor'
    if (f.type === 'numeric') {
      if (v === undefined || v === null) values.push(0);
      else if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 1e15) values.push(v);
      else {
        values.push(0);
        issues.push({ path: `context.${name}`, message: `feature '${name}' is numeric: expected a finite number (or null / absent for 0), got ${JSON.stringify(v)?.slice(0, 40)}` });
      }
    } else {
      values.push(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? f.values.indexOf(String(v)) : -1);
    }
  }
  return { values, issues };
}

/** Encoded dimensions of one feature. */
const width = (f: Feature): number => (f.type === 'numeric' ? 1 : f.values.length);

/** x from the compact form (a value out of range, from a forged or older token, encodes as 0 / the reference level). */
export function encodeCompact(features: Features, compact: readonly number[], out?: Float64Array): Float64Array {
  const list = Object.values(features);
  let d = 1;
  for (const f of list) d += width(f);
  const x = out && out.length === d ? out.fill(0) : new Float64Array(d);
  x[0] = 1;
  let at = 1;
  list.forEach((f, i) => {
    const v = compact[i] ?? 0;
    if (f.type === 'numeric') x[at] = Number.isFinite(v) ? v : 0;
    else if (Number.isInteger(v) && v >= 0 && v < f.values.length) x[at + v] = 1;
    at += width(f);
  });
  return x;
}

/** The coefficients' names, in x's order: "(intercept)", "<numeric feature>", "<categorical feature>=<value>". */
export function coefficientNames(features: Features): string[] {
  const names = ['(intercept)'];
  for (const [name, f] of Object.entries(features)) {
    if (f.type === 'numeric') names.push(name);
    else for (const v of f.values) names.push(`${name}=${v}`);
  }
  return names;
}
