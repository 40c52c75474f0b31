import { z } from "zod";

/**
 * What a daemon or profile name looks like: a letter or `_`, then letters, digits, `_`, `.`, `-`.
 *
 * @example
 * NAME_PATTERN.test("AUTO_SYNC"); // true
 * NAME_PATTERN.test("2fast"); // false
 */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// setTimeout silently fires at once for any delay above this, so longer durations are errors.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** The keys that only a process daemon (one with `command`) may set. */
const PROCESS_KEYS = ["args", "env", "cwd", "ready", "logs"] as const;
/** The keys that only a module daemon (one with `module`) may set. */
const MODULE_KEYS = ["options"] as const;
const READY_KEYS = ["notify", "stdout", "tcp", "http", "spawn"] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isHttpUrl = (text: string): boolean => {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
};

// Cross-field checks must run even when a sibling field is bad, so that every problem is
// reported at once; zod skips refinements after "aborting" issues unless `when` says otherwise.
const whenObject = { when: (payload: { value: unknown }) => isObject(payload.value) };

// `.int()` marks its issue as aborting, which would silence the cross-field checks above;
// `multipleOf(1)` does not, and configJsonSchema() turns it back into `"type": "integer"`.
const integer = (min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  z.number().multipleOf(1).min(min).max(max);

const duration = (description: string) =>
  integer(0, MAX_DELAY_MS).describe(`${description} (milliseconds)`).optional();

const nonEmpty = () => z.string().min(1);

const backoffSchema = z.strictObject({
  initialMs: duration("First restart delay"),
  maxMs: duration("Longest restart delay"),
  factor: z.number().min(1).describe("Growth of the delay per attempt").optional(),
});

const healthSchema = z.strictObject({
  intervalMs: duration("Time between health checks"),
  timeoutMs: duration("How long one health check may take"),
  failureThreshold: integer(1)
    .describe("Consecutive failed checks that make the daemon restart")
    .optional(),
});

const readySchema = z
  .strictObject({
    notify: z.literal(true).describe("Ready when the process writes READY=1").optional(),
    stdout: z
      .string()
      .superRefine((source, ctx) => {
        try {
          new RegExp(source);
        } catch (error) {
          ctx.addIssue({
            code: "custom",
            input: source,
            params: { expected: "a valid regular expression", reason: (error as Error).message },
          });
        }
      })
      .describe("Ready when a stdout line matches this regular expression")
      .optional(),
    tcp: integer(1, 65_535).describe("Ready when this TCP port accepts").optional(),
    http: z
      .string()
      .superRefine((url, ctx) => {
        if (!isHttpUrl(url)) {
          ctx.addIssue({ code: "custom", input: url, params: { expected: "an http(s) URL" } });
        }
      })
      .describe("Ready when this URL answers 2xx")
      .optional(),
    spawn: z.literal(true).describe("Ready as soon as the process is spawned").optional(),
  })
  .superRefine((ready, ctx) => {
    const present = READY_KEYS.filter((key) => ready[key] !== undefined);
    if (present.length === 1) return;
    ctx.addIssue({
      code: "custom",
      input: ready,
      params: {
        expected: `exactly one of ${READY_KEYS.map((key) => `"${key}"`).join(", ")}`,
        got: present.length === 0 ? "none" : present.map((key) => `"${key}"`).join(" and "),
      },
    });
  }, whenObject)
  .meta({ oneOf: READY_KEYS.map((key) => ({ required: [key] })) })
  .describe("When the process counts as ready");

const daemonSchema = z
  .strictObject({
    module: nonEmpty()
      .describe("In-process daemon: a module whose default export is the daemon or a factory")
      .optional(),
    options: z.unknown().describe("Passed to the module's factory").optional(),
    command: nonEmpty().describe("Process daemon: the program to run").optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string().regex(/^[^=\0]+$/), z.string()).optional(),
    cwd: nonEmpty().describe("Working directory, relative to the config file").optional(),
    ready: readySchema.optional(),
    logs: z
      .strictObject({
        maxBytes: integer(1024)
          .describe("Rotate a log file before it grows past this many bytes (default 10 MiB)")
          .optional(),
        maxFiles: integer(1)
          .describe("Log files kept, the current one included (default 5)")
          .optional(),
      })
      .optional(),
    dependsOn: z
      .array(z.string())
      .describe("Daemons that must be RUNNING before this one starts")
      .optional(),
    description: z.string().optional(),
    restart: z.enum(["always", "on-failure", "never"]).optional(),
    backoff: backoffSchema.optional(),
    resetAfterMs: duration("RUNNING this long resets the restart backoff"),
    maxRestarts: integer(0).describe("Restarts allowed within withinMs before FAILED").optional(),
    withinMs: duration("The window of maxRestarts"),
    startTimeoutMs: duration("How long a start may take"),
    stopTimeoutMs: duration("How long a stop may take before a forced kill"),
    health: healthSchema.optional(),
    heartbeatTimeoutMs: duration("A RUNNING daemon silent this long is restarted"),
    retryFailedAfterMs: duration("How long FAILED waits before trying again"),
    critical: z.boolean().describe("If this daemon fails, the manager shuts down").optional(),
    singleton: z.boolean().describe("At most one instance in a cluster").optional(),
  })
  .superRefine((daemon, ctx) => {
    const kind = { module: daemon.module !== undefined, command: daemon.command !== undefined };
    if (kind.module === kind.command) {
      ctx.addIssue({
        code: "custom",
        input: daemon,
        params: {
          expected: `either "module" (an in-process daemon) or "command" (a process)`,
          got: kind.module ? "both" : "neither",
        },
      });
      return;
    }
    const [misplaced, owner] = kind.module ? [PROCESS_KEYS, "command"] : [MODULE_KEYS, "module"];
    for (const key of misplaced) {
      if (daemon[key] === undefined) continue;
      ctx.addIssue({
        code: "custom",
        path: [key],
        input: daemon[key],
        params: {
          expected: `"${key}" only on a daemon with "${owner}"`,
          got: `it on a daemon with "${kind.module ? "module" : "command"}"`,
        },
      });
    }
  }, whenObject)
  .meta({ oneOf: [{ required: ["module"] }, { required: ["command"] }] });

