/**
 * The health probes of process daemons, one by one, against real processes, sockets and HTTP
 * servers: what counts as healthy, what the failures say, and that everything is bounded (a
 * probe's output, an answer's body, a probe past its timeout, two probes at once).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lastValueFrom, take, toArray } from "rxjs";
import { SimulatedClock } from "xstate";
import { afterEach, describe, expect, it } from "vitest";
import type { HealthResult } from "../../actors/health-check-loop.ts";
import { probeExec } from "../../actors/health-probes/exec-probe.ts";
import { MAX_HTTP_BODY_BYTES, probeHttp } from "../../actors/health-probes/http-probe.ts";
import {
  CLOSED_BEFORE_ANSWER,
  NO_ANSWER,
  NO_CONNECTION,
  NOT_READING,
  NotifyHealthQuestion,
} from "../../actors/health-probes/notify-probe.ts";
import { probeTcp } from "../../actors/health-probes/tcp-probe.ts";
import { processHealthReports, SerialProbe, STILL_RUNNING } from "../../actors/process-health.ts";
import { eventually, freePort } from "../support/process-harness.ts";
import { startedProcessesPerTest, stateOf } from "../support/started-processes.ts";

const started = startedProcessesPerTest();
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-probe-"));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function httpServer(handler: Parameters<typeof createHttpServer>[1]): Promise<string> {
  const server: Server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  closers.push(() => server.closeAllConnections());
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return `http://127.0.0.1:${address.port}`;
}

const soon = () => AbortSignal.timeout(5_000);

describe("exec probe", () => {
  it("is healthy when the command exits 0, and says how it ended otherwise", async () => {
    expect(await probeExec({ argv: ["true"], env: process.env }, soon())).toEqual({
      healthy: true,
    });
    expect(await probeExec({ argv: ["sh", "-c", "kill -9 $$"], env: process.env }, soon())).toEqual(
      { healthy: false, detail: '"sh -c kill -9 $$" killed by SIGKILL' },
    );
  });

  it("keeps only the end of a flood of output, and shows its last line", async () => {
    const script = "yes spam | head -c 3000000; echo; echo 'last words'; exit 4";
    const result = await probeExec({ argv: ["sh", "-c", script], env: process.env }, soon());
    expect(result.healthy).toBe(false);
    expect(result.detail).toMatch(/exited with code 4: last words$/);
    expect(result.detail!.length).toBeLessThan(200);
  });

  it("kills its whole process group when the signal aborts, and fails", async () => {
    const cwd = folder();
    const script = "sleep 30 & echo $! > child.pid; echo $$ > leader.pid; wait";
    const probe = probeExec(
      { argv: ["sh", "-c", script], cwd, env: process.env },
      AbortSignal.timeout(500),
    );
    const pidOf = (file: string) =>
      existsSync(join(cwd, file))
        ? Number(readFileSync(join(cwd, file), "utf8")) || undefined
        : undefined;
    const child = await eventually(() => pidOf("child.pid"), 5_000, "the probe's child");
    started.addPid(child);
    const leader = await eventually(() => pidOf("leader.pid"), 5_000, "the probe");
    started.addPid(leader);
    expect(await probe).toEqual({
      healthy: false,
      detail: `"sh -c ${script}" did not exit in time: killed`,
    });
    // Gone, or a zombie that a container's init has not reaped yet.
    const dead = (pid: number) => [undefined, "Z"].includes(stateOf(pid));
    await eventually(() => dead(child) && dead(leader), 5_000, "the probe and its child gone");
  });

  it("names a command that cannot be run", async () => {
    const result = await probeExec({ argv: ["warden-no-such-probe"], env: process.env }, soon());
    expect(result).toEqual({
      healthy: false,
      detail: 'cannot run "warden-no-such-probe": command "warden-no-such-probe" not found on PATH',
    });
  });
});

describe("http probe", () => {
  it("is healthy on 2xx only: a redirect is not followed", async () => {
    const base = await httpServer((request, response) => {
      if (request.url === "/ok") response.writeHead(204).end();
      else response.writeHead(302, { location: "/ok" }).end();
    });
    expect(await probeHttp(`${base}/ok`, soon())).toEqual({ healthy: true });
    expect(await probeHttp(`${base}/moved`, soon())).toEqual({
      healthy: false,
      detail: `GET ${base}/moved answered 302`,
    });
  });

  it("reads at most MAX_HTTP_BODY_BYTES of an endless error body, then hangs up", async () => {
    let closed = false;
    const base = await httpServer((_request, response) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.on("close", () => (closed = true));
      const chunk = `broken\n${"x".repeat(16 * 1024)}`;
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once("drain", pump);
      };
      pump();
    });
    const result = await probeHttp(`${base}/`, soon());
    expect(result.healthy).toBe(false);
    expect(result.detail).toMatch(new RegExp(`^GET ${base}/ answered 500: broken x+…$`));
    expect(result.detail!.length).toBeLessThan(MAX_HTTP_BODY_BYTES);
    await eventually(() => closed, 5_000, "the server to see the connection close");
  });

  it("says why there was no answer", async () => {
    const port = await freePort();
    expect(await probeHttp(`http://127.0.0.1:${port}/`, soon())).toEqual({
      healthy: false,
      detail: `GET http://127.0.0.1:${port}/ failed: ECONNREFUSED`,
    });
    const base = await httpServer(() => {}); // never answers
    expect(await probeHttp(`${base}/`, AbortSignal.timeout(100))).toEqual({
      healthy: false,
      detail: `GET ${base}/ no answer in time`,
    });
  });
});

describe("tcp probe", () => {
  it("is healthy when the port accepts, and names the refusal otherwise", async () => {
    const server = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    expect(await probeTcp(port, soon())).toEqual({ healthy: true });
    const closed = await freePort();
    expect(await probeTcp(closed, soon())).toEqual({
      healthy: false,
      detail: `cannot connect to 127.0.0.1:${closed}: ECONNREFUSED`,
    });
  });
});

describe("notify probe: the question", () => {
  const channel = (connections: number, takes = connections) => {
    const state = { connectionCount: connections, asked: 0 };
    return Object.assign(state, {
      broadcast: (line: string) => {
        expect(line).toBe("HEALTH?");
        state.asked++;
        return takes;
      },
    });
  };

  it("resolves with the answer; an answer without a question is ignored", async () => {
    const socket = channel(2);
    const question = new NotifyHealthQuestion(socket);
    question.answer({ healthy: false, detail: "stale" });
    const asked = question.ask(soon());
    expect(socket.asked).toBe(1);
    question.answer({ healthy: false, detail: "disk full" });
    question.answer({ healthy: true });
    expect(await asked).toEqual({ healthy: false, detail: "disk full" });
    const again = question.ask(soon());
    question.answer({ healthy: true });
    expect(await again).toEqual({ healthy: true });
  });

  it("fails at once without a connection, or when none took the question", async () => {
    expect(await new NotifyHealthQuestion(channel(0)).ask(soon())).toEqual({
      healthy: false,
      detail: NO_CONNECTION,
    });
    expect(await new NotifyHealthQuestion(channel(1, 0)).ask(soon())).toEqual({
      healthy: false,
      detail: NOT_READING,
    });
  });

  it("fails when the last connection closes, or the signal aborts, before the answer", async () => {
    const socket = channel(2);
    const question = new NotifyHealthQuestion(socket);
    const asked = question.ask(soon());
    socket.connectionCount = 1;
    question.connectionClosed();
    socket.connectionCount = 0;
    question.connectionClosed();
    expect(await asked).toEqual({ healthy: false, detail: CLOSED_BEFORE_ANSWER });

    const controller = new AbortController();
    const late = new NotifyHealthQuestion(channel(1)).ask(controller.signal);
    controller.abort();
    expect(await late).toEqual({ healthy: false, detail: NO_ANSWER });
  });
});

describe("SerialProbe and processHealthReports", () => {
  /** A probe that answers only when aborted, counting its runs and aborts. */
  const hanging = () => {
    const seen = { runs: 0, aborts: 0 };
    const probe = (signal: AbortSignal) => {
      seen.runs++;
      return new Promise<HealthResult>((resolve) =>
        signal.addEventListener("abort", () => {
          seen.aborts++;
          resolve({ healthy: false, detail: "aborted" });
        }),
      );
    };
    return { seen, probe };
  };

  it("never runs two probes at once; the timeout aborts the one under way", async () => {
    const clock = new SimulatedClock();
    const { seen, probe } = hanging();
    const runner = new SerialProbe(clock, 100, probe);
    const first = runner.run();
    await Promise.resolve();
    expect(await runner.run()).toEqual({ healthy: false, detail: STILL_RUNNING });
    expect(seen.runs).toBe(1);
    clock.increment(100);
    expect(await first).toEqual({ healthy: false, detail: "aborted" });
    void runner.run();
    await Promise.resolve();
    expect(seen.runs).toBe(2);
    runner.stop();
    expect(seen.aborts).toBe(2);
  });

  it("reports through the health loop, and an unsubscribe aborts the probe under way", async () => {
    const clock = new SimulatedClock();
    const answers: HealthResult[] = [{ healthy: true }, { healthy: false, detail: "busy" }];
    const { seen, probe: hang } = hanging();
    const options = {
      name: "worker",
      probe: { notify: true } as const,
      spec: {},
      policy: { intervalMs: 50, timeoutMs: 1000, failureThreshold: 3 },
      clock,
      askNotify: (signal: AbortSignal) => {
        const next = answers.shift();
        return next ? Promise.resolve(next) : hang(signal);
      },
    };
    const reports = lastValueFrom(processHealthReports(options, 42).pipe(take(2), toArray()));
    for (let i = 0; i < 4; i++) {
      clock.increment(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await reports).toEqual([
      { type: "HEALTH_RESULT", healthy: true },
      { type: "HEALTH_RESULT", healthy: false, detail: "busy" },
    ]);

    const subscription = processHealthReports(options, 42).subscribe();
    clock.increment(50);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.runs).toBe(1);
    subscription.unsubscribe();
    expect(seen.aborts).toBe(1);
  });
});
