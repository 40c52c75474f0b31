/**
 * The daemons a DaemonManager knows: each one's policy, dependencies and driver, in registration
 * order, and the dependency graph they form. Names are unique; a dependency may be registered
 * after its dependent, and the graph is checked (validate-graph.ts) before anything starts.
 */
import type { DaemonPolicy } from "../../machines/daemon-policy.ts";
import { suggestion } from "../../machines/closest-name.ts";
import { criticalPath, dependencyOrder } from "../../machines/dependency-graph.ts";
import { WardenError } from "../../machines/errors.ts";
import type { SupervisedDriver } from "./supervised-driver.ts";
import { validateGraph } from "./validate-graph.ts";

export interface Definition {
  name: string;
  dependsOn: readonly string[];
  policy: DaemonPolicy;
  description: string | undefined;
  /** The daemons it must never run beside (SPEC §6a), as registered: one side of each. */
  conflicts?: readonly string[];
  /** Units of the machine's resources it needs before each start (SPEC §6a). */
  requires?: Readonly<Record<string, number>>;
  supervised: SupervisedDriver;
  /** Handed to the supervisor (it has a lifecycle actor). */
  handedOver: boolean;
}

/** What a stop does besides waiting for daemons: events, files, closing sockets. */
const STOP_MARGIN_MS = 5_000;

export class DaemonRegistry {
  private readonly definitions = new Map<string, Definition>();
  private readonly dependencies = new Map<string, readonly string[]>();
  private unsupervised = 0;

  /** Name → the names it depends on. */
  get graph(): ReadonlyMap<string, readonly string[]> {
    return this.dependencies;
  }

  /** Throws WARDEN_ERR_DUPLICATE_DAEMON when `name` is taken. */
  assertNew(name: string): void {
    if (this.definitions.has(name)) {
      throw new WardenError(
        "WARDEN_ERR_DUPLICATE_DAEMON",
        `daemon "${name}" is already registered`,
      );
    }
  }

  add(definition: Omit<Definition, "handedOver">): void {
    this.assertNew(definition.name);
    this.definitions.set(definition.name, { ...definition, handedOver: false });
    this.dependencies.set(definition.name, definition.dependsOn);
    this.unsupervised++;
  }

  /** The definition of `name`; WARDEN_ERR_UNKNOWN_DAEMON (with the closest names) otherwise. */
  get(name: string): Definition {
    const definition = this.definitions.get(name);
    if (!definition) {
      throw new WardenError(
        "WARDEN_ERR_UNKNOWN_DAEMON",
        `no daemon named "${name}"${suggestion(name, this.definitions.keys())}`,
      );
    }
    return definition;
  }

  has(name: string): boolean {
    return this.definitions.has(name);
  }

  names(): string[] {
    return [...this.definitions.keys()];
  }

  all(): IterableIterator<Definition> {
    return this.definitions.values();
  }

  /** Checks the graph: unknown dependencies, cycles (named). */
  validate(): void {
    validateGraph(this.dependencies);
  }

  /**
   * The daemons not yet handed to the supervisor, dependencies first, marked as handed over.
   * Checks the graph first.
   */
  takeUnsupervised(): Definition[] {
    if (this.unsupervised === 0) return [];
    this.validate();
    const fresh = this.names().filter((name) => !this.definitions.get(name)!.handedOver);
    const order = dependencyOrder(fresh, this.dependencies).map((name) => {
      const definition = this.definitions.get(name)!;
      definition.handedOver = true;
      return definition;
    });
    this.unsupervised = 0;
    return order;
  }

  /** Releases every daemon's resources; what fails is told to `onError`, and the rest go on. */
  async disposeAll(onError: (error: unknown) => void): Promise<void> {
    const released = await Promise.allSettled([...this.all()].map((d) => d.supervised.dispose()));
    for (const outcome of released) if (outcome.status === "rejected") onError(outcome.reason);
  }

  /** Puts back what the state directory held for each daemon; names those it re-created. */
  async repairAll(): Promise<string[]> {
    const repaired: string[] = [];
    for (const definition of this.all()) {
      if (await definition.supervised.repair()) repaired.push(definition.name);
    }
    return repaired;
  }

  /** SIGKILLs every process daemon's processes, synchronously. */
  killAllNow(): void {
    for (const definition of this.all()) definition.supervised.killNow();
  }

  /**
   * How long an ordered stop of everything may take: the longest dependency chain, each of its
   * daemons with the largest stop timeout, plus a margin for what a stop does besides waiting.
   */
  stopBudgetMs(): number {
    const longest = Math.max(0, ...[...this.all()].map((d) => d.policy.stopTimeoutMs));
    // The number of daemons on the longest chain (each counts 1).
    const chain = criticalPath(this.dependencies, () => 1);
    return (chain + 1) * longest + STOP_MARGIN_MS;
  }
}
