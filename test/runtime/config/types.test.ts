/**
 * The configuration's types come from its schema; these checks run in `tsc --noEmit` (the
 * `it` bodies are there for vitest to list them). They fail to compile when the schema and the
 * process driver's contract, or the supervision policy, drift apart.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { LogRotation, ReadyCheck } from "../../../actors/process-spec.ts";
import type { DaemonPolicyOptions } from "../../../machines/daemon-policy.ts";
import type { configSchema } from "../../../runtime/config/schema.ts";
import type {
  CatalogDaemonSettings,
  DaemonCommonFields,
  DaemonDefinition,
  ModuleDaemonDefinition,
  ProcessDaemonDefinition,
  PythonDaemonDefinition,
  WardenConfig,
} from "../../../runtime/config/types.ts";

describe("the configuration's types", () => {
  it("are the schema's output, which the loader returns without a cast", () => {
    expectTypeOf<WardenConfig>().toEqualTypeOf<z.output<typeof configSchema>>();
    // Every valid configuration is also accepted by the schema's input (its JSON Schema).
    expectTypeOf<WardenConfig>().toExtend<z.input<typeof configSchema>>();
  });

  it("give the process driver exactly its ReadyCheck and LogRotation", () => {
    expectTypeOf<NonNullable<ProcessDaemonDefinition["ready"]>>().toEqualTypeOf<ReadyCheck>();
    expectTypeOf<NonNullable<ProcessDaemonDefinition["logs"]>>().toEqualTypeOf<LogRotation>();
  });

  it("give the supervisor exactly its policy options", () => {
    expectTypeOf<
      Pick<DaemonCommonFields, keyof DaemonPolicyOptions>
    >().toEqualTypeOf<DaemonPolicyOptions>();
  });

  it("fill in no defaults: the smallest definitions of each kind are valid", () => {
    expectTypeOf<{ daemons: Record<string, never> }>().toExtend<WardenConfig>();
    expectTypeOf<{ module: string }>().toExtend<ModuleDaemonDefinition>();
    expectTypeOf<{ command: string }>().toExtend<ProcessDaemonDefinition>();
    expectTypeOf<{
      command: string;
      backoff: Record<string, never>;
      health: Record<string, never>;
      logs: Record<string, never>;
    }>().toExtend<ProcessDaemonDefinition>();
    expectTypeOf<{
      server: Record<string, never>;
      cluster: { nats: string };
      daemons: Record<string, never>;
    }>().toExtend<WardenConfig>();
  });

  it("are at most one kind: module, command or python, each with only its own keys", () => {
    expectTypeOf<
      | ModuleDaemonDefinition
      | ProcessDaemonDefinition
      | PythonDaemonDefinition
      | CatalogDaemonSettings
    >().toEqualTypeOf<DaemonDefinition>();
    expectTypeOf<{ module: string; command: string }>().not.toExtend<DaemonDefinition>();
    expectTypeOf<{ python: string; command: string }>().not.toExtend<DaemonDefinition>();
    expectTypeOf<{ module: string; args: string[] }>().not.toExtend<DaemonDefinition>();
    expectTypeOf<{ python: string; args: string[] }>().not.toExtend<DaemonDefinition>();
    expectTypeOf<{ command: string; options: unknown }>().not.toExtend<DaemonDefinition>();
    expectTypeOf<{
      python: string;
      options: unknown;
      cwd: string;
    }>().toExtend<PythonDaemonDefinition>();
    // A catalog daemon's settings: no kind, no process keys, no probe.
    expectTypeOf<{ description: string }>().toExtend<CatalogDaemonSettings>();
    expectTypeOf<{ options: unknown; critical: boolean }>().toExtend<CatalogDaemonSettings>();
    expectTypeOf<{ args: string[] }>().not.toExtend<DaemonDefinition>();
  });
});
