/**
 * The policy registry: the one list of policies. Adding one is its own file, a line here and its
 * name in contract/policy-names.ts (the request schema's enum and the config's type come from there).
 */
import { fixedPolicy } from './fixed.js';
import { withFloor } from './floor.js';
import { POLICY_NAMES, type PolicyName } from '../contract/policy-names.js';
import type { Policy } from './policy.js';
import { thompsonPolicy } from './thompson.js';
import { ucbPolicy } from './ucb.js';
import { linearThompsonPolicy } from './linear-thompson.js';
import { linearUcbPolicy } from './linear-ucb.js';

export { POLICY_NAMES, type PolicyName };

const POLICIES: { readonly [P in PolicyName]: Policy<unknown> } = {
  thompson: thompsonPolicy,
  ucb: ucbPolicy,
  fixed: fixedPolicy,
  'linear-thompson': linearThompsonPolicy,
  'linear-ucb': linearUcbPolicy,
};

/** Policies whose choice is a fixed split: no floor (their shares are set by the weights). */
export const SPLIT_POLICIES: readonly PolicyName[] = ['fixed'];

/** The policy of an experiment, with its exploration floor mixed in (`minArmShare`, 0 for none). */
export function policyFor(name: PolicyName, minArmShare = 0): Policy<unknown> {
  const p = POLICIES[name];
  if (!p) throw new Error(`unknown policy '${name}'`);
  return SPLIT_POLICIES.includes(name) ? p : withFloor(p, minArmShare);
}
