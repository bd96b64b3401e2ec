/**
 * Turns of the event loop for the readers of the log (export, evaluate, replay): decisions first.
 *
 * Every reader waits here before each page, and one waiter goes on per turn of the event loop, so
 * twenty concurrent exports hold the loop for one page at a time, not twenty, and the requests
 * waiting on I/O are served between any two pages. Reads also take only what the loop has to
 * spare: when the loop was busy more than READ_SHARE of the last moments (event-loop utilization,
 * which counts decisions and pages alike), the next page waits for a timer of READ_PAUSE_MS
 * instead of the next turn, so a loop full of decisions runs them, not pages. Readers share what
 * is left: a long export is slow while decisions run, never the other way round.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * Events read per page by every reader of the log: decoding, encoding and signing one page of an
 * export takes about a millisecond (bench/serving/log-load.ts), so a page in the way of a decision costs it that.
 */
export const LOG_PAGE = 100;
/** The share of the event loop's time past which reads pause (READ_PAUSE_MS) before their next page. */
export const READ_SHARE = 0.5;
export const READ_PAUSE_MS = 2;
/** The utilization is judged over windows of this length (about ten pages). */
const WINDOW_MS = 10;

const waiting: (() => void)[] = [];
let scheduled = false;
let windowStart: EventLoopUtilization = performance.eventLoopUtilization();
let windowStartedAt = performance.now();
/** The last window's utilization, judged once WINDOW_MS has passed. */
let busy = 0;

function loopBusy(): number {
  const now = performance.now();
  if (now - windowStartedAt >= WINDOW_MS) {
    const elu = performance.eventLoopUtilization();
    busy = performance.eventLoopUtilization(elu, windowStart).utilization;
    windowStart = elu;
    windowStartedAt = now;
  }
  return busy;
}

function schedule(): void {
  scheduled = true;
  if (loopBusy() > READ_SHARE) setTimeout(nextTurn, READ_PAUSE_MS);
  else setImmediate(nextTurn);
}

function nextTurn(): void {
  const go = waiting.shift();
  scheduled = false;
  if (waiting.length > 0) schedule();
  go?.();
}

/** Resolves when it is this reader's turn to read a page. */
export function pageTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) schedule();
  });
}
