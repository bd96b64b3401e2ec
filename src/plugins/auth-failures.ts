/**
 * Failed authentication, limited per client address: past `max` failures (no key, or an unknown
 * or revoked one) within `windowMs`, the address's requests that would fail get 429 `rate_limited`
 * (with Retry-After) until the window ends, instead of a 401 each. A valid key from the same address
 * is still served: keys are 192 random bits, so the limit is against floods of failed attempts (log
 * lines, CPU), not guessing, and a service behind the same NAT is not locked out by another's typo.
 * Counted per replica, in memory, at most MAX_ADDRESSES addresses (the oldest window forgotten first).
 */
const MAX_ADDRESSES = 10_000;

export const AUTH_FAILURES_MAX = 30;
export const AUTH_FAILURES_WINDOW_MS = 60_000;

interface Window { start: number; failures: number }

export class AuthFailures {
  private readonly byAddress = new Map<string, Window>();

  constructor(private readonly now: () => number, readonly max = AUTH_FAILURES_MAX, readonly windowMs = AUTH_FAILURES_WINDOW_MS) {}

  /** Seconds to wait when the address is over the limit, else null. */
  blockedFor(address: string): number | null {
    const w = this.current(address);
    return w && w.failures >= this.max ? Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000)) : null;
  }

  /** Notes one failure of the address. */
  fail(address: string): void {
    const w = this.current(address);
    if (w) {
      w.failures++;
      return;
    }
    if (this.byAddress.size >= MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value as string);
    this.byAddress.set(address, { start: this.now(), failures: 1 });
  }

  private current(address: string): Window | undefined {
    const w = this.byAddress.get(address);
    if (w && this.now() - w.start >= this.windowMs) {
      this.byAddress.delete(address);
      return undefined;
    }
    return w;
  }
}
