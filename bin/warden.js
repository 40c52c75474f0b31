#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `.ts` configurations and daemon modules load too.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
