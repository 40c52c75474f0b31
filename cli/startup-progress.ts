import type { LifecycleState } from "../machines/lifecycle-states.ts";
import { paint } from "./style.ts";

const CLEAR_LINE = "\r\x1b[2K";

/**
 * The one-line summary of a start in progress, e.g.
 * `starting: 4/7 running · starting alerter, reporter · waiting flaky-worker · failed x`.
 *
 * @example
 * progressLine(["a", "b"], new Map([["a", "RUNNING"], ["b", "STARTING"]]), false, 80);
 * // "starting: 1/2 running · starting b"
 */
export function progressLine(
  names: readonly string[],
  states: ReadonlyMap<string, LifecycleState>,
  color: boolean,
  columns = 100,
): string {
  const groups: Record<"starting" | "waiting" | "failed", string[]> = {
    starting: [],
    waiting: [],
    failed: [],
  };
  let running = 0;
  for (const name of names) {
    const state = states.get(name) ?? "PENDING";
    if (state === "RUNNING") running++;
    else if (state === "STARTING") groups.starting.push(name);
    else if (state === "FAILED") groups.failed.push(name);
    else groups.waiting.push(name);
  }
  const parts = [`starting: ${running}/${names.length} running`];
  if (groups.starting.length > 0) parts.push(`starting ${groups.starting.join(", ")}`);
  if (groups.waiting.length > 0) parts.push(`waiting ${groups.waiting.join(", ")}`);
  if (groups.failed.length > 0) {
    parts.push(paint(color, "red", `failed ${groups.failed.join(", ")}`));
  }
  const text = parts.join(" · ");
  // Colour codes do not take room on screen; plain text is cut to the terminal's width.
  return !color && text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text;
}

/**
 * `warden up`'s startup progress on a terminal: one line at the bottom of standard error,
 * redrawn as daemons move, kept below whatever else is printed, and cleared when the start is
 * over.
 */
export class StartupProgress {
  private readonly states = new Map<string, LifecycleState>();
  private shown = false;
  private active = true;

  constructor(
    private readonly names: readonly string[],
    private readonly write: (text: string) => void,
    private readonly color: boolean,
    private readonly columns: () => number | undefined,
  ) {}

  update(name: string, state: LifecycleState): void {
    if (!this.names.includes(name)) return;
    this.states.set(name, state);
    this.around(() => {});
  }

  /** Runs `print` with the progress line out of its way, then draws the line again. */
  around(print: () => void): void {
    if (!this.active) return print();
    this.clear();
    print();
    this.write(progressLine(this.names, this.states, this.color, this.columns() ?? 100));
    this.shown = true;
  }

  /** The start is over: the line goes away for good. */
  finish(): void {
    this.clear();
    this.active = false;
  }

  private clear(): void {
    if (this.shown) this.write(CLEAR_LINE);
    this.shown = false;
  }
}
