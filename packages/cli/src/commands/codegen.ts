import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadApp } from "../loadApp.ts";
import { generateTypes } from "../codegen/generateTypes.ts";
import type { CommonOptions } from "../options.ts";

export async function codegenCommand(options: CommonOptions & { out?: string }): Promise<number> {
  const app = await loadApp(options.app);
  const out = resolve(options.out ?? join(app.dir, "generated", "types.ts"));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, generateTypes(app.schema));
  console.log(`wrote ${out}`);
  return 0;
}
