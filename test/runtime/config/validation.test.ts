import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { WardenError } from "../../../machines/errors.ts";
import { configJsonSchema, type configSchema } from "../../../runtime/config/schema.ts";
import type { WardenConfig } from "../../../runtime/config/types.ts";
import { validateConfig } from "../../../runtime/config/validate-config.ts";

/** The thrown error of an invalid configuration; fails the test if it is valid or throws something else. */
function rejection(raw: unknown, file = "warden.config.json"): WardenError {
  try {
    validateConfig(raw, file);
  } catch (error) {
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe("WARDEN_ERR_CONFIG");
    return error as WardenError;
  }
  throw new Error("expected the configuration to be rejected");
}

const detailsOf = (raw: unknown, file?: string) => rejection(raw, file).details;

/** A config with one daemon `trainer` made of `fields` on top of a valid process definition. */
const withTrainer = (fields: Record<string, unknown>) => ({
  daemons: { trainer: { command: "python3", ...fields } },
});

describe("validateConfig accepts", () => {
  it("the example of SPEC §7 and returns it unchanged", () => {
    const config = {
      catalog: "ringrift",
      stateDir: ".warden",
      server: { host: "127.0.0.1", port: 7070 },
      daemons: {
        AUTO_SYNC: { module: "./daemons/auto-sync.ts" },
        trainer: {
          command: "python3",
          args: ["-u", "train.py"],
          cwd: "./ml",
          ready: { notify: true },
          dependsOn: ["EVENT_ROUTER", "AUTO_SYNC"],
          restart: "always",
          backoff: { initialMs: 500, maxMs: 30000, factor: 2 },
          maxRestarts: 5,
          withinMs: 60000,
          startTimeoutMs: 30000,
          stopTimeoutMs: 10000,
          health: { intervalMs: 10000, timeoutMs: 5000, failureThreshold: 3 },
          heartbeatTimeoutMs: 30000,
          critical: false,
          singleton: false,
        },
      },
      profiles: { gpu: ["trainer"] },
      cluster: { nats: "nats://127.0.0.1:4222", node: "gpu-3" },
    };
    expect(validateConfig(config, "warden.config.ts")).toEqual(config);
  });

  it("every kind of readiness, module options, env, logs and a $schema reference", () => {
    const config = {
      $schema: "./node_modules/warden/warden.schema.json",
      daemons: {
        a: { command: "a", ready: { stdout: "^listening on \\d+$" } },
        b: { command: "b", ready: { tcp: 9000 }, env: { PORT: "9000" }, logs: { maxBytes: 1e6 } },
        c: { command: "c", ready: { http: "https://127.0.0.1:9000/health" } },
        d: { command: "d", ready: { spawn: true }, dependsOn: ["a", "b", "c"] },
        "e.worker-1": { module: "./e.ts", options: { anything: [1, "two"] } },
      },
      profiles: { all: ["a", "b", "c", "d", "e.worker-1"], none: [] },
    };
    expect(validateConfig(config, "warden.config.json")).toEqual(config);
  });

  it("dependencies and profile members outside `daemons` when a catalog is used", () => {
    const config = {
      catalog: "ringrift",
      daemons: { mine: { command: "x", dependsOn: ["EVENT_ROUTER"] } },
      profiles: { sync: ["AUTO_SYNC", "mine"] },
    };
    expect(validateConfig(config, "warden.config.yaml")).toEqual(config);
  });
});

