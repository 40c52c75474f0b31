import { z } from "zod";
import { MIN_LOG_MAX_BYTES } from "../../actors/rotating-log.ts";
import { RESTART_POLICIES } from "../../machines/daemon-policy.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { messageOf } from "../../machines/errors.ts";
import { MAX_DELAY_MS } from "../../machines/max-delay.ts";
import type { KindOf, OneKeyOf } from "./exclusive-keys.ts";
import { limitsSchema } from "./limits-schema.ts";
import { NAME_PATTERN, RESOURCE_PATTERN } from "./name-pattern.ts";
import { clusterSchema, dlqSchema, profileRulesSchema } from "./top-level-schemas.ts";
import { pythonTargetProblem } from "./python-daemon.ts";

export { NAME_PATTERN, RESOURCE_PATTERN } from "./name-pattern.ts";

/** The keys that only a process daemon (one with `command`) may set. */
const PROCESS_KEYS = ["args", "env", "cwd", "ready", "logs", "limits"] as const;
/** The keys that only a module daemon (one with `module`) may set. */
const MODULE_KEYS = ["options"] as const;
/** The keys a Python daemon (one with `python`, run as a process by the adapter) may set. */
const PYTHON_KEYS = ["options", "env", "cwd", "ready", "logs", "limits"] as const;

type ProcessKey = (typeof PROCESS_KEYS)[number];
type ModuleKey = (typeof MODULE_KEYS)[number];
type PythonKey = (typeof PYTHON_KEYS)[number];

/** The keys that say how a daemon runs: its kind (`module`, `command`, `python`) and their own keys. */
export type DaemonKindKey = "module" | "command" | "python" | ProcessKey | ModuleKey;

/** Each kind's marker key and the keys only it (and kinds sharing them) may set. */
const KINDS = { module: MODULE_KEYS, command: PROCESS_KEYS, python: PYTHON_KEYS } as const;
type Kind = keyof typeof KINDS;

/** `health` without `probe`: what a module daemon may set (a probe is for processes). */
type ModuleHealth<F> = F extends { health?: infer H } ? Omit<NonNullable<H>, "probe"> : never;

/**
 * What the daemon refinement below allows: `module`, `command` or `python`, each with only its
 * own keys (`health.probe` only with `command` or `python`), or none of them: a catalog daemon
 * the configuration tunes without binding it (validateConfig checks that it is one).
 */
type DaemonKinds<F extends Partial<Record<DaemonKindKey | "health", unknown>>> =
  | (Omit<KindOf<F, "module", ModuleKey, "command" | "python" | ProcessKey>, "health"> & {
      health?: ModuleHealth<F>;
    })
  | KindOf<F, "command", ProcessKey, "module" | "python" | ModuleKey>
  | KindOf<F, "python", PythonKey, "module" | "command" | "args">
  | (Omit<F, DaemonKindKey | "health"> & {
      [P in Exclude<DaemonKindKey, "options">]?: never;
    } & { options?: unknown; health?: ModuleHealth<F> });

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

/** An http(s) URL, the problem named when it is not one. */
const httpUrl = () =>
  z.string().superRefine((url, ctx) => {
    if (!isHttpUrl(url)) {
      ctx.addIssue({ code: "custom", input: url, params: { expected: "an http(s) URL" } });
    }
  });

/**
 * `fields`, all optional, of which exactly one must be set (`ready`, `health.probe`): the
 * problem names the keys expected and the ones found, the JSON Schema says `oneOf`, and the
 * output is typed as one key alone.
 */
