#!/usr/bin/env node
// The `tessera` executable. The CLI is TypeScript run from source (no build step in this
// repository), so the executable registers tsx's ESM loader before it imports the entry point.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
