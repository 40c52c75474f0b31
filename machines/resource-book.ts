/**
 * The allocation book of the machine's countable resources (SPEC §6a): how many units of each
 * there are, which holder has which unit indexes, and who waits, in the order they asked. Pure
 * and mutable, like the SupervisionBook it sits beside in the root supervisor: the supervisor is
 * its single owner, so two daemons can never be handed the same unit.
 *
 * Rules: a holder's request is all or nothing; waiters are served in order, resource by resource
 * (one that does not fit blocks those behind it that need any of the same resources, so a big
 * request is never starved by small ones, and nobody waits behind a waiter for other ones); a
 * holder keeps its units until it releases them (the supervisor keeps them through RESTARTING),
 * and when it asks again it gets the indexes it had before wherever they are free.
 */

/** Unit indexes per resource name, e.g. `{ gpu: [0, 2] }`. */
export type ResourceUnits = Readonly<Record<string, readonly number[]>>;

/** Units handed to a holder by `request` or `release`. */
export interface ResourceGrant {
  holder: string;
  units: ResourceUnits;
}

/** One resource as status and `warden resources` show it. */
export interface ResourceUsage {
  name: string;
  capacity: number;
  held: { holder: string; units: number[] }[];
  free: number;
  /** Holders waiting for units of this resource, in the order they asked. */
  waiting: string[];
}

export class ResourceBook {
  private readonly capacity = new Map<string, number>();
  /** Per resource, who holds each unit index (undefined: free). */
  private readonly owners = new Map<string, (string | undefined)[]>();
  private readonly requirements = new Map<string, Readonly<Record<string, number>>>();
  private readonly held = new Map<string, ResourceUnits>();
  /** What each holder had last: a new request gets the same indexes where they are free. */
  private readonly previous = new Map<string, ResourceUnits>();
  private queue: string[] = [];

  constructor(capacity: Readonly<Record<string, number>> = {}) {
    for (const [name, count] of Object.entries(capacity)) {
      this.capacity.set(name, count);
      this.owners.set(name, new Array<string | undefined>(count).fill(undefined));
    }
  }

  /** The resource names, in the order the configuration gave them. */
  get names(): string[] {
    return [...this.capacity.keys()];
  }

  capacityOf(name: string): number {
    return this.capacity.get(name) ?? 0;
  }

  /**
   * Records what `holder` needs before each start. Throws when a resource is unknown or the need
   * exceeds its capacity: such a holder could never start (the configuration is checked first).
   *
   * @example
   * book.declare("trainer", { gpu: 2 });
   */
  declare(holder: string, requires: Readonly<Record<string, number>>): void {
    for (const [name, count] of Object.entries(requires)) {
      if (count > this.capacityOf(name)) {
        throw new Error(
          `"${holder}" requires ${count} ${name} but there are ${this.capacityOf(name)}`,
        );
      }
    }
    if (Object.keys(requires).length > 0) this.requirements.set(holder, requires);
  }

  /** True when `holder` declared a requirement: it must be granted units before each start. */
  needs(holder: string): boolean {
    return this.requirements.has(holder);
  }

  /**
   * `holder` wants its units: the grant when it holds them already or they are free and nobody
   * asked before it; otherwise undefined, and it waits in line. Asking twice changes nothing.
   *
   * @example
   * book.request("trainer"); // { holder: "trainer", units: { gpu: [0, 1] } } or undefined
   */
  request(holder: string): ResourceGrant | undefined {
    const units = this.held.get(holder);
    if (units) return { holder, units };
    if (this.queue.includes(holder)) return undefined;
    const ahead = this.sharing(holder, this.queue);
    if (ahead.length === 0 && this.fits(holder)) return this.allocate(holder);
    this.queue.push(holder);
    return undefined;
  }

  /**
   * `holder`'s instance is gone (or it no longer wants to start): its units are freed and it
   * leaves the line. Returns the grants this makes possible, in the order the waiters asked.
   *
   * @example
   * for (const grant of book.release("trainer")) tell(grant.holder);
   */
  release(holder: string): ResourceGrant[] {
    const index = this.queue.indexOf(holder);
    if (index >= 0) this.queue.splice(index, 1);
    const units = this.held.get(holder);
    if (units) {
      this.held.delete(holder);
      for (const [name, indexes] of Object.entries(units)) {
        const owners = this.owners.get(name)!;
        for (const unit of indexes) owners[unit] = undefined;
      }
    } else if (index < 0) {
      return [];
    }
    return this.serve();
  }

