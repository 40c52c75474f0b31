/**
 * A bound on the distinct values of one Prometheus label when outsiders choose them (SPEC §13:
 * daemons control label values). Each owner (a daemon, a client) may add a few values and all of
 * them together a few more; a value beyond either budget is counted under `other` instead. Every
 * operation is O(1), and memory stays within the budgets whatever the owners send.
 */

/** The label value that stands for every value over a budget. */
export const OTHER_LABEL = "other";

/** What ran out: one owner's budget, or the one of all owners together. */
export type ExhaustedBudget =
  | { kind: "owner"; owner: string; max: number; value: string }
  | { kind: "total"; owner: string; max: number; value: string };

export interface LabelBudgetOptions {
  /** Distinct values one owner may add. */
  perOwner: number;
  /** Distinct values all owners together may add (reserved values and `other` not included). */
  total: number;
  /** Values that are always their own, charged to nobody (the manager's own event types). */
  reserved?: Iterable<string>;
  /**
   * Told the first time an owner goes over its budget, and the first time anyone goes over the
   * total: at most `total / perOwner + 1` calls in all.
   */
  onExhausted?: (exhausted: ExhaustedBudget) => void;
}

/**
 * Decides, value by value, which label value to count under.
 *
 * @example
 * const budget = new LabelBudget({ perOwner: 100, total: 1000 });
 * counts.set(budget.admit(envelope.source, envelope.type), …); // the type, or "other"
 */
export class LabelBudget {
  private readonly admitted = new Set<string>();
  private readonly reserved: ReadonlySet<string>;
  /** Values each owner added; only owners that added one are here, so at most `total`. */
  private readonly addedBy = new Map<string, number>();
  /** Owners told they are over budget: each added `perOwner` values, so few. */
  private readonly told = new Set<string>();
  private toldTotal = false;

  constructor(private readonly options: LabelBudgetOptions) {
    for (const [name, limit] of [
      ["perOwner", options.perOwner],
      ["total", options.total],
    ] as const) {
      if (!Number.isInteger(limit) || limit < 0) {
        throw new RangeError(`LabelBudget ${name} must be a non-negative integer, got ${limit}`);
      }
    }
    this.reserved = new Set([OTHER_LABEL, ...(options.reserved ?? [])]);
  }

  /** Distinct values admitted so far, reserved ones not included. */
  get size(): number {
    return this.admitted.size;
  }

  /** `value` when it already has a series or both budgets have room for it; `other` if not. */
  admit(owner: string, value: string): string {
    if (this.reserved.has(value) || this.admitted.has(value)) return value;
    const added = this.addedBy.get(owner) ?? 0;
    const { perOwner, total, onExhausted } = this.options;
    if (added >= perOwner) {
      if (!this.told.has(owner)) {
        this.told.add(owner);
        onExhausted?.({ kind: "owner", owner, max: perOwner, value });
      }
      return OTHER_LABEL;
    }
    if (this.admitted.size >= total) {
      if (!this.toldTotal) {
        this.toldTotal = true;
        onExhausted?.({ kind: "total", owner, max: total, value });
      }
      return OTHER_LABEL;
    }
    this.admitted.add(value);
    this.addedBy.set(owner, added + 1);
    return value;
  }
}
