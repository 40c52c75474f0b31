import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { DaemonModuleError, loadDaemonModule } from "../../../runtime/config/load-daemon-module.ts";

const dir = mkdtempSync(join(tmpdir(), "warden-module-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

function module(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function failure(file: string, options?: unknown): Promise<DaemonModuleError> {
  const error: unknown = await loadDaemonModule(file, options, "worker").then(
    () => new Error("expected the module to be refused"),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DaemonModuleError);
  const refused = error as DaemonModuleError;
  expect(refused.code).toBe("WARDEN_ERR_DAEMON_MODULE");
  expect(refused.message).toBe(`daemon "worker": module ${file}: ${refused.reason}`);
  return refused;
}

describe("loadDaemonModule", () => {
  it("loads a daemon object, or calls a factory with the options", async () => {
    const plain = module("plain.mjs", "export default { async start() {}, async stop() {} };\n");
    expect(typeof (await loadDaemonModule(plain, undefined, "a")).start).toBe("function");
    const factory = module(
      "factory.mjs",
      "export default async (options) => ({ options, start() {}, stop() {} });\n",
    );
    const daemon = (await loadDaemonModule(factory, { port: 1 }, "b")) as unknown as {
      options: unknown;
    };
    expect(daemon.options).toEqual({ port: 1 });
  });

  it("names the closest file of the folder when the module does not exist", async () => {
    module("auto-sync.ts", "export default { start() {}, stop() {} };\n");
    const error = await failure(join(dir, "auto-synk.ts"));
    expect(error.reason).toBe('no such file (did you mean "auto-sync.ts"?)');
    expect(error.file).toBe(join(dir, "auto-synk.ts"));
    expect(error.daemon).toBe("worker");
  });

  it("says what is wrong with what the module exports", async () => {
    const none = await failure(module("none.mjs", "export const x = 1;\n"));
    expect(none.reason).toBe("has no default export");
    const threw = await failure(
      module("threw.mjs", "export default () => { throw new Error('no'); };\n"),
    );
    expect(threw.reason).toBe("its factory threw: no");
    const shape = await failure(module("shape.mjs", "export default { start() {} };\n"));
    expect(shape.reason).toMatch(/^expected a default export with start\(ctx\) and stop\(ctx\)/);
    const syntax = await failure(module("syntax.mjs", "export default {\n"));
    expect(syntax.reason).toMatch(/^could not be loaded: /);
  });

  it("gives up on a module whose top-level await never settles, naming the limit", async () => {
    vi.stubEnv("WARDEN_LOAD_TIMEOUT_MS", "200");
    const file = module("stuck.mjs", "await new Promise(() => {});\nexport default {};\n");
    const error = await failure(file);
    expect(error.reason).toBe(
      "did not finish loading within 200 ms (a top-level await that never settles?); " +
        "set WARDEN_LOAD_TIMEOUT_MS to wait longer",
    );
  });

  it("gives up on a factory whose promise never settles", async () => {
    vi.stubEnv("WARDEN_LOAD_TIMEOUT_MS", "200");
    const file = module("stuck-factory.mjs", "export default () => new Promise(() => {});\n");
    const error = await failure(file);
    expect(error.reason).toBe(
      "its factory did not return a daemon within 200 ms (a promise that never settles?); " +
        "set WARDEN_LOAD_TIMEOUT_MS to wait longer",
    );
  });
});