describe("validateConfig reports", () => {
  it("a value outside an enumeration, with the choices", () => {
    expect(detailsOf(withTrainer({ restart: "sometimes" }), "warden.config.ts")).toEqual([
      'warden.config.ts: daemons.trainer.restart: expected one of "always", "on-failure", "never", got "sometimes"',
    ]);
  });

  it("a misspelt enumeration value, with the closest choice", () => {
    expect(detailsOf(withTrainer({ restart: "alway" }))).toEqual([
      'warden.config.json: daemons.trainer.restart: expected one of "always", "on-failure", "never", got "alway" (did you mean "always"?)',
    ]);
    expect(detailsOf({ catalog: "ringrif", daemons: {} })).toEqual([
      'warden.config.json: catalog: expected "ringrift", got "ringrif"',
    ]);
  });

  it("an unknown key, with the closest known key of that object", () => {
    expect(detailsOf(withTrainer({ dependson: [] }))).toEqual([
      'warden.config.json: daemons.trainer.dependson: unknown key (did you mean "dependsOn"?)',
    ]);
    expect(detailsOf({ catalogue: "ringrift", daemons: {} })).toEqual([
      'warden.config.json: catalogue: unknown key (did you mean "catalog"?)',
    ]);
    expect(detailsOf(withTrainer({ backoff: { intialMs: 1 } }))).toEqual([
      'warden.config.json: daemons.trainer.backoff.intialMs: unknown key (did you mean "initialMs"?)',
    ]);
    expect(detailsOf(withTrainer({ ready: { tpc: 9000 } }))).toEqual([
      'warden.config.json: daemons.trainer.ready: expected exactly one of "notify", "stdout", "tcp", "http", "spawn", got none',
      'warden.config.json: daemons.trainer.ready.tpc: unknown key (did you mean "tcp"?)',
    ]);
  });

  it("an unknown key unlike any known one, with the keys that are allowed", () => {
    expect(detailsOf({ server: { address: "0.0.0.0" }, daemons: {} })).toEqual([
      'warden.config.json: server.address: unknown key, expected one of "host", "port"',
    ]);
  });

  it("an unknown dependency, with the closest daemon name", () => {
    const raw = { daemons: { a: { command: "a" }, b: { command: "b", dependsOn: ["aa"] } } };
    expect(detailsOf(raw, "warden.config.yaml")).toEqual([
      'warden.config.yaml: daemons.b.dependsOn[0]: unknown daemon "aa" (did you mean "a"?)',
    ]);
  });

  it("an unknown dependency with no close name, saying that no catalog is set", () => {
    expect(detailsOf(withTrainer({ dependsOn: ["EVENT_ROUTER"] }))).toEqual([
      'warden.config.json: daemons.trainer.dependsOn[0]: unknown daemon "EVENT_ROUTER": not in "daemons", and no "catalog" is set',
    ]);
  });

  it("an unknown profile member", () => {
    const raw = { ...withTrainer({}), profiles: { gpu: ["trainer", "trainr"] } };
    expect(detailsOf(raw)).toEqual([
      'warden.config.json: profiles.gpu[1]: unknown daemon "trainr" (did you mean "trainer"?)',
    ]);
  });

  it("a daemon that depends on itself, even with a catalog", () => {
    const raw = { catalog: "ringrift", ...withTrainer({ dependsOn: ["trainer"] }) };
    expect(detailsOf(raw)).toEqual([
      'warden.config.json: daemons.trainer.dependsOn[0]: expected the name of another daemon, got "trainer" (itself)',
    ]);
  });

  it("a value of the wrong type, quoting strings so they differ from numbers", () => {
    expect(detailsOf({ server: { port: "7070" }, daemons: {} })).toEqual([
      'warden.config.json: server.port: expected a number, got "7070"',
    ]);
    expect(detailsOf(withTrainer({ args: "-u", critical: "yes" }))).toEqual([
      'warden.config.json: daemons.trainer.args: expected an array, got "-u"',
      'warden.config.json: daemons.trainer.critical: expected true or false, got "yes"',
    ]);
    expect(detailsOf(withTrainer({ env: { PORT: 9000 } }))).toEqual([
      "warden.config.json: daemons.trainer.env.PORT: expected a string, got 9000",
    ]);
  });

  it("a missing required key and a file that is not an object", () => {
    expect(detailsOf({ stateDir: ".warden" })).toEqual([
      "warden.config.json: daemons: expected an object, got nothing",
    ]);
    expect(detailsOf([1, 2])).toEqual(["warden.config.json: expected an object, got an array"]);
    expect(detailsOf(null)).toEqual(["warden.config.json: expected an object, got null"]);
    expect(detailsOf({ daemons: {}, cluster: {} })).toEqual([
      "warden.config.json: cluster.nats: expected a string, got nothing",
    ]);
  });

  it("numbers below their minimum", () => {
    expect(
      detailsOf(
        withTrainer({
          maxRestarts: -1,
          stopTimeoutMs: -5,
          backoff: { factor: 0.5 },
          health: { failureThreshold: 0 },
        }),
      ),
    ).toEqual([
      "warden.config.json: daemons.trainer.maxRestarts: expected at least 0, got -1",
      "warden.config.json: daemons.trainer.stopTimeoutMs: expected at least 0, got -5",
      "warden.config.json: daemons.trainer.backoff.factor: expected at least 1, got 0.5",
      "warden.config.json: daemons.trainer.health.failureThreshold: expected at least 1, got 0",
    ]);
  });

  it("numbers above their maximum, durations included (setTimeout overflows past 2^31-1 ms)", () => {
    expect(detailsOf({ server: { port: 70000 }, ...withTrainer({ withinMs: 2 ** 31 }) })).toEqual([
      "warden.config.json: server.port: expected at most 65535, got 70000",
      "warden.config.json: daemons.trainer.withinMs: expected at most 2147483647, got 2147483648",
    ]);
  });

  it("fractions where whole numbers are expected, once per value", () => {
    expect(detailsOf(withTrainer({ maxRestarts: 1.5, startTimeoutMs: -0.5 }))).toEqual([
      "warden.config.json: daemons.trainer.maxRestarts: expected a whole number, got 1.5",
      "warden.config.json: daemons.trainer.startTimeoutMs: expected a whole number, got -0.5",
    ]);
  });

  it("empty strings where a name or a command is expected", () => {
    expect(detailsOf({ daemons: { a: { command: "" } } })).toEqual([
      'warden.config.json: daemons.a.command: expected a non-empty string, got ""',
    ]);
  });

  it("a daemon name that is not a name", () => {
    expect(
      detailsOf({ daemons: { "2fast": { command: "x" }, "has space": { command: "y" } } }),
    ).toEqual([
      'warden.config.json: daemons["2fast"]: expected a key matching /^[A-Za-z_][A-Za-z0-9_.-]*$/, got "2fast"',
      'warden.config.json: daemons["has space"]: expected a key matching /^[A-Za-z_][A-Za-z0-9_.-]*$/, got "has space"',
    ]);
  });

  it("a definition with both module and command, or neither, naming both keys", () => {
    expect(detailsOf({ daemons: { a: { module: "./a.ts", command: "a" } } })).toEqual([
      'warden.config.json: daemons.a: expected one of "module" (an in-process daemon), "command" (a process) or "python" (a Python class), got "module" and "command"',
    ]);
    expect(detailsOf({ daemons: { a: { restart: "always" } } })).toEqual([
      'warden.config.json: daemons.a: expected one of "module" (an in-process daemon), "command" (a process) or "python" (a Python class), got none of them (no "catalog" is set)',
    ]);
  });

  it("process-only keys on a module daemon, and options on a process daemon", () => {
    const raw = {
      daemons: {
        a: { module: "./a.ts", args: ["x"], ready: { spawn: true } },
        b: { command: "b", options: {} },
      },
    };
    expect(detailsOf(raw)).toEqual([
      'warden.config.json: daemons.a.args: expected "args" only on a daemon with "command", got it on a daemon with "module"',
      'warden.config.json: daemons.a.ready: expected "ready" only on a daemon with "command" or "python", got it on a daemon with "module"',
      'warden.config.json: daemons.b.options: expected "options" only on a daemon with "module" or "python", got it on a daemon with "command"',
    ]);
  });

  it("readiness checks that are not exactly one valid check", () => {
    const raw = {
      daemons: {
        a: { command: "a", ready: { stdout: "(unclosed" } },
        b: { command: "b", ready: { http: "localhost:9000" } },
        c: { command: "c", ready: {} },
        d: { command: "d", ready: { tcp: 9000, spawn: true } },
        e: { command: "e", ready: { tcp: 0 } },
        f: { command: "f", ready: { notify: false } },
      },
    };
    expect(detailsOf(raw)).toEqual([
      'warden.config.json: daemons.a.ready.stdout: expected a valid regular expression, got "(unclosed" (Invalid regular expression: /(unclosed/: Unterminated group)',
      'warden.config.json: daemons.b.ready.http: expected an http(s) URL, got "localhost:9000"',
      'warden.config.json: daemons.c.ready: expected exactly one of "notify", "stdout", "tcp", "http", "spawn", got none',
      'warden.config.json: daemons.d.ready: expected exactly one of "notify", "stdout", "tcp", "http", "spawn", got "tcp" and "spawn"',
      "warden.config.json: daemons.e.ready.tcp: expected at least 1, got 0",
      "warden.config.json: daemons.f.ready.notify: expected true, got false",
    ]);
  });
});

