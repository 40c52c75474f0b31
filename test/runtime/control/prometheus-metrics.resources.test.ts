/**
 * `warden_resource_units` and `warden_resource_waiters` (SPEC §6a): held and free units of each
 * resource and who waits, with a bounded number of resources. Set-up in
 * test/support/prometheus-metrics-setup.ts.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_RESOURCE_SERIES,
  createMetrics,
  type MetricsSource,
} from "../../../runtime/control/prometheus-metrics.ts";
import { ResourceBook } from "../../../machines/resource-book.ts";
import { Scrape } from "../../support/prometheus-metrics-setup.ts";

const source = (book: ResourceBook): MetricsSource => ({
  status: () => [],
  eventCounts: () => new Map(),
  deadLetters: () => 0,
  resources: () => book.usage(),
});

describe("resource metrics", () => {
  it("reports held and free units and the waiters of each resource", async () => {
    const book = new ResourceBook({ gpu: 2, slot: 1 });
    book.declare("A", { gpu: 2 });
    book.declare("B", { gpu: 1 });
    book.request("A");
    book.request("B");
    const scrape = new Scrape(await createMetrics(source(book)).text());
    expect(scrape.value("warden_resource_units", { resource: "gpu", state: "held" })).toBe(2);
    expect(scrape.value("warden_resource_units", { resource: "gpu", state: "free" })).toBe(0);
    expect(scrape.value("warden_resource_units", { resource: "slot", state: "free" })).toBe(1);
    expect(scrape.value("warden_resource_waiters", { resource: "gpu" })).toBe(1);
    expect(scrape.value("warden_resource_waiters", { resource: "slot" })).toBe(0);
  });

  it(`reports at most ${MAX_RESOURCE_SERIES} resources`, async () => {
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`r${i}`, 1]));
    const scrape = new Scrape(await createMetrics(source(new ResourceBook(many))).text());
    expect(scrape.family("warden_resource_units").metrics).toHaveLength(2 * MAX_RESOURCE_SERIES);
  });
});