/**
 * The one schema of a warden configuration file (SPEC §7). Objects are strict: unknown keys are
 * errors. Its output is a `WardenConfig`; `validateConfig` adds the cross-daemon checks and
 * readable messages, and `configJsonSchema` derives the editors' JSON Schema from it.
 *
 * @example
 * configSchema.safeParse({ daemons: { a: { command: "sleep", args: ["60"] } } }).success; // true
 */
export const configSchema = z
  .strictObject({
    $schema: z.string().describe("JSON Schema reference for editors; ignored").optional(),
    catalog: z.literal("ringrift").describe("Use the built-in catalog of daemons").optional(),
    stateDir: nonEmpty().describe("State directory, relative to the config file").optional(),
    server: z
      .strictObject({
        host: nonEmpty().describe("Listen address (default 127.0.0.1)").optional(),
        port: integer(0, 65_535).describe("Listen port (default 7070; 0 picks one)").optional(),
      })
      .optional(),
    daemons: z.record(z.string().regex(NAME_PATTERN), daemonSchema),
    profiles: z
      .record(z.string().regex(NAME_PATTERN), z.array(z.string()))
      .describe("Named sets of daemons; a profile pulls in its members' dependencies")
      .optional(),
    cluster: z
      .strictObject({
        nats: nonEmpty().describe("NATS server URL, e.g. nats://127.0.0.1:4222"),
        node: nonEmpty().describe("This machine's node name (default: the hostname)").optional(),
      })
      .optional(),
  })
  .meta({ title: "warden configuration" });

/**
 * The JSON Schema (draft-07) of a configuration file, for editors: point `$schema` in a `.json`
 * file, or `# yaml-language-server: $schema=...` in a `.yaml` file, at a file holding it.
 *
 * @example
 * writeFileSync("warden.schema.json", JSON.stringify(configJsonSchema(), null, 2));
 */
export function configJsonSchema(): object {
  return z.toJSONSchema(configSchema, {
    io: "input",
    target: "draft-07",
    override: ({ jsonSchema }) => {
      if (jsonSchema.type === "number" && jsonSchema.multipleOf === 1) {
        jsonSchema.type = "integer";
        delete jsonSchema.multipleOf;
      }
    },
  });
}