  unitsOf(holder: string): ResourceUnits {
    return this.held.get(holder) ?? {};
  }

  /** Whether `holder` holds its units now (granted, not released since). */
  holds(holder: string): boolean {
    return this.held.has(holder);
  }

  isWaiting(holder: string): boolean {
    return this.queue.includes(holder);
  }

  /**
   * What a waiting holder waits for, in words: `gpu: 4 of 4 held by A, B` (the first resource
   * that is short), or who is ahead in line when the units are free but promised.
   *
   * @example
   * book.waitingFor("trainer"); // "gpu: 4 of 4 held by A, B"
   */
  waitingFor(holder: string): string | undefined {
    const position = this.queue.indexOf(holder);
    if (position < 0) return undefined;
    for (const [name, count] of Object.entries(this.requirements.get(holder) ?? {})) {
      const owners = this.owners.get(name)!;
      const holders = [...new Set(owners.filter((owner) => owner !== undefined))];
      const taken = owners.length - this.freeOf(name).length;
      if (owners.length - taken < count) {
        return `${name}: ${taken} of ${owners.length} held by ${holders.join(", ")}`;
      }
    }
    const ahead = this.sharing(holder, this.queue.slice(0, position));
    return `queued behind ${ahead.join(", ")}`;
  }

  /** Every resource with its holders and waiters, for status, `warden resources` and metrics. */
  usage(): ResourceUsage[] {
    return this.names.map((name) => {
      const held = new Map<string, number[]>();
      (this.owners.get(name) ?? []).forEach((owner, unit) => {
        if (owner !== undefined) held.set(owner, [...(held.get(owner) ?? []), unit]);
      });
      return {
        name,
        capacity: this.capacityOf(name),
        held: [...held].map(([holder, units]) => ({ holder, units })),
        free: this.freeOf(name).length,
        waiting: this.queue.filter((holder) => (this.requirements.get(holder)?.[name] ?? 0) > 0),
      };
    });
  }

  /**
   * Serves the line in order, resource by resource: a waiter gets its units once they are free
   * and nobody ahead of it waits for any of the same resources, so a large request is never
   * starved by small ones, and a daemon waiting for a sync slot never waits behind one that
   * waits for GPUs.
   */
  private serve(): ResourceGrant[] {
    const grants: ResourceGrant[] = [];
    const waiting: string[] = [];
    for (const holder of this.queue) {
      if (this.sharing(holder, waiting).length === 0 && this.fits(holder)) {
        grants.push(this.allocate(holder));
      } else {
        waiting.push(holder);
      }
    }
    this.queue = waiting;
    return grants;
  }

  /** Those of `others` that require at least one resource `holder` requires. */
  private sharing(holder: string, others: readonly string[]): string[] {
    const mine = Object.keys(this.requirements.get(holder) ?? {});
    return others.filter((other) => {
      const theirs = this.requirements.get(other) ?? {};
      return mine.some((name) => (theirs[name] ?? 0) > 0);
    });
  }

  private freeOf(name: string): number[] {
    const free: number[] = [];
    (this.owners.get(name) ?? []).forEach((owner, unit) => {
      if (owner === undefined) free.push(unit);
    });
    return free;
  }

  private fits(holder: string): boolean {
    const requires = this.requirements.get(holder) ?? {};
    return Object.entries(requires).every(([name, count]) => this.freeOf(name).length >= count);
  }

  /** Takes the holder's previous indexes first where free, then the lowest free ones. */
  private allocate(holder: string): ResourceGrant {
    const units: Record<string, number[]> = {};
    const before = this.previous.get(holder) ?? {};
    for (const [name, count] of Object.entries(this.requirements.get(holder) ?? {})) {
      const owners = this.owners.get(name)!;
      const free = this.freeOf(name);
      const again = (before[name] ?? []).filter((unit) => owners[unit] === undefined);
      const chosen = [...again, ...free.filter((unit) => !again.includes(unit))].slice(0, count);
      chosen.sort((a, b) => a - b);
      for (const unit of chosen) owners[unit] = holder;
      units[name] = chosen;
    }
    this.held.set(holder, units);
    this.previous.set(holder, units);
    return { holder, units };
  }
}
