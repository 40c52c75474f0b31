#!/usr/bin/env node
// The `warden` command: the bundled CLI (dist/cli/warden.js, built by `npm run build`), run by
// plain Node. A user's `.ts` configuration or module loads a TypeScript loader lazily, when it
// is imported.
await import("../dist/cli/warden.js");
