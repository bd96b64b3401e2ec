/** Issue 23's contextual instances (linear-instances.json, shared with bench/validity/reference/linear_reference.py) and their context draws. */
import { readFileSync } from 'node:fs';
import type { Rng } from '../../../src/bandit/random.js';

interface LinearSpec { base: number[]; segment: number[][]; wu: number[]; wv: number[] }
interface File { segments: string[]; horizon: number; reps: number; checkpoints: number[]; instances: Record<string, LinearSpec> }

export const LINEAR_FILE = JSON.parse(readFileSync(new URL('./linear-instances.json', import.meta.url), 'utf8')) as File;
export const LINEAR_KEYS = Object.keys(LINEAR_FILE.instances);

export interface SimContext { segment: string; u: number; v: number; s: number }

export const FEATURES = { segment: { type: 'categorical' as const, values: LINEAR_FILE.segments }, u: { type: 'numeric' as const }, v: { type: 'numeric' as const } };

export function drawContext(world: Rng): SimContext {
  const s = Math.min(LINEAR_FILE.segments.length - 1, Math.floor(world() * LINEAR_FILE.segments.length));
  return { segment: LINEAR_FILE.segments[s], s, u: 2 * world() - 1, v: 2 * world() - 1 };
}

/** Every arm's mean reward at the context. */
export function meansAt(key: string, c: SimContext, out: Float64Array): Float64Array {
  const p = LINEAR_FILE.instances[key];
  for (let k = 0; k < p.base.length; k++) out[k] = p.base[k] + p.segment[k][c.s] + c.u * p.wu[k] + c.v * p.wv[k];
  return out;
}

export const armCount = (key: string): number => LINEAR_FILE.instances[key].base.length;
