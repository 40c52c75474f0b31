import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSelection, chosenDaemons } from "../../cli/control-selection.ts";
import type { DaemonStatus } from "../../runtime/manager/daemon-manager.ts";
import { isWardenError, type WardenError } from "../../machines/errors.ts";

const daemon = (name: string): DaemonStatus => ({
  name,
  state: "RUNNING",
  kind: "module",
  dependsOn: [],
  critical: false,
  restarts: 0,
  reason: "ready",
});
const daemons = ["db", "api", "worker", "HEALTH_SERVER"].map(daemon);

let dir: string;
const err: string[] = [];
const io = () => ({ err: (line: string) => err.push(line), cwd: dir });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "warden-selection-"));
  // "gone" is in the configuration but not in the running manager (changed since it started).
  const definition = { command: "true" };
  const config = {
    daemons: { db: definition, api: definition, worker: definition, gone: definition },
    profiles: { web: ["api", "worker"], old: ["gone"] },
  };
  writeFileSync(join(dir, "warden.config.json"), JSON.stringify(config));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<WardenError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isWardenError(error)) throw new Error(`expected a WardenError, got ${String(error)}`);
  return error;
}

describe("checkSelection", () => {
  it("wants exactly one of names, --all and --profile", () => {
    expect(() => checkSelection("start", ["api"], {})).not.toThrow();
    expect(() => checkSelection("start", [], { all: true })).not.toThrow();
    expect(() => checkSelection("start", [], {})).toThrow(
      "name the daemons to start, or pass --all or --profile <name>",
    );
    expect(() => checkSelection("stop", ["api"], { profile: "web" })).toThrow(
      "choose one of: daemon names, --all, --profile",
    );
  });
});

describe("chosenDaemons", () => {
  it("takes names once each, in the order given, and refuses unknown ones with a suggestion", async () => {
    expect(await chosenDaemons("start", ["worker", "db", "worker"], {}, daemons, io())).toEqual([
      "worker",
      "db",
    ]);
    const unknown = await refusal(chosenDaemons("start", ["apj", "db", "wrkr"], {}, daemons, io()));
    expect(unknown.code).toBe("WARDEN_ERR_UNKNOWN_DAEMON");
    expect(unknown.exitCode).toBe(2);
    expect(unknown.message).toBe('no daemon named "apj" (did you mean "api"?)');
    expect(unknown.details).toEqual(['no daemon named "wrkr" (did you mean "worker"?)']);
  });

  it("resolves --profile through the configuration, with a suggestion for an unknown profile", async () => {
    expect(await chosenDaemons("stop", [], { profile: "web" }, daemons, io())).toEqual([
      "api",
      "worker",
    ]);
    const typo = await refusal(chosenDaemons("stop", [], { profile: "wbe" }, daemons, io()));
    expect(typo.exitCode).toBe(2);
    expect(typo.message).toMatch(/^no profile named "wbe" \(did you mean "web"\?\)/);
    const stale = await refusal(chosenDaemons("stop", [], { profile: "old" }, daemons, io()));
    expect(stale.message).toBe(
      'profile "old" names "gone", which the running manager does not have (was the configuration changed since it started?)',
    );
  });

  it("never stops or restarts HEALTH_SERVER, which carries the request: --all leaves it out", async () => {
    expect(await chosenDaemons("start", [], { all: true }, daemons, io())).toContain(
      "HEALTH_SERVER",
    );
    err.length = 0;
    expect(await chosenDaemons("stop", [], { all: true }, daemons, io())).toEqual([
      "db",
      "api",
      "worker",
    ]);
    expect(err).toEqual([
      "warden: leaving HEALTH_SERVER running: it serves the control API this command talks through",
    ]);
    const named = await refusal(chosenDaemons("restart", ["HEALTH_SERVER"], {}, daemons, io()));
    expect(named.code).toBe("WARDEN_ERR_USAGE");
    expect(named.message).toMatch(
      /^HEALTH_SERVER serves the control API .* stop the manager instead/,
    );
  });
});
