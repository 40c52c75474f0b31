import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  CONFIG_FILE_NAMES,
  findConfigFile,
  loadConfig,
  resolveFromConfig,
} from "../../../runtime/config/load-config.ts";
import { WardenError } from "../../../machines/errors.ts";

const DEFINE_CONFIG = fileURLToPath(
  new URL("../../../runtime/config/define-config.ts", import.meta.url),
);

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fresh folder holding `files` (name → contents). */
function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-config-"));
  roots.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function loadFailure(path: string | undefined, cwd: string): Promise<WardenError> {
  const error: unknown = await loadConfig(path, cwd).then(
    () => new Error("expected loadConfig to fail"),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WardenError);
  expect((error as WardenError).code).toBe("WARDEN_ERR_CONFIG");
  return error as WardenError;
}

const TS_CONFIG = `
import { defineConfig } from ${JSON.stringify(DEFINE_CONFIG)};
const port: number = 7071;
export default defineConfig({
  server: { port },
  daemons: { web: { command: "node", args: ["server.js"], ready: { tcp: 8080 } } },
});
`;

describe("loadConfig loads", () => {
  it.each([
    ["a CommonJS-context folder", {}],
    ['a "type": "module" package', { "package.json": '{ "type": "module" }' }],
  ])("warden.config.ts using defineConfig, in %s", async (_, extra) => {
    const dir = folder({ ...extra, "warden.config.ts": TS_CONFIG });
    const loaded = await loadConfig("warden.config.ts", dir);
    expect(loaded.file).toBe(join(dir, "warden.config.ts"));
    expect(loaded.dir).toBe(dir);
    expect(loaded.config).toEqual({
      server: { port: 7071 },
      daemons: { web: { command: "node", args: ["server.js"], ready: { tcp: 8080 } } },
    });
  });

  it("warden.config.js and warden.config.mjs through their default export", async () => {
    const js = folder({
      "package.json": '{ "type": "module" }',
      "warden.config.js": 'export default { daemons: { a: { module: "./a.js" } } };',
    });
    expect((await loadConfig("warden.config.js", js)).config).toEqual({
      daemons: { a: { module: "./a.js" } },
    });
    const mjs = folder({
      "warden.config.mjs": 'export default { daemons: { b: { command: "b" } } };',
    });
    expect((await loadConfig("warden.config.mjs", mjs)).config).toEqual({
      daemons: { b: { command: "b" } },
    });
  });

  it("a CommonJS warden.config.js through module.exports", async () => {
    const dir = folder({
      "warden.config.js": 'module.exports = { daemons: { c: { command: "c" } } };',
    });
    expect((await loadConfig("warden.config.js", dir)).config).toEqual({
      daemons: { c: { command: "c" } },
    });
  });

  it("the current contents of a module config each time (no stale import cache)", async () => {
    const dir = folder({ "warden.config.mjs": "export default { daemons: {} };" });
    expect((await loadConfig(undefined, dir)).config).toEqual({ daemons: {} });
    writeFileSync(
      join(dir, "warden.config.mjs"),
      'export default { daemons: { x: { command: "x" } } };',
    );
    expect(Object.keys((await loadConfig(undefined, dir)).config.daemons)).toEqual(["x"]);
  });

  it("warden.config.json, with a byte order mark", async () => {
    const dir = folder({
      "warden.config.json": '\uFEFF{ "stateDir": "state", "daemons": { "a": { "command": "a" } } }',
    });
    expect((await loadConfig("warden.config.json", dir)).config).toEqual({
      stateDir: "state",
      daemons: { a: { command: "a" } },
    });
  });

  it("warden.config.yaml and warden.config.yml", async () => {
    const yaml = [
      "catalog: ringrift",
      "daemons:",
      "  trainer:",
      "    command: python3",
      "    args: [-u, train.py]",
      "    dependsOn: [EVENT_ROUTER]",
      "    ready: { stdout: '^ready$' }",
      "profiles:",
      "  gpu: [trainer]",
    ].join("\n");
    const expected = {
      catalog: "ringrift",
      daemons: {
        trainer: {
          command: "python3",
          args: ["-u", "train.py"],
          dependsOn: ["EVENT_ROUTER"],
          ready: { stdout: "^ready$" },
        },
      },
      profiles: { gpu: ["trainer"] },
    };
    const dir = folder({ "warden.config.yaml": yaml, "other.yml": yaml });
    expect((await loadConfig("warden.config.yaml", dir)).config).toEqual(expected);
    expect((await loadConfig("other.yml", dir)).config).toEqual(expected);
  });

  it("the config file found in a folder given as the path", async () => {
    const dir = folder();
    mkdirSync(join(dir, "deploy"));
    writeFileSync(join(dir, "deploy", "warden.config.json"), '{ "daemons": {} }');
    expect((await loadConfig("deploy", dir)).file).toBe(join(dir, "deploy", "warden.config.json"));
  });

  it("the file findConfigFile finds when no path is given", async () => {
    const dir = folder({ "warden.config.yml": "daemons: {}" });
    const loaded = await loadConfig(undefined, dir);
    expect(loaded.file).toBe(join(dir, "warden.config.yml"));
    expect(loaded.config).toEqual({ daemons: {} });
  });
});

