/**
 * The root supervisor's hand-over of resource units on a transition (machines/resource-handover.ts),
 * with the real books. The schedule that `warden simulate` found (seed 484952615, issue P11): two
 * daemons that need the one GPU depend on `db`; A has been granted it (still PENDING), B waits.
 * `db` stops: A gives the GPU back, which hands it to B, whose dependency is lost too, so B gives
 * it back in the same transition. B must not be told RESOURCES_GRANTED: it would start holding
 * nothing.
 */
import { describe, expect, it } from "vitest";
import { ResourceBook } from "../../machines/resource-book.ts";
import { handOver } from "../../machines/resource-handover.ts";
import { SupervisionBook } from "../../machines/supervision-book.ts";

function books() {
  const book = new SupervisionBook();
  const resources = new ResourceBook({ gpu: 1 });
  book.add("db", [], false);
  for (const name of ["A", "B"]) {
    book.add(name, ["db"], false);
    resources.declare(name, { gpu: 1 });
  }
  book.add("C", [], false);
  resources.declare("C", { gpu: 1 });
  return { book, resources, stateOf: (name: string) => book.stateOf(name) };
}

describe("handOver", () => {
  it("tells no daemon whose units were taken back within the same transition", () => {
    const { book, resources, stateOf } = books();
    book.transition("db", "STARTING");
    book.transition("db", "RUNNING");
    expect(resources.request("A")).toBeDefined();
    expect(resources.request("B")).toBeUndefined();
    // db leaves RUNNING: both dependents, still PENDING, are told their dependency is lost.
    const directives = book.transition("db", "STOPPING");
    expect(directives).toEqual([
      { type: "DEPENDENCY_LOST", to: "A", dependency: "db" },
      { type: "DEPENDENCY_LOST", to: "B", dependency: "db" },
    ]);
    expect(handOver(resources, stateOf, "db", "STOPPING", directives)).toEqual([]);
    expect(resources.holds("A")).toBe(false);
    expect(resources.holds("B")).toBe(false);
    expect(resources.isWaiting("B")).toBe(false);
  });

  it("tells the next waiter, once, when an instance is gone", () => {
    const { book, resources, stateOf } = books();
    expect(resources.request("C")).toBeDefined();
    book.transition("db", "STARTING");
    book.transition("db", "RUNNING");
    expect(resources.request("A")).toBeUndefined();
    book.transition("C", "STARTING");
    book.transition("C", "RUNNING");
    book.transition("C", "STOPPING");
    const directives = book.transition("C", "STOPPED");
    expect(handOver(resources, stateOf, "C", "STOPPED", directives)).toEqual(["A"]);
    expect(resources.unitsOf("A")).toEqual({ gpu: [0] });
  });
});
