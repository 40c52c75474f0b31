// The quickstart: five in-process daemons and one Python program that watch this machine and
// react to what they see.
//
//   load-monitor ─┐
//                 ├─> alerter ─> reporter
//   disk-monitor ─┘        └───> flaky-worker (crashes now and then: watch restarts and backoff)
//   process-census (Python, over the notify socket: ready, heartbeat, events, metrics)
import { defineConfig } from "warden";

export default defineConfig({
  daemons: {
    "load-monitor": {
      module: "./daemons/load-monitor.ts",
      options: { everyMs: 1000 },
      description: "publishes SYSTEM_LOAD (load average, free memory) every second",
      health: { intervalMs: 5000, timeoutMs: 1000, failureThreshold: 3 },
    },
    "disk-monitor": {
      module: "./daemons/disk-monitor.ts",
      options: { everyMs: 2000, path: "." },
      description: "publishes DISK_USAGE for the current folder's file system every 2 s",
    },
    alerter: {
      module: "./daemons/alerter.ts",
      options: { loadPerCpu: 0.9, diskPercent: 90, freeMemoryPercent: 10 },
      dependsOn: ["load-monitor", "disk-monitor"],
      description: "turns SYSTEM_LOAD and DISK_USAGE above thresholds into ALERT events",
    },
    reporter: {
      module: "./daemons/reporter.ts",
      options: { everyMs: 5000 },
      dependsOn: ["alerter"],
      description: "logs a summary of everything on the bus every 5 s",
    },
    "flaky-worker": {
      module: "./daemons/flaky-worker.ts",
      options: { crashChance: 0.15, everyMs: 1000 },
      dependsOn: ["alerter"],
      description: "does a unit of work a second and crashes now and then",
      restart: "always",
      backoff: { initialMs: 500, maxMs: 8000, factor: 2 },
      maxRestarts: 5,
      withinMs: 60000,
      retryFailedAfterMs: 30000,
      heartbeatTimeoutMs: 5000,
    },
    "process-census": {
      command: "python3",
      args: ["-u", "daemons/process-census.py"],
      ready: { notify: true },
      heartbeatTimeoutMs: 10000,
      stopTimeoutMs: 3000,
      restart: "always",
      description: "a Python program: counts processes, publishes PROCESS_CENSUS every 3 s",
    },
  },
  profiles: {
    monitoring: ["alerter"],
  },
});
