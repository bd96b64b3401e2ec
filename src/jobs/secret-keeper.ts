/**
 * The decision secret when DECISION_SECRET is not set: the one the store keeps for every replica.
 *
 * `check()` (at start, every CHECK_EVERY_MS and on each /ready) offers the store the secret this
 * replica holds (`getOrCreateSecret` sets it only where none exists and answers the stored one),
 * so after Redis loses its data the first replica to reconnect restores the secret it holds. A
 * replica that finds another secret in the store (a new replica created one while this one was cut
 * off) disagrees: it stops signing and verifying (503 on the decision routes) and /ready fails,
 * until it is restarted or DECISION_SECRET is set. Replicas therefore never answer with two secrets.
 */
import { randomUUID } from 'node:crypto';
import { DecisionSigner } from '../assignment/decision-token.js';
import { ApiError } from '../errors.js';
import { StoreUnavailableError, type SecretStore } from '../store/store.js';
import type { ServiceContext } from '../service/context.js';

export const CHECK_EVERY_MS = 1000;
export type SecretState = 'unknown' | 'ok' | 'mismatch';

export class SecretKeeper {
  state: SecretState = 'unknown';
  private held: string | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly store: SecretStore, private readonly ctx: ServiceContext, private readonly onState: (s: SecretState) => void = () => {}) {}

  /** Checks now and then every CHECK_EVERY_MS; never throws. */
  start(): void {
    void this.check().catch(() => {});
    this.timer = setInterval(() => void this.check().catch(() => {}), CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One round trip; throws StoreUnavailableError when the store cannot answer. */
  async check(): Promise<SecretState> {
    if (this.state === 'mismatch') return this.state;
    const stored = await this.store.getOrCreateSecret(this.held ?? randomUUID() + randomUUID());
    if (this.held === null) {
      this.held = stored;
      this.ctx.signer = new DecisionSigner(stored);
      this.set('ok');
    } else if (stored !== this.held) this.set('mismatch');
    return this.state;
  }

  /** For the decision routes: throws a 503 unless the secret is known and agreed. */
  assertUsable(): void {
    if (this.state === 'ok') return;
    if (this.state === 'unknown') throw new StoreUnavailableError('the decision secret has not been read from the store yet');
    throw new ApiError('secret_mismatch', 'the store holds another decision secret than this replica (Redis lost its data and another replica made a new one): restart this replica, or set DECISION_SECRET on every replica');
  }

  private set(s: SecretState): void {
    if (s !== this.state) { this.state = s; this.onState(s); }
  }
}