function exactlyOne<Shape extends z.core.$ZodLooseShape>(
  fields: z.ZodObject<Shape, z.core.$strict>,
  description: string,
) {
  const keys = Object.keys(fields.shape);
  const present = (value: Record<string, unknown>) =>
    keys.filter((key) => value[key] !== undefined);
  return (
    fields
      .superRefine((value, ctx) => {
        const found = present(value);
        if (found.length === 1) return;
        ctx.addIssue({
          code: "custom",
          input: value,
          params: {
            expected: `exactly one of ${keys.map((key) => `"${key}"`).join(", ")}`,
            got: found.length === 0 ? "none" : found.map((key) => `"${key}"`).join(" and "),
          },
        });
      }, whenObject)
      .meta({ oneOf: keys.map((key) => ({ required: [key] })) })
      .describe(description)
      // Types the output as what the refinement above allows. The pipe runs only when there is
      // no issue, so its check always holds and adds no message of its own. (One key alone is
      // an object of those fields, which TypeScript cannot see for a generic Shape.)
      .pipe(
        z.custom<OneKeyOf<z.output<typeof fields>>>(
          (value) => isObject(value) && present(value).length === 1,
        ) as unknown as z.ZodType<OneKeyOf<z.output<typeof fields>>, z.output<typeof fields>>,
      )
  );
}

const probeSchema = exactlyOne(
  z.strictObject({
    http: httpUrl().describe("Healthy when this URL answers 2xx").optional(),
    tcp: integer(1, 65_535)
      .describe("Healthy when this TCP port on 127.0.0.1 accepts a connection")
      .optional(),
    exec: z
      .array(z.string())
      .min(1)
      .superRefine((argv, ctx) => {
        if (argv[0] !== "") return;
        ctx.addIssue({ code: "custom", path: [0], input: "", params: { expected: "a command" } });
      })
      .describe(
        "Healthy when [command, ...args] exits 0 within timeoutMs; runs in the daemon's cwd with its env",
      )
      .optional(),
    notify: z
      .literal(true)
      .describe("Healthy when the process answers HEALTH? with HEALTH=ok within timeoutMs")
      .optional(),
  }),
  "How a process daemon's liveness is checked (only with command)",
);

const healthSchema = z.strictObject({
  intervalMs: duration("Time between health checks"),
  timeoutMs: duration("How long one health check may take"),
  failureThreshold: integer(1)
    .describe("Consecutive failed checks that make the daemon restart")
    .optional(),
  probe: probeSchema.optional(),
});

const readySchema = exactlyOne(
  z.strictObject({
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
            params: { expected: "a valid regular expression", reason: messageOf(error) },
          });
        }
      })
      .describe("Ready when a stdout line matches this regular expression")
      .optional(),
    tcp: integer(1, 65_535).describe("Ready when this TCP port accepts").optional(),
    http: httpUrl().describe("Ready when this URL answers 2xx").optional(),
    spawn: z.literal(true).describe("Ready as soon as the process is spawned").optional(),
  }),
  "When the process counts as ready",
);

const daemonFields = z.strictObject({
  module: nonEmpty()
    .describe("In-process daemon: a module whose default export is the daemon or a factory")
    .optional(),
  options: z.unknown().describe("Passed to the module's factory").optional(),
  command: nonEmpty().describe("Process daemon: the program to run").optional(),
  python: z
    .string()
    .superRefine((target, ctx) => {
      const problem = pythonTargetProblem(target);
      if (problem !== undefined) ctx.addIssue({ code: "custom", input: target, message: problem });
    })
    .describe(
      "Python daemon: module:Class, run by warden's adapter (python3 -m warden_daemon module:Class)",
    )
    .optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string().regex(/^[^=\0]+$/), z.string()).optional(),
  cwd: nonEmpty().describe("Working directory, relative to the config file").optional(),
  ready: readySchema.optional(),
  logs: z
    .strictObject({
      maxBytes: integer(MIN_LOG_MAX_BYTES)
        .describe(
          "Rotate a log file before it grows past this many bytes " +
            `(default ${DEFAULTS.daemon.logs.maxBytes / 2 ** 20} MiB)`,
        )
        .optional(),
      maxFiles: integer(1)
        .describe(
          `Log files kept, the current one included (default ${DEFAULTS.daemon.logs.maxFiles})`,
        )
        .optional(),
    })
    .optional(),
  dependsOn: z
    .array(z.string())
    .describe("Daemons that must be RUNNING before this one starts")
    .optional(),
  description: z.string().optional(),
  restart: z.enum(RESTART_POLICIES).optional(),
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
  requires: z
    .record(z.string().regex(RESOURCE_PATTERN), integer(1))
    .describe("Units of the top-level `resources` it needs before each start, e.g. { gpu: 1 }")
    .optional(),
  conflicts: z
    .array(z.string())
    .describe("Daemons that must never run at the same time as this one (symmetric)")
    .optional(),
  limits: limitsSchema.optional(),
});

