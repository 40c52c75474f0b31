/**
 * What a new user does with the published package, from nothing: `npm pack` warden (which runs
 * `prepare`, the build), `npm init -y` and `npm install <tarball>` in an empty folder, then the
 * `warden` command through `npx` and `import … from "warden"` with plain Node. Nothing of this
 * repository is visible to the installed package: the project lives under the system's temporary
 * folder (no `node_modules` of the repository above it), `NODE_OPTIONS`/`NODE_PATH` are cleared
 * and the repository's `node_modules/.bin` is taken off `PATH`, so tsx, zod, fastify… come from
 * what the tarball's `dependencies` installed, or not at all.
 *
 * The tarball is packed from a copy of the working tree (what `git clone` would give, plus the
 * files not committed yet, without `dist/` or `node_modules/`; the repository's `node_modules` is
 * linked in for the build's TypeScript): `prepare` then builds into the copy, never into the
 * repository's `dist/`, which the other end-to-end tests run while this one builds.
 *
 * The dependencies come from the npm registry, or from the cache `npm ci` filled
 * (`--prefer-offline`): if neither can provide them, the set-up fails saying so.
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/run-warden.ts";

const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  version: string;
};

const PACK_TIMEOUT_MS = 150_000;
const INSTALL_TIMEOUT_MS = 180_000;
const COMMAND_TIMEOUT_MS = 20_000;

/** The environment of a user's shell: none of what npm, vitest or this repository add. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_package_|npm_lifecycle_|VITEST)/.test(key)) continue;
    if (["npm_command", "npm_config_local_prefix", "INIT_CWD"].includes(key)) continue;
    if (["NODE_OPTIONS", "NODE_PATH", "NODE_ENV", "TSX_TSCONFIG_PATH"].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => !/node_modules[\\/]\.bin|node-gyp-bin/.test(entry))
    .join(delimiter);
  env.NO_COLOR = "1";
  env.npm_config_update_notifier = "false";
  return env;
}
const env = userEnvironment();

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every process this file started and that has not ended: each leads its own process group. */
const live = new Set<ChildProcess>();

/**
 * Starts `command args` in `cwd` as the leader of a new process group (so that it and what it
 * started, and nothing else, can be stopped together) and collects its output.
 */
