/**
 * Two top-level keys of the one configuration schema (runtime/config/schema.ts), each a concept
 * of its own: `profileRules` (profile by node role, SPEC §6) and `dlq` (retries of the
 * dead-letter queue, SPEC §5).
 */
import { z } from "zod";
import { DEFAULTS } from "../../machines/defaults.ts";
import { MAX_DELAY_MS } from "../../machines/max-delay.ts";
import { NAME_PATTERN } from "./name-pattern.ts";

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
