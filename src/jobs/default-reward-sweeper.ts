/**
 * The default-reward sweep (service/default-rewards.ts): every DEFAULT_SWEEP_MS each replica applies
 * the due defaults of every experiment that has them. A timer only triggers it: the due set is the
 * store's, so nothing is lost with a process, and the reward's dedupe makes each default count once.
 */
import type { ExperimentConfig } from '../contract/domain.js';
import type { ServiceContext } from '../service/context.js';
import { applyDueDefaults } from '../service/default-rewards.js';

/** How often each replica looks for due defaults, and how long it keeps the list of experiments that have them. */
export const DEFAULT_SWEEP_MS = 1000;
const LIST_MAX_AGE_MS = 10_000;

/** The per-replica trigger: every DEFAULT_SWEEP_MS, the due defaults of every experiment that has them. */
export class DefaultRewardSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private list: { at: number; configs: ExperimentConfig[] } | null = null;

  constructor(private readonly ctx: ServiceContext, private readonly onError: (err: unknown) => void) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sweep(), DEFAULT_SWEEP_MS);
    this.timer.unref();
  }

  /** One pass (also what the timer runs); a pass still running is not started again. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const now = this.ctx.clock.now();
      if (!this.list || now - this.list.at > LIST_MAX_AGE_MS) {
        this.list = { at: now, configs: (await this.ctx.store.listExperiments()).map((s) => s.config).filter((c) => c.defaultReward) };
      }
      let n = 0;
      for (const c of this.list.configs) n += await applyDueDefaults(this.ctx, c);
      return n;
    } catch (err) {
      this.onError(err);
      return 0;
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
