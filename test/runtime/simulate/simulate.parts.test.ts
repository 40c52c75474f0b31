/**
 * The simulator's small parts: the seeded generator, `--faults` and `--duration`, the clock's
 * order of timers, and the event rules on hand-made events (a lost event, a bad backoff).
 */
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../../machines/daemon-policy.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import { EventRules } from "../../../runtime/simulate/event-rules.ts";
import { DEFAULT_FAULTS, parseFaults } from "../../../runtime/simulate/fault-spec.ts";
import { InvariantLog } from "../../../runtime/simulate/invariants.ts";
import { mulberry32, seededStream } from "../../../machines/seeded-random.ts";
import { SimulationClock } from "../../../runtime/simulate/sim-clock.ts";
import { formatOffset, parseDuration } from "../../../runtime/simulate/sim-duration.ts";
import { wardenErrorOf } from "../../support/warden-error.ts";

describe("seeded random", () => {
  it("is mulberry32 (bryc's reference): the same outputs for seed 42 on every machine", () => {
    const random = mulberry32(42);
    expect([random(), random()]).toEqual([0.6011037519201636, 0.44829055899754167]);
  });

  it("gives each stream of a seed its own sequence, the same every time", () => {
    const draw = (seed: number, name: string) =>
      Array.from({ length: 3 }, seededStream(seed, name));
    expect(draw(7, "faults")).toEqual(draw(7, "faults"));
    expect(draw(7, "faults")).not.toEqual(draw(7, "jitter"));
    expect(draw(7, "faults")).not.toEqual(draw(8, "faults"));
  });
});

describe("--faults and --duration", () => {
  it("takes rates by name over the default mix; none zeroes the rest", () => {
    expect(parseFaults("crash=0.5")).toEqual({ ...DEFAULT_FAULTS, crash: 0.5 });
    expect(parseFaults("none,hang=1")).toMatchObject({ crash: 0, hang: 1, "dep-loss": 0 });
  });

  it("refuses an unknown name, a bad rate or a probability above 1, as usage (exit 2)", () => {
    for (const spec of ["crush=1", "crash=-1", "crash", "slow-start=2", "crash=x"]) {
      const error = wardenErrorOf(() => parseFaults(spec));
      expect(error.code, spec).toBe("WARDEN_ERR_USAGE");
      expect(error.exitCode).toBe(2);
    }
    expect(wardenErrorOf(() => parseFaults("crush=1")).message).toContain('"crush"');
  });

  it("reads durations in parts and prints offsets as a clock", () => {
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(wardenErrorOf(() => parseDuration("10")).code).toBe("WARDEN_ERR_USAGE");
    expect(formatOffset(90_061_005)).toBe("+1d 01:01:01.005");
  });
});

describe("SimulationClock", () => {
  it("fires timers by due time, ties in the order they were set, cleared ones never", () => {
    const clock = new SimulationClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b"), 20);
    clock.setTimeout(() => fired.push("a"), 10);
    const gone = clock.setTimeout(() => fired.push("x"), 10);
    clock.setTimeout(() => {
      fired.push("c");
      clock.setTimeout(() => fired.push("c0"), 0); // due now: fires in the same step
    }, 20);
    clock.clearTimeout(gone);
    expect(clock.nextDue()).toBe(1010);
    clock.fireDue(clock.nextDue()!);
    expect(fired).toEqual(["a"]);
    clock.fireDue(clock.nextDue()!);
    expect(fired).toEqual(["a", "b", "c", "c0"]);
    expect(clock.now()).toBe(1020);
    expect(clock.pending).toBe(0);
  });
});

describe("event rules", () => {
  const policy = resolvePolicy({ backoff: { initialMs: 500, maxMs: 30_000, factor: 2 } });
  const rules = () => {
    const log = new InvariantLog();
    const rules = new EventRules({
      daemons: [{ name: "db", policy, dependents: [] }],
      log,
      startedAt: 0,
      shuttingDown: () => false,
      stateOf: () => "RUNNING",
    });
    let seq = 0;
    const emit = (type: string, data: Record<string, unknown>, time = 0, skip = 0) => {
      seq += 1 + skip;
      const event: Envelope = {
        id: `sim-${seq.toString(36)}`,
        type,
        source: "warden",
        time,
        data: { daemon: "db", ...data },
      };
      rules.observe(event);
    };
    return { log, emit };
  };

  it("names a lost event: a gap in the ids, or a transition from a state never announced", () => {
    const { log, emit } = rules();
    emit("DAEMON_STARTING", { from: "PENDING" });
    emit("DAEMON_STARTED", { from: "STARTING" }, 100, 1);
    expect(log.first?.invariant).toBe("no-event-lost");
    expect(log.first?.message).toContain("1 missing");
    const other = rules();
    other.emit("DAEMON_STARTING", { from: "PENDING" });
    other.emit("DAEMON_STOPPING", { from: "RUNNING" }, 100);
    expect(other.log.first?.message).toBe(
      "db entered STOPPING from RUNNING, but its previous event announced STARTING",
    );
  });

  it("names a backoff beyond its cap", () => {
    const { log, emit } = rules();
    emit("DAEMON_STARTING", { from: "PENDING" });
    emit("DAEMON_STARTED", { from: "STARTING" }, 10);
    emit("DAEMON_RESTARTING", { from: "RUNNING", reason: "crash", attempt: 1, delayMs: 900 }, 20);
    expect(log.violations.map((v) => v.invariant)).toEqual(["backoff-bounds"]);
    expect(log.first?.message).toBe("db's restart 1 waits 900 ms, outside [0, 500]");
  });
});
