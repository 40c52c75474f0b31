/**
 * Three top-level keys of the one configuration schema (runtime/config/schema.ts), each a concept
 * of its own: `profileRules` (profile by node role, SPEC §6), `dlq` (retries of the
 * dead-letter queue, SPEC §5) and `cluster` (cluster mode on NATS JetStream, SPEC §11).
 */
import { z } from "zod";
import { DEFAULTS } from "../../machines/defaults.ts";
import { MAX_DELAY_MS } from "../../machines/max-delay.ts";
import { NAME_PATTERN } from "./name-pattern.ts";
import { CLUSTER_DEFAULTS, NODE_NAME_PATTERN } from "../cluster/cluster-defaults.ts";

// As in schema.ts: multipleOf(1), not int() (whose issue would silence cross-field checks).
const integer = (min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  z.number().multipleOf(1).min(min).max(max);
const nonEmpty = () => z.string().min(1);
const duration = (description: string) =>
  integer(0, MAX_DELAY_MS).describe(`${description} (milliseconds)`).optional();

/** `profileRules`: the first rule whose conditions all hold names the profile of `--profile auto`. */
export const profileRulesSchema = z
  .array(
    z.strictObject({
      profile: z.string().regex(NAME_PATTERN).describe("The profile to run when `when` holds"),
      when: z
        .strictObject({
          hostname: nonEmpty()
            .describe("A glob over the hostname: * any run of characters, ? one character")
            .optional(),
          env: z
            .record(z.string(), z.string())
            .describe("Environment variables, each with a glob its value must match")
            .optional(),
          gpu: z.boolean().describe("Whether the machine must have a GPU").optional(),
          minCpus: integer(1).describe("At least this many processors").optional(),
        })
        .describe("Every condition given must hold"),
    }),
  )
  .describe(
    "Profile by node role: `warden up --profile auto` runs the first rule's profile that matches",
  );

/** `dlq`: how DLQ_RETRY retries failed deliveries before parking them. */
export const dlqSchema = z
  .strictObject({
    maxAttempts: integer(1)
      .describe(
        `Failed deliveries (the original one included) after which a dead letter is parked until retried by hand (default ${DEFAULTS.dlq.maxAttempts})`,
      )
      .optional(),
    backoff: z
      .strictObject({
        initialMs: duration(
          `Wait after the original delivery failed (default ${DEFAULTS.dlq.backoff.initialMs})`,
        ),
        maxMs: duration(`Longest wait between retries (default ${DEFAULTS.dlq.backoff.maxMs})`),
        factor: z
          .number()
          .min(1)
          .describe(`Growth of the wait per attempt (default ${DEFAULTS.dlq.backoff.factor})`)
          .optional(),
      })
      .optional(),
  })
  .describe("Retries of the dead-letter queue by the DLQ_RETRY daemon (SPEC §5)");

/** `cluster`: joins the manager to a NATS server with JetStream (SPEC §11, docs/cluster.md). */
export const clusterSchema = z
  .strictObject({
    nats: nonEmpty().describe(
      "NATS server URL, e.g. nats://127.0.0.1:4222 (several: comma-separated, tried in turn)",
    ),
    node: z
      .string()
      .regex(NODE_NAME_PATTERN)
      .describe(
        "This machine's node name: letters, digits, _ and -, at most 64 (default: the hostname)",
      )
      .optional(),
    ttlMs: integer(CLUSTER_DEFAULTS.minTtlMs, CLUSTER_DEFAULTS.maxTtlMs)
      .describe(
        `Node records and singleton leases expire this long after their last renewal; then the node is stale (milliseconds, default ${CLUSTER_DEFAULTS.ttlMs})`,
      )
      .optional(),
    secret: z
      .string()
      .min(CLUSTER_DEFAULTS.minSecretLength)
      .describe(
        `Shared by every node: authorises remote start, stop and restart (at least ${CLUSTER_DEFAULTS.minSecretLength} characters)`,
      )
      .optional(),
    events: z
      .array(nonEmpty())
      .describe("Event types bridged between nodes through JetStream")
      .optional(),
    user: nonEmpty().describe("NATS user name (with pass)").optional(),
    pass: nonEmpty().describe("NATS password").optional(),
    token: nonEmpty().describe("NATS authentication token").optional(),
    creds: nonEmpty()
      .describe("A NATS .creds file (JWT and NKey seed), relative to the config file")
      .optional(),
    tls: z
      .strictObject({
        caFile: nonEmpty().describe("CA certificate file, relative to the config file").optional(),
        certFile: nonEmpty().describe("Client certificate file (with keyFile)").optional(),
        keyFile: nonEmpty().describe("Client key file (with certFile)").optional(),
      })
      .describe("TLS to the NATS server")
      .optional(),
  })
  .describe("Cluster mode on NATS JetStream (SPEC §11)");
