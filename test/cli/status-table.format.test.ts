import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { ManagerStatus } from "../../cli/manager-client.ts";
import {
  DEFAULT_ERROR_WIDTH,
  formatUptime,
  statusSummary,
  statusTable,
} from "../../cli/status-table.ts";
import type { DaemonStatus } from "../../runtime/manager/daemon-manager.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function daemon(
  fields: Partial<DaemonStatus> & Pick<DaemonStatus, "name" | "state">,
): DaemonStatus {
  return {
    kind: "module",
    dependsOn: [],
    critical: false,
    restarts: 0,
    reason: "start",
    ...fields,
  };
}

const LONG_ERROR = `connection refused: ${"x".repeat(200)}`;

const daemons: DaemonStatus[] = [
  daemon({ name: "api", state: "RUNNING", uptimeMs: 4 * MINUTE + 12 * SECOND, healthy: true }),
  daemon({
    name: "trainer",
    state: "RUNNING",
    kind: "process",
    process: {
      command: "python3",
      pid: 4242,
      invalidNotifyMessages: 0,
      droppedEvents: 0,
      refusedConnections: 0,
    },
    uptimeMs: 2 * HOUR + 5 * MINUTE,
    restarts: 3,
    healthy: false,
    lastError: "exited with code 1\n  at line 2",
  }),
  daemon({ name: "worker", state: "FAILED", restarts: 6, lastError: LONG_ERROR }),
  daemon({ name: "db", state: "STOPPED", uptimeMs: 5 * SECOND }),
];

const status: ManagerStatus = {
  manager: {
    pid: 777,
    uptimeSeconds: (3 * DAY) / SECOND + 4 * 3600 + 59,
    stateDir: "/srv/.warden",
  },
  daemons,
};

describe("formatUptime", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [3 * SECOND, "3s"],
    [59 * SECOND + 999, "59s"],
    [MINUTE, "1m00s"],
    [4 * MINUTE + 12 * SECOND, "4m12s"],
    [HOUR - 1, "59m59s"],
    [HOUR, "1h00m"],
    [2 * HOUR + 5 * MINUTE + 30 * SECOND, "2h05m"],
    [DAY - 1, "23h59m"],
    [3 * DAY + 4 * HOUR + 59 * MINUTE, "3d4h"],
    [400 * DAY, "400d0h"],
    [-5, "0s"],
  ])("%i ms is %s", (ms, text) => {
    expect(formatUptime(ms)).toBe(text);
  });
});

describe("statusTable", () => {
  it("has a header and one aligned row per daemon, with - for what is unknown", () => {
    const lines = statusTable(daemons, { color: false, columns: 200 });
    expect(lines[0]).toBe("NAME     STATE    PID   UPTIME  RESTARTS  HEALTH     LAST ERROR");
    expect(lines[1]).toBe("api      RUNNING  -     4m12s   0         healthy    -");
    // LAST ERROR is put on one line.
    expect(lines[2]).toBe(
      "trainer  RUNNING  4242  2h05m   3         unhealthy  exited with code 1 at line 2",
    );
    // No uptime unless RUNNING.
    expect(lines[4]).toBe("db       STOPPED  -     -       0         -          -");
    expect(lines).toHaveLength(5);
  });

  it("cuts LAST ERROR to the terminal's width, or to 60 characters without one", () => {
    const narrow = statusTable(daemons, { color: false, columns: 100 });
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(99);
    expect(narrow[3]).toMatch(/ connection refused: x+…$/);

    const unknown = statusTable(daemons, { color: false });
    const lastError = unknown[3]!.slice(unknown[0]!.indexOf("LAST ERROR"));
    expect(lastError).toHaveLength(DEFAULT_ERROR_WIDTH);
    expect(lastError.endsWith("…")).toBe(true);

    // However narrow the terminal, the error keeps some room.
    const tiny = statusTable(daemons, { color: false, columns: 20 });
    expect(tiny[3]!.slice(tiny[0]!.indexOf("LAST ERROR"))).toHaveLength(20);
  });

  it("colours STATE and HEALTH only when colour is on, keeping the columns aligned", () => {
    const plain = statusTable(daemons, { color: false, columns: 200 });
    expect(plain.join("\n")).not.toContain("\x1b[");
    const coloured = statusTable(daemons, { color: true, columns: 200 });
    const strip = (text: string) => stripVTControlCharacters(text);
    expect(coloured[3]).toContain("\x1b[");
    expect(coloured.map(strip)).toEqual(plain);
  });
});