/**
 * What breaks "at most one of `module`, `command` or `python`, and only the keys of that kind" (a
 * `health.probe` included): none for a valid definition. A definition with none of the three is
 * not refused here: it is a catalog daemon's settings, which validateConfig checks by name.
 */
function kindProblems(daemon: Record<string, unknown>) {
  const kinds = (Object.keys(KINDS) as Kind[]).filter((kind) => daemon[kind] !== undefined);
  if (kinds.length > 1) {
    const expected = `one of "module" (an in-process daemon), "command" (a process) or "python" (a Python class)`;
    return [{ input: daemon, params: { expected, got: kinds.map((k) => `"${k}"`).join(" and ") } }];
  }
  const kind = kinds[0];
  const own: readonly string[] = kind === undefined ? ["options"] : KINDS[kind];
  const got =
    kind === undefined ? "it on a daemon with none of them" : `it on a daemon with "${kind}"`;
  const problems = [...new Set(Object.values(KINDS).flat())]
    .filter((key) => !own.includes(key) && daemon[key] !== undefined)
    .map((key) => ({
      path: [key] as PropertyKey[],
      input: daemon[key],
      params: { expected: `"${key}" only on a daemon with ${ownersOf(key)}`, got },
    }));
  const probe = isObject(daemon.health) ? daemon.health.probe : undefined;
  if ((kind === "module" || kind === undefined) && probe !== undefined) {
    // A module's liveness is its healthCheck(); a probe of the outside world is for processes.
    const expected = `"health.probe" only on a daemon with "command" or "python" (a module has healthCheck())`;
    problems.push({ path: ["health", "probe"], input: probe, params: { expected, got } });
  }
  return problems;
}

/** `"command"` or `"module" or "python"`: the kinds that may set `key`. */
function ownersOf(key: string): string {
  const owners = (Object.keys(KINDS) as Kind[]).filter((kind) =>
    (KINDS[kind] as readonly string[]).includes(key),
  );
  return owners.map((kind) => `"${kind}"`).join(" or ");
}

const daemonSchema = daemonFields
  .superRefine((daemon, ctx) => {
    for (const problem of kindProblems(daemon)) ctx.addIssue({ code: "custom", ...problem });
  }, whenObject)
  .meta({
    oneOf: [
      { required: ["module"] },
      { required: ["command"] },
      { required: ["python"] },
      {
        not: {
          anyOf: [{ required: ["module"] }, { required: ["command"] }, { required: ["python"] }],
        },
      },
    ],
  })
  // As for `ready`: types the output as one of the two kinds; never adds a message.
  .pipe(
    z.custom<DaemonKinds<z.output<typeof daemonFields>>>(
      (daemon) => isObject(daemon) && kindProblems(daemon).length === 0,
    ),
  );

/**
 * The one schema of a warden configuration file (SPEC §7). Objects are strict: unknown keys are
 * errors. Its output type is `WardenConfig` (runtime/config/types.ts); `validateConfig` adds the
 * cross-daemon checks and readable messages, and `configJsonSchema` derives the editors' JSON
 * Schema from it. It fills in no defaults: those are `DEFAULTS`, applied where they are used.
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
        host: nonEmpty().describe(`Listen address (default ${DEFAULTS.server.host})`).optional(),
        port: integer(0, 65_535)
          .describe(`Listen port (default ${DEFAULTS.server.port}; 0 picks one)`)
          .optional(),
      })
      .optional(),
    resources: z
      .record(z.string().regex(RESOURCE_PATTERN), integer(0))
      .describe(
        "Countable resources of the machine and their units; gpu defaults to those detected",
      )
      .optional(),
    daemons: z.record(z.string().regex(NAME_PATTERN), daemonSchema),
    profiles: z
      .record(z.string().regex(NAME_PATTERN), z.array(z.string()))
      .describe("Named sets of daemons; a profile pulls in its members' dependencies")
      .optional(),
    profileRules: profileRulesSchema.optional(),
    dlq: dlqSchema.optional(),
    cluster: clusterSchema.optional(),
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