describe("validateConfig collects every problem", () => {
  const raw = {
    catalogue: "ringrift",
    daemons: {
      a: { command: "a", restart: "sometimes", dependsOn: ["a", "bb"] },
      b: { module: "./b.ts", command: "b", maxRestarts: 2.5, dependson: [] },
      "3d": { command: "x" },
    },
    profiles: { gpu: ["zzz"] },
  };

  it("schema and cross-daemon problems alike, in the order the file reads", () => {
    expect(detailsOf(raw, "warden.config.yaml")).toEqual([
      'warden.config.yaml: catalogue: unknown key (did you mean "catalog"?)',
      'warden.config.yaml: daemons.a.restart: expected one of "always", "on-failure", "never", got "sometimes"',
      'warden.config.yaml: daemons.a.dependsOn[0]: expected the name of another daemon, got "a" (itself)',
      'warden.config.yaml: daemons.a.dependsOn[1]: unknown daemon "bb" (did you mean "b"?)',
      // A fraction must not hide the module/command conflict of the same daemon.
      'warden.config.yaml: daemons.b: expected one of "module" (an in-process daemon), "command" (a process) or "python" (a Python class), got "module" and "command"',
      "warden.config.yaml: daemons.b.maxRestarts: expected a whole number, got 2.5",
      'warden.config.yaml: daemons.b.dependson: unknown key (did you mean "dependsOn"?)',
      'warden.config.yaml: daemons["3d"]: expected a key matching /^[A-Za-z_][A-Za-z0-9_.-]*$/, got "3d"',
      'warden.config.yaml: profiles.gpu[0]: unknown daemon "zzz": not in "daemons", and no "catalog" is set',
    ]);
  });

  it("in a message that names the file, then lists the details", () => {
    const error = rejection(raw, "warden.config.yaml");
    expect(error.message.split("\n")).toEqual([
      "invalid configuration warden.config.yaml:",
      ...error.details,
    ]);
    expect(error.exitCode).toBe(2);
  });
});