describe("statusTable details under a row", () => {
  /** A process daemon's status with the counters another part of the manager may add. */
  const withProcess = (process: Record<string, unknown>) =>
    daemon({
      name: "trainer",
      state: "RUNNING",
      kind: "process",
      process: { command: "python3", pid: 4242, invalidNotifyMessages: 0, ...process } as never,
    });

  it("shows the STATUS= text and the non-zero counters on a line under the row", () => {
    const lines = statusTable(
      [
        withProcess({
          statusText: "epoch 3/10",
          invalidNotifyMessages: 2,
          droppedEvents: 1,
          refusedConnections: 0,
        }),
      ],
      { color: false, columns: 200 },
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^trainer {2}RUNNING {2}4242 /);
    expect(lines[2]).toBe(
      "  ↳ status: epoch 3/10 · 2 invalid notify messages · 1 subscribed event dropped",
    );
  });

  it("adds no line when there is nothing to say", () => {
    const lines = statusTable([withProcess({ statusText: "", droppedEvents: 0 })], {
      color: false,
      columns: 200,
    });
    expect(lines).toHaveLength(2);
    expect(statusTable(daemons, { color: false, columns: 200 })).toHaveLength(5);
  });

  it("counts refused notify connections and puts a multi-line STATUS= on one line", () => {
    const lines = statusTable(
      [withProcess({ statusText: "loading\n  shards", refusedConnections: 3 })],
      { color: false, columns: 200 },
    );
    expect(lines[2]).toBe("  ↳ status: loading shards · 3 notify connections refused");
  });

  it("shows a process daemon's limits with its latest memory, saying which are unenforced", () => {
    const lines = statusTable(
      [
        withProcess({
          limits: { memoryMb: 256, cpuPercent: 50, nice: 10, unenforced: ["cpuPercent"] },
          memory: { residentBytes: 171 * 2 ** 20, at: 0 },
        }),
      ],
      { color: false, columns: 200 },
    );
    expect(lines[2]).toBe("  ↳ limits: memory 171/256 MiB, cpu 50% (unenforced), nice 10");
  });

  it("cuts the detail line to the terminal's width", () => {
    const lines = statusTable([withProcess({ statusText: "x".repeat(300) })], {
      color: false,
      columns: 80,
    });
    expect(lines[2]!.length).toBeLessThanOrEqual(79);
    expect(lines[2]!.endsWith("…")).toBe(true);
  });

  it("shows control characters in STATUS= text and LAST ERROR instead of sending them", () => {
    const evil = withProcess({ statusText: "\x1b]0;pwned\x07ok" });
    const failed = { ...evil, name: "w", lastError: "boom \x1b[2J\x1b[31mred" };
    const lines = statusTable([evil, failed], { color: true, columns: 200 });
    const text = lines.join("\n");
    expect(text).not.toContain("\x1b]");
    expect(text).not.toContain("\x1b[2J");
    expect(text).toContain("status: \\x1b]0;pwned\\x07ok");
    expect(text).toContain("boom \\x1b[2J\\x1b[31mred");
  });
});

describe("statusSummary", () => {
  it("counts daemons by state, live ones first, and gives the manager's pid and uptime", () => {
    const healthy: ManagerStatus = {
      ...status,
      daemons: daemons.filter((d) => d.state !== "FAILED"),
    };
    expect(statusSummary(healthy, false)).toBe(
      "3 daemons: 2 running, 1 stopped · manager pid 777, up 3d4h",
    );
  });

  it("names the FAILED daemons and the command that retries them", () => {
    expect(statusSummary(status, false)).toBe(
      "4 daemons: 2 running, 1 stopped, 1 failed · manager pid 777, up 3d4h · FAILED: worker (`warden restart worker` retries)",
    );
  });

  it("says so when there are no daemons", () => {
    expect(statusSummary({ ...status, daemons: [] }, false)).toBe(
      "0 daemons · manager pid 777, up 3d4h",
    );
  });
});
