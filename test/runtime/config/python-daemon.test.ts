import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  findWardenRoot,
  pythonProcessSpec,
  pythonTargetProblem,
  resolvedPython,
  wardenPackageRoot,
  wardenPackageRootFrom,
} from "../../../runtime/config/python-daemon.ts";
import { repoRoot } from "../../support/run-warden.ts";

const root = mkdtempSync(join(tmpdir(), "warden-python-spec-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A package folder with a package.json named `name`, and the adapter when `adapter`. */
function packageAt(dir: string, name: string, adapter: boolean): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name }));
  if (adapter) {
    mkdirSync(join(dir, "python", "warden_daemon"), { recursive: true });
    writeFileSync(join(dir, "python", "warden_daemon", "__main__.py"), "");
  }
  return dir;
}

describe("pythonTargetProblem", () => {
  it("accepts module:Class with dotted names on either side", () => {
    for (const target of [
      "jobs:Worker",
      "ringrift.sync:AutoSyncDaemon",
      "m:factory.make",
      "_p:_C",
    ]) {
      expect(pythonTargetProblem(target)).toBeUndefined();
    }
  });

  it("names what is expected otherwise", () => {
    for (const target of [
      "jobs",
      "daemons/jobs:Worker",
      "a:b:c",
      ":Worker",
      "jobs:",
      "2x:Y",
      "a..b:C",
    ]) {
      expect(pythonTargetProblem(target)).toBe(
        `expected "module:Class" (dotted Python names), got ${JSON.stringify(target)}`,
      );
    }
  });
});

describe("pythonProcessSpec", () => {
  const pkg = "/srv/app/node_modules/warden";

  it("runs python3 -m warden_daemon <target>, the adapter and the config's folder on PYTHONPATH, ready on READY=1", () => {
    expect(pythonProcessSpec("jobs:Worker", "/srv/app", pkg)).toEqual({
      command: "python3",
      args: ["-m", "warden_daemon", "jobs:Worker"],
      env: { PYTHONPATH: "/srv/app/node_modules/warden/python:/srv/app" },
      ready: { notify: true },
    });
  });

  it("passes options as --options JSON, then extra args; keeps env, PYTHONPATH after its own", () => {
    const spec = pythonProcessSpec("jobs:Worker", "/srv/app", pkg, {
      options: { every: 60, name: "w" },
      args: ["--metrics-interval", "2"],
      env: { PYTHONPATH: "/opt/lib", MODE: "prod" },
      inheritedPythonPath: "/usr/local/lib/py",
      command: "/srv/app/.venv/bin/python",
    });
    expect(spec).toEqual({
      command: "/srv/app/.venv/bin/python",
      args: [
        "-m",
        "warden_daemon",
        "jobs:Worker",
        "--options",
        '{"every":60,"name":"w"}',
        "--metrics-interval",
        "2",
      ],
      env: {
        MODE: "prod",
        PYTHONPATH: "/srv/app/node_modules/warden/python:/srv/app:/opt/lib:/usr/local/lib/py",
      },
      ready: { notify: true },
    });
  });

  it("throws on a bad target, relative folders, and options that are not an object", () => {
    expect(() => pythonProcessSpec("worker.py", "/srv/app", pkg)).toThrow(
      'python: expected "module:Class" (dotted Python names), got "worker.py"',
    );
    expect(() => pythonProcessSpec("jobs:Worker", "app", pkg)).toThrow(
      "configDir must be absolute, got app",
    );
    expect(() => pythonProcessSpec("jobs:Worker", "/srv/app", "warden")).toThrow(
      "packageRoot must be absolute, got warden",
    );
    for (const options of [[1], 3, "x", null]) {
      expect(() => pythonProcessSpec("jobs:Worker", "/srv/app", pkg, { options })).toThrow(
        'python: "options" must be an object',
      );
    }
  });
});

describe("finding the adapter at run time", () => {
  it("finds this checkout from the sources", () => {
    expect(wardenPackageRoot()).toBe(resolve(repoRoot));
    expect(findWardenRoot(join(repoRoot, "runtime", "config"))).toBe(resolve(repoRoot));
  });

  it("finds an installed package from its dist/ and bundled CLI, past other packages' package.json", () => {
    const app = packageAt(join(root, "app"), "my-app", false);
    const warden = packageAt(join(app, "node_modules", "warden"), "warden", true);
    packageAt(join(warden, "dist", "vendored"), "not-warden", false);
    for (const from of ["dist/runtime/config", "dist/cli", "dist/vendored/x"]) {
      mkdirSync(join(warden, from), { recursive: true });
      expect(wardenPackageRootFrom(join(warden, from))).toBe(warden);
    }
    expect(findWardenRoot(join(app, "src"))).toBeUndefined();
  });

  it("says so when the package has no python/ folder, or there is no package at all", () => {
    const bare = packageAt(join(root, "bare", "node_modules", "warden"), "warden", false);
    expect(() => wardenPackageRootFrom(join(bare, "dist"))).toThrow(
      `warden's Python adapter is missing: no python/warden_daemon/ in ${bare}`,
    );
    expect(() => wardenPackageRootFrom("/")).toThrow('in a "warden" package above /');
  });
});

describe("resolvedPython", () => {
  it("resolves python3 to the interpreter's own path, once", async () => {
    const first = resolvedPython();
    expect(resolvedPython("python3")).toBe(first);
    expect(isAbsolute(await first)).toBe(true);
  });

  it("falls back to the command when it cannot run", async () => {
    expect(await resolvedPython("no-such-python-3.99")).toBe("no-such-python-3.99");
  });
});
