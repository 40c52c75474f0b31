/**
 * The full event log of a run (SPEC §12): a header line naming the seed and the inputs, then one
 * JSON line per event, in publication order. Its `digest` is the SHA-256 of all those lines, so
 * two runs with the same digest published the same events, byte for byte. A log being replayed
 * is compared line by line as the run makes it; the first line that differs is kept.
 */
import { createHash, type Hash } from "node:crypto";
import type { Envelope } from "../../machines/envelope.ts";

/** What a run was made from: enough to make it again (`--replay`). */
export interface SimulationInputs {
  seed: number;
  /** The built-in catalog, when run without a configuration file. */
  catalog?: string;
  /** The configuration file, as given on the command line. */
  config?: string;
  profile?: string;
  /** `--daemons A,B`. */
  daemons?: string;
  /** `--duration` as the run understood it ("24h"). */
  duration: string;
  /** Every fault kind's rate, as a `--faults` value. */
  faults: string;
}

/** The header line's fixed part: which program wrote the log, and its format's version. */
export const LOG_FORMAT = { warden: "simulate", version: 1 } as const;

/** The first difference between a replayed run and its log. */
export interface LogDifference {
  /** 1-based line number in the log file. */
  line: number;
  expected: string | undefined;
  actual: string | undefined;
}

/**
 * The log of one run: its header, then each event appended.
 *
 * @example
 * const log = new EventLog(inputs, { keep: true });
 * manager.events$.subscribe((event) => log.append(event));
 * const digest = log.finish();
 */
export class EventLog {
  private readonly hash: Hash = createHash("sha256");
  private count = 0;
  /** The lines, when asked to keep them (`--events`). */
  readonly lines: string[] | undefined;
  /** The first line that differs from `expected`, when replaying. */
  difference: LogDifference | undefined;
  private readonly expected: readonly string[] | undefined;

  constructor(
    inputs: SimulationInputs,
    options: { keep?: boolean; expected?: readonly string[] } = {},
  ) {
    this.lines = options.keep === true ? [] : undefined;
    this.expected = options.expected;
    this.add(JSON.stringify({ ...LOG_FORMAT, ...inputs }));
  }

  /** Appends one event. */
  append(event: Envelope): void {
    this.add(JSON.stringify(event));
  }

  /** Events written (the header is not one). */
  get events(): number {
    return this.count - 1;
  }

  /** Ends the log: a replay's log with more lines than the run made differs at the first extra one. */
  finish(): string {
    const { expected } = this;
    if (expected && !this.difference && expected.length > this.count) {
      this.difference = { line: this.count + 1, expected: expected[this.count], actual: undefined };
    }
    return this.hash.digest("hex");
  }

  private add(line: string): void {
    this.hash.update(line);
    this.hash.update("\n");
    this.lines?.push(line);
    const expected = this.expected;
    if (expected && !this.difference && expected[this.count] !== line) {
      this.difference = { line: this.count + 1, expected: expected[this.count], actual: line };
    }
    this.count++;
  }
}

/**
 * The inputs of a log file's text: its header line, checked.
 *
 * @example
 * readLogHeader(readFileSync("run.jsonl", "utf8").split("\n")[0]!).seed; // 7
 */
export function readLogHeader(line: string | undefined): SimulationInputs {
  let header: unknown;
  try {
    header = JSON.parse(line ?? "");
  } catch {
    header = undefined;
  }
  const h = header as Partial<SimulationInputs & typeof LOG_FORMAT> | undefined;
  if (
    !h ||
    h.warden !== LOG_FORMAT.warden ||
    h.version !== LOG_FORMAT.version ||
    typeof h.seed !== "number" ||
    typeof h.duration !== "string" ||
    typeof h.faults !== "string"
  ) {
    throw new Error(
      `its first line is not the header of a \`warden simulate --events\` log (version ${LOG_FORMAT.version})`,
    );
  }
  const inputs: SimulationInputs = { seed: h.seed, duration: h.duration, faults: h.faults };
  if (typeof h.catalog === "string") inputs.catalog = h.catalog;
  if (typeof h.config === "string") inputs.config = h.config;
  if (typeof h.profile === "string") inputs.profile = h.profile;
  if (typeof h.daemons === "string") inputs.daemons = h.daemons;
  return inputs;
}
