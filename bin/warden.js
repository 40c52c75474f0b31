#!/usr/bin/env node
// The `warden` command: the compiled CLI, run by plain Node (no TypeScript loader; a user's
// `.ts` configuration or module loads one lazily, when it is imported).
await import("../dist/cli/main.js");
