/**
 * A warning that a daemon can trigger at will (a malformed notify line), logged without letting
 * the daemon flood the manager's log: the first `burst` of a period in full, then one summary
 * per period saying how many were held back, with the latest of them. Every warning is counted.
 * A flood that goes on gets a summary per period and no new burst; after a quiet period the
 * next warnings are logged in full again.
 */
import { systemClock, type WardenClock } from "./clock.ts";

/** Warnings logged in full at the start of a period. */
export const DEFAULT_WARNING_BURST = 5;
/** At most one summary line per this many milliseconds. */
export const DEFAULT_WARNING_PERIOD_MS = 10_000;

export interface RateLimitedWarningOptions {
  /** Where the lines go. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** What is held back, in the plural, for the summary: "malformed notify messages". */
  what: string;
  /** Default DEFAULT_WARNING_BURST. */
  burst?: number;
  /** Default DEFAULT_WARNING_PERIOD_MS. */
  periodMs?: number;
  /** Default the wall clock; its timers are unref'd so that a pending summary never keeps a process alive. */
  clock?: WardenClock;
}

/**
 * @example
 * const malformed = new RateLimitedWarning({
 *   what: "malformed notify messages",
 *   warn: (message, fields) => logger.warn(message, fields),
 * });
 * malformed.warn("malformed notify message", { error, line });
 */
export class RateLimitedWarning {
  /** Every warning since construction, logged or not. */
  total = 0;
  private readonly burst: number;
  private readonly periodMs: number;
  private readonly clock: WardenClock;
  /** When the current period began; undefined before the first warning. */
  private periodStart: number | undefined;
  private loggedInPeriod = 0;
  private heldBack = 0;
  private latest: { message: string; fields: Record<string, unknown> | undefined } | undefined;
  private timer: unknown;

  constructor(private readonly options: RateLimitedWarningOptions) {
    this.burst = positiveInteger("burst", options.burst ?? DEFAULT_WARNING_BURST);
    this.periodMs = positiveInteger("periodMs", options.periodMs ?? DEFAULT_WARNING_PERIOD_MS);
    this.clock = options.clock ?? systemClock;
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.total++;
    const now = this.clock.now();
    if (this.periodStart === undefined || now - this.periodStart >= this.periodMs) {
      this.periodStart = now;
      this.loggedInPeriod = 0;
    }
    if (this.loggedInPeriod < this.burst) {
      this.loggedInPeriod++;
      this.options.warn(message, fields);
      return;
    }
    this.heldBack++;
    this.latest = { message, fields };
    if (this.timer === undefined) {
      this.timer = this.clock.setTimeout(
        () => this.summarize(),
        this.periodStart + this.periodMs - now,
      );
      (this.timer as { unref?: () => void } | null)?.unref?.();
    }
  }

  /** Logs the summary of what is held back now, rather than at the end of the period. */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.summarize();
  }

  private summarize(): void {
    this.timer = undefined;
    if (this.heldBack === 0 || !this.latest) return;
    const { message, fields } = this.latest;
    this.options.warn(
      `${this.heldBack} more ${this.options.what} not logged (${this.total} in all); the latest: ${message}`,
      { ...fields, suppressed: this.heldBack, total: this.total },
    );
    this.heldBack = 0;
    this.latest = undefined;
    // The flood may go on: the next period gets no burst, only its summary.
    this.periodStart = this.clock.now();
    this.loggedInPeriod = this.burst;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`RateLimitedWarning ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
