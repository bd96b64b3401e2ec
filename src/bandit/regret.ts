// Plug-in regret: what the decisions made so far cost against always playing the arm whose
// posterior mean is highest now. "Plug-in" because the unknown true means are replaced by
// today's posterior means: it estimates the price of exploration, and it is itself uncertain
// (it can shrink as posteriors move, and it is 0 when all means are equal).

export interface PlugInRegret {
  /** sum_i decisions_i (max(means) - means_i), in reward units */
  cumulative: number;
  /** cumulative / total decisions; 0 when there are none */
  perDecision: number;
}

/** `eligible`: the arms the best may be (the enabled ones; default all); every arm's decisions count. */
export function plugInRegret(means: number[], decisions: number[], eligible?: boolean[]): PlugInRegret {
  if (means.length !== decisions.length) throw new RangeError('means and decisions must have the same length');
  if (means.length === 0) return { cumulative: 0, perDecision: 0 };
  const candidates = eligible ? means.filter((_, i) => eligible[i]) : means;
  const best = candidates.length > 0 ? Math.max(...candidates) : Math.max(...means);
  let cumulative = 0;
  let total = 0;
  for (let i = 0; i < means.length; i++) {
    cumulative += decisions[i] * (best - means[i]);
    total += decisions[i];
  }
  return { cumulative, perDecision: total > 0 ? cumulative / total : 0 };
}