describe("loadConfig rejects", () => {
  it("a missing file", async () => {
    const dir = folder();
    const error = await loadFailure("nope.json", dir);
    expect(error.message).toBe(`no such file: nope.json (${join(dir, "nope.json")})`);
  });

  it("bad JSON, naming the file, line and column", async () => {
    const dir = folder({
      "warden.config.json": '{\n  "daemons": {\n    "a": { "command": "a" },\n  }\n}\n',
    });
    const error = await loadFailure("warden.config.json", dir);
    expect(error.details).toEqual([
      "warden.config.json:4:3: invalid JSON: Expected double-quoted property name",
    ]);
    expect(error.message).toBe(`invalid configuration warden.config.json:\n${error.details[0]}`);
  });

  it("JSON whose parser error gives no position, and an empty file", async () => {
    const dir = folder({ "a.json": '{\n  "daemons": }', "empty.json": "" });
    expect((await loadFailure("a.json", dir)).details).toEqual([
      "a.json:2:14: invalid JSON: Unexpected token '}'",
    ]);
    expect((await loadFailure("empty.json", dir)).details).toEqual([
      "empty.json:1:1: invalid JSON: Unexpected end of JSON input",
    ]);
  });

  it("a JSON key given twice, which JSON.parse would silently drop", async () => {
    const dir = folder({
      "warden.config.json":
        '{ "daemons": {\n  "a": { "command": "a" },\n  "a": { "command": "b" }\n} }',
    });
    expect((await loadFailure(undefined, dir)).details).toEqual([
      'warden.config.json:3:3: invalid JSON: duplicate key "a"',
    ]);
  });

  it("bad YAML, naming the file and line", async () => {
    const dir = folder({
      "warden.config.yaml": "daemons:\n  a: { command: a }\n  b: [1, 2\n",
      "dup.yml": "daemons:\n  a: { command: a }\n  a: { command: b }\n",
    });
    const error = await loadFailure("warden.config.yaml", dir);
    expect(error.details[0]).toMatch(/^warden\.config\.yaml:4:1: invalid YAML: /);
    expect((await loadFailure("dup.yml", dir)).details).toEqual([
      "dup.yml:3:3: invalid YAML: Map keys must be unique",
    ]);
  });

  it("an invalid configuration, naming the file relative to cwd", async () => {
    const dir = folder({
      "warden.config.yaml": "daemons:\n  trainer:\n    command: python3\n    restart: sometimes\n",
    });
    expect((await loadFailure(undefined, dir)).details).toEqual([
      'warden.config.yaml: daemons.trainer.restart: expected one of "always", "on-failure", "never", got "sometimes"',
    ]);
  });

  it("an invalid configuration outside cwd, naming the file by its absolute path", async () => {
    const dir = folder({ "warden.config.json": '{ "daemons": { "a": { "comand": "a" } } }' });
    const file = join(dir, "warden.config.json");
    expect((await loadFailure(file, folder())).details).toEqual([
      `${file}: daemons.a: expected one of "module" (an in-process daemon), "command" (a process) or "python" (a Python class), got none of them (no "catalog" is set)`,
      `${file}: daemons.a.comand: unknown key (did you mean "command"?)`,
    ]);
  });

  it("a module config without a default export", async () => {
    const dir = folder({ "warden.config.ts": "export const daemons = {};\n" });
    expect((await loadFailure(undefined, dir)).details).toEqual([
      "warden.config.ts: expected a default export (`export default defineConfig({ ... })`), got nothing",
    ]);
  });

  it("a module config that does not compile or throws, with the cause", async () => {
    const dir = folder({
      "syntax.ts": "export default { daemons: {",
      "throws.mjs": 'throw new Error("boom");',
    });
    expect((await loadFailure("syntax.ts", dir)).message).toMatch(/^cannot load syntax\.ts: /);
    const thrown = await loadFailure("throws.mjs", dir);
    expect(thrown.message).toBe("cannot load throws.mjs: boom");
    expect((thrown.cause as Error).message).toBe("boom");
  });

  it("a file type it does not know", async () => {
    const dir = folder({ "warden.config.toml": "" });
    expect((await loadFailure("warden.config.toml", dir)).message).toMatch(
      /unsupported file type "\.toml"/,
    );
  });
});

describe("findConfigFile", () => {
  it("prefers the names in CONFIG_FILE_NAMES order", () => {
    const dir = folder({
      "warden.config.yaml": "daemons: {}",
      "warden.config.json": "{}",
      "warden.config.ts": "export default {};",
    });
    expect(findConfigFile(dir)).toBe(join(dir, "warden.config.ts"));
    rmSync(join(dir, "warden.config.ts"));
    expect(findConfigFile(dir)).toBe(join(dir, "warden.config.json"));
  });

  it("says which names it looked for, where, and how to pass --config", () => {
    const dir = folder({ "warden.json": "{}" });
    let error: unknown;
    try {
      findConfigFile(dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe("WARDEN_ERR_CONFIG");
    const message = (error as WardenError).message;
    for (const name of CONFIG_FILE_NAMES) expect(message).toContain(name);
    expect(message).toContain(dir);
    expect(message).toContain("--config");
  });
});

describe("resolveFromConfig", () => {
  it("resolves paths against the config file's folder", async () => {
    const dir = folder({ "warden.config.json": '{ "daemons": {} }' });
    const loaded = await loadConfig(undefined, dir);
    expect(resolveFromConfig(loaded, "./daemons/a.ts")).toBe(join(dir, "daemons", "a.ts"));
    expect(resolveFromConfig(loaded, "/opt/b.ts")).toBe("/opt/b.ts");
  });
});
