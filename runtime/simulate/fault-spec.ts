/**
 * The faults `warden simulate` injects (SPEC §12) and the `--faults` flag that sets their rates.
 * Two kinds of rate:
 * - per daemon per simulated hour of running (a Poisson process): `crash` (the daemon reports a
 *   crash), `hang` (it stops answering: health checks time out, heartbeats stop, its stop never
 *   finishes), `health` (its health check fails for a while), `heartbeat` (it stops sending
 *   heartbeats), `dep-loss` (a daemon that others depend on is taken away — stopped by command —
 *   for a few minutes, then started again);
 * - per start or stop: `slow-start` (the start takes ½ to 1½ × its start timeout), `stop-timeout`
 *   (the stop never finishes: the chart must force it).
 */
import { suggestion } from "../../machines/closest-name.ts";
import { WardenError } from "../../machines/errors.ts";

/** Every fault kind, by its `--faults` name, in the order the summary lists them. */
export const FAULT_KINDS = [
  "crash",
  "hang",
  "slow-start",
  "health",
  "stop-timeout",
  "dep-loss",
  "heartbeat",
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export type FaultRates = Readonly<Record<FaultKind, number>>;

/** Kinds whose rate is a probability per start or per stop, not a rate per hour. */
export const PER_OPERATION: ReadonlySet<FaultKind> = new Set(["slow-start", "stop-timeout"]);

/**
 * The default mix: over a simulated day of the 63-daemon catalog, some thirty crashes and a
 * dozen each of hangs, health failures and missed heartbeats, and a few dependencies lost.
 */
export const DEFAULT_FAULTS: FaultRates = {
  crash: 0.02,
  hang: 0.005,
  "slow-start": 0.02,
  health: 0.01,
  "stop-timeout": 0.02,
  "dep-loss": 0.005,
  heartbeat: 0.005,
};

/** No faults at all: `--faults none`. */
export const NO_FAULTS: FaultRates = Object.fromEntries(
  FAULT_KINDS.map((kind) => [kind, 0]),
) as unknown as FaultRates;

/**
 * The rates of `--faults crash=0.01,hang=0.002,...`: the named kinds take the given rates, the
 * others keep the default mix (`none` first zeroes them: `none,crash=0.1`). An unknown name or a
 * bad rate is WARDEN_ERR_USAGE (exit 2) naming it.
 *
 * @example
 * parseFaults("crash=0.1,stop-timeout=0").crash; // 0.1
 * parseFaults("none,hang=1")["slow-start"]; // 0
 */
export function parseFaults(spec: string | undefined): FaultRates {
  const rates: Record<FaultKind, number> = { ...DEFAULT_FAULTS };
  if (spec === undefined) return rates;
  for (const part of spec.split(",").map((text) => text.trim())) {
    if (part === "") continue;
    if (part === "none") {
      Object.assign(rates, NO_FAULTS);
      continue;
    }
    const [name = "", value, ...rest] = part.split("=");
    if (!(FAULT_KINDS as readonly string[]).includes(name)) {
      throw new WardenError(
        "WARDEN_ERR_USAGE",
        `--faults: unknown fault "${name}"${suggestion(name, FAULT_KINDS)}; known: ${FAULT_KINDS.join(", ")}`,
      );
    }
    const rate = value === undefined || rest.length > 0 ? NaN : Number(value);
    const kind = name as FaultKind;
    const bad = !Number.isFinite(rate) || rate < 0 || (PER_OPERATION.has(kind) && rate > 1);
    if (value === "" || bad) {
      const expected = PER_OPERATION.has(kind)
        ? "a probability between 0 and 1"
        : "a rate per daemon per hour, 0 or more";
      throw new WardenError(
        "WARDEN_ERR_USAGE",
        `--faults: ${name}=${value ?? ""} is not ${expected}, e.g. ${name}=0.01`,
      );
    }
    rates[kind] = rate;
  }
  return rates;
}

/** The `--faults` text that gives exactly `rates`, for the event log's header and replays. */
export function formatFaults(rates: FaultRates): string {
  return FAULT_KINDS.map((kind) => `${kind}=${rates[kind]}`).join(",");
}