describe("configSchema", () => {
  it("accepts every WardenConfig (the user-facing types and the schema agree)", () => {
    expectTypeOf<WardenConfig>().toExtend<z.input<typeof configSchema>>();
  });
});

describe("configJsonSchema", () => {
  const schema = configJsonSchema() as {
    $schema: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, Record<string, unknown>>;
  };
  const daemon = schema.properties.daemons?.additionalProperties as {
    properties: Record<string, Record<string, unknown>>;
    oneOf: unknown;
    additionalProperties: boolean;
  };

  it("is a draft-07 JSON Schema of the whole file", () => {
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["catalog", "stateDir", "server", "daemons", "profiles", "cluster"]),
    );
    expect(schema.required).toEqual(["daemons"]);
    expect(schema.additionalProperties).toBe(false);
  });

  it("describes a daemon definition: strict, module, command, python or none (a catalog daemon), typed fields", () => {
    expect(daemon.additionalProperties).toBe(false);
    expect(daemon.oneOf).toEqual([
      { required: ["module"] },
      { required: ["command"] },
      { required: ["python"] },
      {
        not: {
          anyOf: [{ required: ["module"] }, { required: ["command"] }, { required: ["python"] }],
        },
      },
    ]);
    expect(daemon.properties.restart).toMatchObject({ enum: ["always", "on-failure", "never"] });
    expect(daemon.properties.maxRestarts).toMatchObject({ type: "integer", minimum: 0 });
    expect(daemon.properties.dependsOn).toMatchObject({ type: "array", items: { type: "string" } });
    expect(schema.properties.daemons?.propertyNames).toEqual({
      type: "string",
      pattern: "^[A-Za-z_][A-Za-z0-9_.-]*$",
    });
  });

  it("admits the SPEC example's keys and nothing else on a daemon", () => {
    const exampleKeys = ["command", "args", "cwd", "ready", "dependsOn", "restart", "backoff"];
    for (const key of exampleKeys) expect(daemon.properties).toHaveProperty(key);
    expect(daemon.properties).not.toHaveProperty("dependson");
  });
});
