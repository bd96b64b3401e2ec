/** How traffic was split between arms: shares of decisions over an interval, and the split's entropy. */

/**
 * Each arm's share of the decisions made between two cumulative counts (`before` may be shorter or
 * absent: those arms start from 0). Null for every arm when no decision was made in between.
 */
export function allocationShares(now: readonly number[], before: readonly (number | undefined)[] = []): (number | null)[] {
  const delta = now.map((n, i) => Math.max(0, n - (before[i] ?? 0)));
  const total = delta.reduce((a, b) => a + b, 0);
  return delta.map((d) => (total > 0 ? d / total : null));
}

/**
 * Shannon entropy of a split in bits: 0 when one arm takes everything, log2(k) for an even split
 * of k arms (Shannon 1948). Null shares count as 0; null when there is no share at all.
 */
export function entropyBits(shares: readonly (number | null)[]): number | null {
  if (shares.every((s) => s === null)) return null;
  let h = 0;
  for (const s of shares) if (s !== null && s > 0) h -= s * Math.log2(s);
  return h;
}
