/**
 * Runs writeHistory just after each interval boundary (real time), on every replica; the store
 * keeps one point per interval whichever replica writes first. A failed round (store down) is
 * reported and the next boundary tries again; the missed interval stays a gap in the history.
 */
import type { ServiceContext } from '../service/context.js';
import { writeHistory, type HistorySettings } from '../service/history.js';

/** After the boundary, so a replica's clock a little behind still lands in the new interval. */
const AFTER_BOUNDARY_MS = 250;

export class HistoryWriter {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly settings: HistorySettings,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Writes the current interval's points now (a replica that starts fills the gap at once), then at every boundary. */
  start(): void {
    if (this.timer) return;
    this.round();
    this.schedule();
  }

  private schedule(): void {
    const intervalMs = this.settings.intervalSeconds * 1000;
    const delay = intervalMs - (Date.now() % intervalMs) + AFTER_BOUNDARY_MS;
    this.timer = setTimeout(() => {
      this.round();
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  private round(): void {
    if (this.running) return; // the previous round is still going (a slow store): skip this one
    this.running = writeHistory(this.ctx, this.settings).then(() => {}, this.onError).finally(() => { this.running = null; });
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
