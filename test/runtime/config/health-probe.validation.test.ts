/**
 * `health.probe` in a configuration (SPEC §4): one probe of a known kind, on a process daemon
 * only; every problem names its path. The types check in `tsc --noEmit`.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { HealthProbe } from "../../../actors/process-spec.ts";
import { WardenError } from "../../../machines/errors.ts";
import type {
  DaemonCommonFields,
  ModuleDaemonDefinition,
  ProcessDaemonDefinition,
} from "../../../runtime/config/types.ts";
import { validateConfig } from "../../../runtime/config/validate-config.ts";

function detailsOf(raw: unknown): readonly string[] | undefined {
  try {
    validateConfig(raw, "warden.config.json");
  } catch (error) {
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe("WARDEN_ERR_CONFIG");
    return (error as WardenError).details as readonly string[];
  }
  throw new Error("expected the configuration to be rejected");
}

const withProbe = (probe: unknown) => ({
  daemons: { web: { command: "node", health: { intervalMs: 1000, probe } } },
});

describe("health.probe", () => {
  it("accepts one probe of each kind on a process daemon, returned as written", () => {
    const probes = [
      { http: "http://127.0.0.1:9000/health" },
      { tcp: 5432 },
      { exec: ["pg_isready", "-q"] },
      { notify: true },
    ];
    for (const probe of probes) {
      expect(validateConfig(withProbe(probe), "warden.config.json").daemons.web).toEqual({
        command: "node",
        health: { intervalMs: 1000, probe },
      });
    }
  });

  it("is a configuration error on a module daemon, naming the path", () => {
    const raw = { daemons: { db: { module: "./db.ts", health: { probe: { tcp: 5432 } } } } };
    expect(detailsOf(raw)).toEqual([
      'warden.config.json: daemons.db.health.probe: expected "health.probe" only on a daemon with "command" or "python" (a module has healthCheck()), got it on a daemon with "module"',
    ]);
    // The rest of `health` is a module's too.
    const cadence = { daemons: { db: { module: "./db.ts", health: { intervalMs: 500 } } } };
    expect(validateConfig(cadence, "warden.config.json").daemons.db).toEqual(cadence.daemons.db);
  });

  it("rejects an unknown kind with the known ones, and not exactly one kind", () => {
    expect(detailsOf(withProbe({ grpc: 9000 }))).toEqual([
      'warden.config.json: daemons.web.health.probe: expected exactly one of "http", "tcp", "exec", "notify", got none',
      'warden.config.json: daemons.web.health.probe.grpc: unknown key, expected one of "http", "tcp", "exec", "notify"',
    ]);
    expect(detailsOf(withProbe({ htp: "http://x" }))).toContain(
      'warden.config.json: daemons.web.health.probe.htp: unknown key (did you mean "http"?)',
    );
    expect(detailsOf(withProbe({ tcp: 1, notify: true }))).toEqual([
      'warden.config.json: daemons.web.health.probe: expected exactly one of "http", "tcp", "exec", "notify", got "tcp" and "notify"',
    ]);
    expect(detailsOf(withProbe("tcp"))).toEqual([
      'warden.config.json: daemons.web.health.probe: expected an object, got "tcp"',
    ]);
  });

  it("names a bad value of each kind", () => {
    const cases: [unknown, string][] = [
      [{ http: "localhost:9000" }, 'http: expected an http(s) URL, got "localhost:9000"'],
      [{ tcp: 70000 }, "tcp: expected at most 65535, got 70000"],
      [{ exec: [] }, "exec: expected at least 1 items, got an array"],
      [{ exec: ["", "x"] }, 'exec[0]: expected a command, got ""'],
      [{ exec: "pg_isready" }, 'exec: expected an array, got "pg_isready"'],
      [{ notify: false }, "notify: expected true, got false"],
    ];
    for (const [probe, text] of cases) {
      expect(detailsOf(withProbe(probe))).toEqual([
        `warden.config.json: daemons.web.health.probe.${text}`,
      ]);
    }
  });

  it("types: the process driver's HealthProbe on a process daemon, none on a module", () => {
    type Probe = NonNullable<NonNullable<ProcessDaemonDefinition["health"]>["probe"]>;
    expectTypeOf<Probe>().toExtend<HealthProbe>();
    expectTypeOf<{
      module: string;
      health: { probe: { tcp: 1 } };
    }>().not.toExtend<ModuleDaemonDefinition>();
    expectTypeOf<DaemonCommonFields["health"]>().toEqualTypeOf<
      { intervalMs?: number; timeoutMs?: number; failureThreshold?: number } | undefined
    >();
  });
});
