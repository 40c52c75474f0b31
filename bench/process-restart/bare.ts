/** Benchmark (d)'s baseline: a bare spawn of the program, until its first stdout line arrives. */
import { spawn } from "node:child_process";
import { delay } from "../wait.ts";
import {
  FIXTURE,
  STEP_TIMEOUT_MS,
  wallClock,
  type Contender,
  type Measurement,
  type StampFile,
} from "./contender.ts";

export function bareContender(stamps: StampFile): Contender {
  const measure = async (): Promise<Measurement> => {
    const began = wallClock();
    const child = spawn(process.execPath, [FIXTURE], {
      env: { ...process.env, BENCH_STAMPS: stamps.path },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    try {
      const readyAt = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`process-restart: bare spawn printed nothing in ${STEP_TIMEOUT_MS} ms`),
            ),
          STEP_TIMEOUT_MS,
        );
        child.stdout.on("data", (chunk: Buffer) => {
          const at = wallClock();
          if (!chunk.toString("utf8").includes("ready")) return;
          clearTimeout(timer);
          resolve(at);
        });
        child.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.once("exit", (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`process-restart: bare spawn exited (${code ?? signal}) before ready`));
        });
      });
      return { ms: readyAt - began };
    } finally {
      child.kill("SIGTERM");
      await Promise.race([exited, delay(STEP_TIMEOUT_MS)]);
    }
  };
  return { name: "bare", measure, close: async () => {} };
}