function start(command: string, args: string[], cwd: string) {
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.on("error", (error) => {
      stderr += `\n[could not run ${command}: ${error.message}]`;
      live.delete(child);
      resolve({ code: null, signal: null });
    });
    child.on("close", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const describeRun = () =>
    `\`${[command, ...args].join(" ")}\` in ${cwd}\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`;
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stdout + stderr)) return done(resolve);
        if (child.exitCode !== null || child.signalCode !== null) {
          return done(() =>
            reject(new Error(`ended without printing ${pattern}: ${describeRun()}`)),
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${describeRun()}`))),
        timeoutMs,
      );
      const poll = setInterval(check, 50);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        clearInterval(poll);
        settle();
      };
      check();
    });
  return { child, exited, waitFor, output: () => ({ stdout, stderr }), describeRun };
}

function within<T>(promise: Promise<T>, timeoutMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what()}: no end within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Stops a process group this file started: SIGTERM to the group (a `warden up` in it stops its
 * daemons in order, as on Ctrl-C), then SIGKILL if it has not ended 10 s later.
 */
async function stopGroup(run: ReturnType<typeof start>): Promise<void> {
  const { child } = run;
  if (!live.has(child) || child.pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group has ended
    }
  };
  signalGroup("SIGTERM");
  const ended = await within(run.exited, 10_000, run.describeRun).then(
    () => true,
    () => false,
  );
  if (ended) return;
  signalGroup("SIGKILL");
  await within(run.exited, 5_000, run.describeRun).catch(() => undefined);
}

const runs = new Set<ReturnType<typeof start>>();

/** Runs `command args` in `cwd` to its end; past `timeoutMs` it is stopped and this throws. */
async function run(command: string, args: string[], cwd: string, timeoutMs = COMMAND_TIMEOUT_MS) {
  const started = start(command, args, cwd);
  runs.add(started);
  try {
    const exit = await within(started.exited, timeoutMs, started.describeRun);
    return { ...exit, ...started.output(), describe: started.describeRun };
  } catch (error) {
    await stopGroup(started);
    throw error;
  } finally {
    runs.delete(started);
  }
}

/**
 * `npx warden …` as a user types it, with `--no` so that npx never fetches some other `warden`
 * from the registry (without a terminal it would not ask first). The `--` keeps npx from reading
 * what follows `--no` as npm's own options: `npx --no warden --version` prints npm's version.
 */
const NPX_WARDEN = ["--no", "--", "warden"];
const npxWarden = (args: string[], cwd: string, timeoutMs?: number) =>
  run("npx", [...NPX_WARDEN, ...args], cwd, timeoutMs);

/** A copy of the working tree as a clone would have it (tracked and new files, nothing ignored). */
async function copyWorkingTree(into: string): Promise<void> {
  const listed = await run(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    repoRoot,
  );
  expect(listed.code, listed.describe()).toBe(0);
  for (const path of listed.stdout.split("\0")) {
    if (path === "" || !existsSync(join(repoRoot, path))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(into, path)), { recursive: true });
    copyFileSync(join(repoRoot, path), join(into, path));
  }
  symlinkSync(join(repoRoot, "node_modules"), join(into, "node_modules"), "dir");
}

let root = "";
/** The user's project: `npm init -y`, then `npm install <the tarball>`. */
let app = "";
let tarball = "";

beforeAll(
  async () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "warden-package-e2e-")));
    const source = join(root, "source");
    const packs = join(root, "packs");
    app = join(root, "app");
    for (const dir of [source, packs, app]) mkdirSync(dir);

    await copyWorkingTree(source);
    const pack = await run("npm", ["pack", "--pack-destination", packs], source, PACK_TIMEOUT_MS);
    expect(pack.code, `npm pack (and its prepare, the build) failed: ${pack.describe()}`).toBe(0);
    const packed = readdirSync(packs).filter((name) => name.endsWith(".tgz"));
    expect(packed, pack.describe()).toEqual([`warden-${version}.tgz`]);
    tarball = join(packs, packed[0]!);

    const init = await run("npm", ["init", "-y"], app);
    expect(init.code, init.describe()).toBe(0);
    const install = await run(
      "npm",
      ["install", tarball, "--no-audit", "--no-fund", "--prefer-offline"],
      app,
      INSTALL_TIMEOUT_MS,
    ).catch((error: Error) => ({ code: null, signal: null, describe: () => error.message }));
    if (install.code !== 0) {
      throw new Error(
        `npm install of the packed tarball failed (exit ${install.code}): warden's dependencies ` +
          "could be fetched neither from the npm registry nor from the npm cache (`npm ci` fills " +
          `it; is this machine offline?).\n${install.describe()}`,
      );
    }
  },
  PACK_TIMEOUT_MS + INSTALL_TIMEOUT_MS + 30_000,
);

afterAll(async () => {
  for (const started of runs) await stopGroup(started);
  if (root !== "") rmSync(root, { recursive: true, force: true });
}, 60_000);

/**
 * `npx warden up` in `dir` on port 0 instead of the starter's 7070 (which other tests use): waits
 * until its daemons run, finds the manager through `warden status --json`, sends it SIGTERM and
 * expects everything stopped in order and exit 0, which npx passes on.
 */
async function upThenSigterm(dir: string, configName: string) {
  const file = join(dir, configName);
  const text = readFileSync(file, "utf8");
  const changed = text.replace(/("port": |port: )7070\b/, "$10");
  expect(changed).not.toBe(text);
  writeFileSync(file, changed);

  const up = start("npx", [...NPX_WARDEN, "up"], dir);
  runs.add(up);
  try {
    await up.waitFor(/warden: 5 daemons running/, 30_000);
    await up.waitFor(/ticker\s+│ ticker ready/, 5_000);
    const status = await npxWarden(["status", "--json"], dir);
    expect(status.code, status.describe()).toBe(0);
    const { manager, daemons } = JSON.parse(status.stdout) as {
      manager: { pid: number; config: string };
      daemons: { name: string; state: string }[];
    };
    expect(daemons.map((d) => `${d.name} ${d.state}`)).toEqual([
      // The built-ins `warden up` always runs are registered first, HEALTH_SERVER last.
      "CROSS_PROCESS_POLLER RUNNING",
      "DLQ_RETRY RUNNING",
      "heartbeat RUNNING",
      "ticker RUNNING",
      "HEALTH_SERVER RUNNING",
    ]);
    // The manager this test started: the configuration in this test's own temporary folder.
    expect(manager.config).toBe(file);
    process.kill(manager.pid, "SIGTERM");
    const exit = await within(up.exited, 20_000, up.describeRun);
    expect(exit, up.describeRun()).toEqual({ code: 0, signal: null });
    const { stdout, stderr } = up.output();
    expect(stderr).toContain("warden: SIGTERM: stopping every daemon in reverse dependency order");
    expect(stderr).toMatch(/heartbeat\s+info\s+beating every 5000 ms/);
    expect(stderr).toContain("all daemons stopped");
    expect(stdout).toMatch(/ticker\s+STOPPING → STOPPED[\s\S]*heartbeat\s+STOPPING → STOPPED/);
  } finally {
    await stopGroup(up);
    runs.delete(up);
  }
}

