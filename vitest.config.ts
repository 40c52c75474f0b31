import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: a single worker on the 2-core CI
    // machines. The tests mostly wait on child processes, servers and NATS, so two workers there
    // take the suite from ≈ 11 to ≈ 8 minutes (measured on a fresh clone, 2026-11-28).
    maxWorkers: 2,
  },
});
