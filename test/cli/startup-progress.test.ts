import { describe, expect, it } from "vitest";
import { StartupProgress, progressLine } from "../../cli/startup-progress.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";

const states = (entries: Record<string, LifecycleState>) => new Map(Object.entries(entries));

describe("progressLine", () => {
  it("counts RUNNING and lists what is starting, waiting and failed", () => {
    expect(
      progressLine(
        ["db", "api", "web", "cron"],
        states({ db: "RUNNING", api: "STARTING", cron: "FAILED" }),
        false,
      ),
    ).toBe("starting: 1/4 running · starting api · waiting web · failed cron");
  });

  it("fits the terminal's width", () => {
    const names = Array.from({ length: 30 }, (_, i) => `daemon-number-${i}`);
    const line = progressLine(names, new Map(), false, 60);
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line.endsWith("…")).toBe(true);
  });
});

describe("StartupProgress", () => {
  it("keeps its line below other output, redraws on updates and clears at the end", () => {
    const screen: string[] = [];
    const progress = new StartupProgress(
      ["a", "b"],
      (text) => screen.push(text),
      false,
      () => 80,
    );
    progress.update("a", "STARTING");
    progress.around(() => screen.push("a line\n"));
    progress.update("a", "RUNNING");
    progress.finish();
    progress.around(() => screen.push("after\n"));
    expect(screen).toEqual([
      "starting: 0/2 running · starting a · waiting b",
      "\r\x1b[2K",
      "a line\n",
      "starting: 0/2 running · starting a · waiting b",
      "\r\x1b[2K",
      "starting: 1/2 running · waiting b",
      "\r\x1b[2K",
      "after\n",
    ]);
  });

  it("ignores daemons outside the start", () => {
    const screen: string[] = [];
    const progress = new StartupProgress(
      ["a"],
      (text) => screen.push(text),
      false,
      () => 80,
    );
    progress.update("other", "RUNNING");
    expect(screen).toEqual([]);
  });
});
