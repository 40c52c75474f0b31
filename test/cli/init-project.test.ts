import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_SCHEMA_REF, initProject } from "../../cli/commands/init-project.ts";
import type { InitOptions } from "../../cli/commands/init.ts";
import { isWardenError } from "../../machines/errors.ts";
import { loadConfig } from "../../runtime/config/load-config.ts";
import { repoRoot } from "../support/run-warden.ts";
import { captureIo } from "../support/capture-io.ts";

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-init-"));
  folders.push(dir);
  return dir;
}

/** Runs `initProject` expecting it to refuse; returns the error. */
function refused(dir: string | undefined, options: InitOptions, cwd: string) {
  try {
    initProject(dir, options, captureIo(cwd).io);
  } catch (error) {
    if (isWardenError(error, "WARDEN_ERR_USAGE")) return error;
    throw error;
  }
  throw new Error("initProject did not refuse");
}

/** Makes `node_modules/warden` in `dir` point at this checkout, as `npm install warden` would. */
function installWarden(dir: string): void {
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(repoRoot, join(dir, "node_modules", "warden"), "dir");
}

describe("initProject", () => {
  it("writes warden.config.ts and daemons/heartbeat.ts into the current folder by default", () => {
    const cwd = tempDir();
    const { io, out } = captureIo(cwd);
    const result = initProject(undefined, {}, io);
    expect(result.format).toBe("ts");
    expect(result.config).toBe(join(cwd, "warden.config.ts"));
    expect(result.written).toEqual([
      { path: join(cwd, "warden.config.ts"), overwritten: false },
      { path: join(cwd, "daemons/heartbeat.ts"), overwritten: false },
    ]);
    const config = readFileSync(join(cwd, "warden.config.ts"), "utf8");
    expect(config).toContain('import { defineConfig } from "warden";');
    expect(config).toContain('module: "./daemons/heartbeat.ts"');
    expect(config).toMatch(/command: "sh"/);
    expect(config).toMatch(/^\/\/ /m); // commented
    expect(readFileSync(join(cwd, "daemons/heartbeat.ts"), "utf8")).toContain(
      'import type { InProcessDaemon } from "warden";',
    );
    expect(out[0]).toBe(`Wrote a starter warden project in ${cwd}:`);
    expect(out.join("\n")).toMatch(/^ {2}warden\.config\.ts {6}the configuration/m);
    expect(out.join("\n")).toMatch(
      /^ {2}daemons\/heartbeat\.ts {2}the in-process daemon's module/m,
    );
    expect(out).toContain("Next:");
    expect(out.join("\n")).not.toMatch(/\bcd\b/);
    expect(out.join("\n")).toMatch(/^ {2}warden validate +# /m);
    expect(out.join("\n")).toMatch(/^ {2}warden up +# /m);
  });

  it("creates a missing folder, nested, and says to cd into it", () => {
    const cwd = tempDir();
    const { io, out } = captureIo(cwd);
    const result = initProject("apps/my app", { format: "json" }, io);
    expect(result.dir).toBe(join(cwd, "apps/my app"));
    expect(existsSync(join(cwd, "apps/my app/warden.config.json"))).toBe(true);
    expect(existsSync(join(cwd, "apps/my app/daemons/heartbeat.mjs"))).toBe(true);
    expect(out).toContain("  cd 'apps/my app'");
    expect(out[0]).toBe("Wrote a starter warden project in apps/my app:");
  });

  it("points $schema at ./node_modules/warden/… and says to install warden when it is not installed", () => {
    const cwd = tempDir();
    const json = captureIo(cwd);
    initProject("j", { format: "json" }, json.io);
    const config = JSON.parse(readFileSync(join(cwd, "j/warden.config.json"), "utf8"));
    expect(config.$schema).toBe(DEFAULT_SCHEMA_REF);
    expect(DEFAULT_SCHEMA_REF).toBe("./node_modules/warden/schema/warden.config.schema.json");
    expect(json.err.join("\n")).toMatch(/warden is not installed in j .*npm install warden/);

    const yaml = captureIo(cwd);
    initProject("y", { format: "yaml" }, yaml.io);
    const text = readFileSync(join(cwd, "y/warden.config.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=${DEFAULT_SCHEMA_REF}`);
    expect(parse(text).$schema).toBeUndefined(); // a comment, not a key

    const ts = captureIo(cwd);
    initProject("t", { format: "ts" }, ts.io);
    expect(ts.err.join("\n")).toMatch(/warden\.config\.ts imports "warden".*npm install/);
  });

  it("points $schema at the installed package's schema file, relative to the configuration", () => {
    const project = tempDir();
    installWarden(project);
    const here = captureIo(project);
    const atRoot = initProject(undefined, { format: "json" }, here.io);
    expect(atRoot.schemaRef).toBe("./node_modules/warden/schema/warden.config.schema.json");
    expect(existsSync(join(project, atRoot.schemaRef!))).toBe(true);
    expect(here.err).toEqual([]);

    const nested = initProject("deploy/prod", { format: "yaml" }, captureIo(project).io);
    expect(nested.schemaRef).toBe("../../node_modules/warden/schema/warden.config.schema.json");
    expect(existsSync(join(project, "deploy/prod", nested.schemaRef!))).toBe(true);
    expect(readFileSync(join(project, "deploy/prod/warden.config.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/\.\.\/node_modules\/warden\/schema\/warden\.config\.schema\.json\n/,
    );
  });

  it("inside a checkout of warden itself, points $schema at its schema folder", () => {
    const checkout = tempDir();
    writeFileSync(join(checkout, "package.json"), JSON.stringify({ name: "warden" }));
    const result = initProject("examples/demo", { format: "json" }, captureIo(checkout).io);
    expect(result.schemaRef).toBe("../../schema/warden.config.schema.json");
    // A package of its own in between is where Node stops looking for "warden" itself.
    writeFileSync(join(checkout, "examples/package.json"), JSON.stringify({ name: "examples" }));
    const inner = initProject("examples/other", { format: "json" }, captureIo(checkout).io);
    expect(inner.schemaRef).toBe(DEFAULT_SCHEMA_REF);
  });

  it("refuses to overwrite existing files, exit 2 naming them, and writes nothing", () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "daemons"));
    writeFileSync(join(cwd, "daemons/heartbeat.mjs"), "mine\n");
    const error = refused(undefined, { format: "yaml" }, cwd);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      `init: nothing written to ${cwd}: daemons/heartbeat.mjs already exists (--force overwrites it)`,
    );
    expect(existsSync(join(cwd, "warden.config.yaml"))).toBe(false);
    expect(readFileSync(join(cwd, "daemons/heartbeat.mjs"), "utf8")).toBe("mine\n");

    initProject("again", { format: "ts" }, captureIo(cwd).io);
    expect(refused("again", {}, cwd).message).toBe(
      "init: nothing written to again: warden.config.ts, daemons/heartbeat.ts already exist " +
        "(--force overwrites them)",
    );
  });

  it("refuses to write beside another configuration unless --force, then says to pass --config", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "warden.config.ts"), "export default { daemons: {} };\n");
    const error = refused(undefined, { format: "json" }, cwd);
    expect(error.message).toBe(
      `init: nothing written to ${cwd}: there is already a configuration, warden.config.ts ` +
        "(--force writes warden.config.json beside it)",
    );
    expect(existsSync(join(cwd, "warden.config.json"))).toBe(false);

    const { io, out, err } = captureIo(cwd);
    initProject(undefined, { format: "json", force: true }, io);
    expect(readFileSync(join(cwd, "warden.config.ts"), "utf8")).toContain("daemons: {}");
    expect(out.join("\n")).toMatch(/^ {2}warden validate --config warden\.config\.json +# /m);
    expect(out.join("\n")).toMatch(/^ {2}warden up --config warden\.config\.json +# /m);
    expect(err.join("\n")).toMatch(/also holds warden\.config\.ts; without --config, warden reads/);
  });

  it("--force overwrites existing files and says so", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "warden.config.yaml"), "daemons: {}\n");
    const { io, out } = captureIo(cwd);
    const result = initProject(undefined, { format: "yaml", force: true }, io);
    expect(result.written.map((file) => file.overwritten)).toEqual([true, false]);
    expect(readFileSync(join(cwd, "warden.config.yaml"), "utf8")).toMatch(/heartbeat:/);
    expect(out.join("\n")).toMatch(/warden\.config\.yaml .*\(overwritten\)$/m);
  });

  it("refuses a folder where a file goes even with --force, a DIR that is a file, and an unknown format", () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "warden.config.ts"));
    expect(refused(undefined, { force: true }, cwd).message).toBe(
      `cannot init ${cwd}: warden.config.ts is a folder; move it away first`,
    );
    writeFileSync(join(cwd, "file"), "");
    expect(refused("file", {}, cwd).message).toBe("cannot init file: it is not a folder");
    expect(refused("x", { format: "toml" }, cwd).message).toBe(
      '--format: expected one of ts, json, yaml, got "toml"',
    );
    expect(existsSync(join(cwd, "x"))).toBe(false);
  });

  it("writes the same configuration in all three formats", async () => {
    const cwd = tempDir();
    installWarden(cwd); // warden.config.ts imports "warden"
    const loaded = await Promise.all(
      (["ts", "json", "yaml"] as const).map(async (format) => {
        const result = initProject(format, { format }, captureIo(cwd).io);
        const { config } = await loadConfig(result.config, cwd);
        // Only the JSON file has $schema as a key (YAML has it in a comment), and descriptions
        // are the JSON file's comments; everything else must agree.
        const { $schema, daemons, ...rest } = config as typeof config & { $schema?: string };
        expect($schema !== undefined).toBe(format === "json");
        const { module, description: _a, ...heartbeat } = daemons.heartbeat!;
        const { description: _b, ...ticker } = daemons.ticker!;
        expect(module).toBe(`./daemons/heartbeat.${format === "ts" ? "ts" : "mjs"}`);
        expect(Object.keys(daemons)).toEqual(["heartbeat", "ticker"]);
        return { ...rest, heartbeat, ticker };
      }),
    );
    expect(loaded[1]).toEqual(loaded[0]);
    expect(loaded[2]).toEqual(loaded[0]);
  });
});