describe("the packed package, installed with npm into a new project", () => {
  it("holds the compiled code, its declarations, the command and the schema, and no sources", async () => {
    const listing = await run("tar", ["-tzf", tarball], root);
    expect(listing.code, listing.describe()).toBe(0);
    const files = listing.stdout
      .split("\n")
      .filter(Boolean)
      .map((entry) => entry.replace(/^package\//, ""));
    for (const required of [
      "package.json",
      "README.md",
      "bin/warden.js",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/cli/main.js",
      "dist/cli/warden.js",
      "schema/warden.config.schema.json",
      "python/warden_daemon/__main__.py",
    ]) {
      expect(files).toContain(required);
    }
    const unexpected = files.filter(
      (file) =>
        /^(test|bench|examples|scripts|node_modules|python\/tests)\//.test(file) ||
        file.includes("__pycache__") ||
        (/\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file)),
    );
    expect(unexpected).toEqual([]);
    // Every module has its declarations; the bundled command (dist/cli/warden.js) is no module.
    const withoutDeclarations = files.filter(
      (file) =>
        /^dist\/.*\.js$/.test(file) &&
        file !== "dist/cli/warden.js" &&
        !files.includes(file.replace(/\.js$/, ".d.ts")),
    );
    expect(withoutDeclarations).toEqual([]);

    const installed = join(app, "node_modules", "warden");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    for (const target of [
      manifest.exports["."].types,
      manifest.exports["."].default,
      manifest.bin.warden,
    ]) {
      expect(existsSync(join(installed, target)), target).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).dependencies).toEqual({
      warden: expect.stringMatching(/^file:.*warden-.*\.tgz$/),
    });
  });

  it("npx warden --version prints the package's version", async () => {
    const result = await npxWarden(["--version"], app);
    expect(result.code, result.describe()).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it("npx warden init writes the TypeScript starter, which validates and runs (warden up, SIGTERM, exit 0)", async () => {
    const init = await npxWarden(["init"], app);
    expect(init.code, init.describe()).toBe(0);
    expect(init.stdout).toMatch(/^ {2}warden\.config\.ts {6}the configuration/m);
    expect(init.stdout).toMatch(/^ {2}daemons\/heartbeat\.ts {2}the in-process daemon's module/m);
    expect(init.stderr).not.toMatch(/npm install warden/); // it is installed

    const validate = await npxWarden(["validate"], app);
    expect(validate.code, validate.describe()).toBe(0);
    expect(validate.stdout).toBe("warden.config.ts: valid (2 daemons)\n");

    await upThenSigterm(app, "warden.config.ts");
  }, 90_000);

  it("npx warden init --format json in another folder validates and runs (its daemon an .mjs module)", async () => {
    const init = await npxWarden(["init", "json-app", "--format", "json"], app);
    expect(init.code, init.describe()).toBe(0);
    const dir = join(app, "json-app");
    const config = JSON.parse(readFileSync(join(dir, "warden.config.json"), "utf8"));
    expect(config.daemons.heartbeat.module).toBe("./daemons/heartbeat.mjs");
    // The $schema reference leads to the installed package's schema file.
    expect(config.$schema).toBe("../node_modules/warden/schema/warden.config.schema.json");
    expect(JSON.parse(readFileSync(join(dir, config.$schema), "utf8")).title).toBe(
      "warden configuration",
    );

    const validate = await npxWarden(["validate"], dir);
    expect(validate.code, validate.describe()).toBe(0);
    expect(validate.stdout).toBe("warden.config.json: valid (2 daemons)\n");

    await upThenSigterm(dir, "warden.config.json");
  }, 90_000);

  it('a Python class as the documents write it runs from the installed package (python: "module:Class")', async () => {
    const dir = join(app, "py-app");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "auto_sync.py"),
      [
        "class AutoSync:",
        "    async def start(self):",
        "        self.warden.status('syncing')",
        "    async def stop(self):",
        "        pass",
        "    def health_check(self):",
        "        return {'healthy': True}",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "warden.config.json"),
      JSON.stringify({
        catalog: "ringrift",
        server: { port: 0 },
        daemons: {
          AUTO_SYNC: { python: "auto_sync:AutoSync", health: { probe: { notify: true } } },
        },
      }),
    );
    const up = start("npx", [...NPX_WARDEN, "up"], dir);
    runs.add(up);
    try {
      await up.waitFor(/warden: 5 daemons running/, 30_000);
      const status = await npxWarden(["status", "--json"], dir);
      expect(status.code, status.describe()).toBe(0);
      const { manager, daemons } = JSON.parse(status.stdout) as {
        manager: { pid: number };
        daemons: { name: string; state: string; process?: { statusText?: string } }[];
      };
      expect(daemons.find((d) => d.name === "AUTO_SYNC")).toMatchObject({
        state: "RUNNING",
        process: { statusText: "syncing" },
      });
      process.kill(manager.pid, "SIGTERM");
      const exit = await within(up.exited, 20_000, up.describeRun);
      expect(exit, up.describeRun()).toEqual({ code: 0, signal: null });
    } finally {
      await stopGroup(up);
      runs.delete(up);
    }
  }, 90_000);

  it('an .mjs file run by plain node: import { DaemonManager, defineConfig } from "warden"', async () => {
    writeFileSync(
      join(app, "use-warden.mjs"),
      `import { DaemonManager, defineConfig } from "warden";

if (typeof defineConfig !== "function") throw new Error("no defineConfig");
console.log("resolved", import.meta.resolve("warden"));
const events = [];
const manager = new DaemonManager({ stateDir: ".warden-api" });
manager.events$.subscribe((event) => {
  if (event.type.startsWith("DAEMON_")) events.push(event.type + " " + event.data.daemon);
});
let timer;
let pings = 0;
manager.register("pinger", {
  async start(ctx) {
    ctx.bus.subscribe("PING", () => pings++);
    timer = setInterval(() => ctx.bus.publish("PING", {}), 5);
  },
  async stop() {
    clearInterval(timer);
  },
});
await manager.startAll();
await manager.waitFor("pinger", "RUNNING", 5000);
await new Promise((resolve) => setTimeout(resolve, 50));
const running = manager.stateOf("pinger");
await manager.stopAll();
const stopped = manager.stateOf("pinger");
await manager.close();
if (running !== "RUNNING" || stopped !== "STOPPED" || pings === 0) {
  throw new Error("unexpected: " + running + ", " + stopped + ", " + pings + " pings");
}
console.log(events.join(", "));
console.log("OK");
`,
    );
    const node = await run(process.execPath, ["use-warden.mjs"], app);
    expect(node.code, node.describe()).toBe(0);
    expect(node.stdout).toBe(
      `resolved file://${join(app, "node_modules/warden/dist/index.js")}\n` +
        "DAEMON_STARTING pinger, DAEMON_STARTED pinger, DAEMON_STOPPING pinger, DAEMON_STOPPED pinger\n" +
        "OK\n",
    );
  });

  it("a TypeScript user's code type-checks against the shipped declarations (strict, no skipLibCheck)", async () => {
    // The checker is the repository's TypeScript and @types/node (a user installs their own);
    // everything "warden" and its dependencies declare is resolved from the user's node_modules.
    const dir = join(app, "typecheck");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(repoRoot, "node_modules", "@types")],
        },
        files: ["consumer.mts"],
      }),
    );
    writeFileSync(
      join(dir, "consumer.mts"),
      `import {
  DaemonManager,
  WardenError,
  defineConfig,
  type DaemonStatus,
  type InProcessDaemon,
  type WardenConfig,
} from "warden";

const daemon: InProcessDaemon = {
  start(ctx) {
    ctx.logger.info("started " + ctx.name);
    ctx.bus.publish("PING", { at: Date.now() });
  },
  stop() {},
};
const manager = new DaemonManager({ stateDir: ".warden" });
manager.register("a", daemon, { dependsOn: [], restart: "always" });
manager.register("b", { command: "sh", args: ["-c", "sleep 9"] }, { dependsOn: ["a"] });
const statuses: DaemonStatus[] = manager.status();
const config: WardenConfig = defineConfig({
  daemons: { a: { module: "./a.mjs" }, b: { command: "sleep", args: ["9"], dependsOn: ["a"] } },
});
const isError: boolean = new Error() instanceof WardenError;
// The declarations are real types, not \`any\`: each of these is an error.
// @ts-expect-error a daemon is an object with start and stop
manager.register("c", 42);
// @ts-expect-error a module is a path
defineConfig({ daemons: { a: { module: 1 } } });
// @ts-expect-error no such method
manager.startEverything();
export { statuses, config, isError };
`,
    );
    const tsc = await run(
      process.execPath,
      [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", dir],
      dir,
      60_000,
    );
    expect(tsc.code, tsc.describe()).toBe(0);
  }, 90_000);
});
