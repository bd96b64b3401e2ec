/**
 * The policy registry: the one list of policies. Adding one is its own file plus a line here
 * (the request schema's enum is derived from POLICY_NAMES).
 */
import { fixedPolicy } from './fixed.js';
import { withFloor } from './floor.js';
import type { Policy } from './policy.js';
import { thompsonPolicy } from './thompson.js';
import { ucbPolicy } from './ucb.js';

export const POLICY_NAMES = ['thompson', 'ucb', 'fixed'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

const POLICIES: { readonly [P in PolicyName]: Policy<unknown> } = {
  thompson: thompsonPolicy,
  ucb: ucbPolicy,
  fixed: fixedPolicy,
};

/** Policies whose choice is a fixed split: no floor (their shares are set by the weights). */
export const SPLIT_POLICIES: readonly PolicyName[] = ['fixed'];

/** The policy of an experiment, with its exploration floor mixed in (`minArmShare`, 0 for none). */
export function policyFor(name: PolicyName, minArmShare = 0): Policy<unknown> {
  const p = POLICIES[name];
  if (!p) throw new Error(`unknown policy '${name}'`);
  return SPLIT_POLICIES.includes(name) ? p : withFloor(p, minArmShare);
}
