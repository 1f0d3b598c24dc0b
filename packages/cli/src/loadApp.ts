// Finds an app folder's schema (either form) and its optional seed module.
import { existsSync, statSync } from "node:fs";
import { register } from "node:module";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadInterfaceSchema, type SchemaIR } from "@tessera/schema";
import type { Engine } from "@tessera/engine";

export interface SeedOptions {
  tenantId: string;
  scale?: number;
}

export type SeedFunction = (engine: Engine, options: SeedOptions) => Promise<SeedSummary>;

export interface SeedSummary {
  /** Rows created per model. */
  counts: Record<string, number>;
  /** Seconds per model, when the seed measures them. */
  seconds?: Record<string, number>;
}

/** A seeded user `start` can print and sign a dev token for. */
export interface DemoUserInfo {
  id: string;
  email: string;
  name: string;
  role: string;
}

export interface LoadedApp {
  dir: string;
  name: string;
  schemaFile: string;
  schema: SchemaIR;
  migrationsDir: string;
  seed?: SeedFunction;
  /** Exported by the seed module as `demoUsers`. */
  demoUsers: DemoUserInfo[];
}

export class AppLoadError extends Error {
  readonly code = "APP_INVALID";
}

let tesseraResolution = false;

/** Lets an app outside this repository import the Tessera packages (see resolveTesseraHook.mjs). */
function resolveTesseraFromCli(): void {
  if (tesseraResolution) return;
  tesseraResolution = true;
  register(new URL("./resolveTesseraHook.mjs", import.meta.url));
}

export async function loadApp(dirArg: string): Promise<LoadedApp> {
  const dir = resolve(dirArg);
  resolveTesseraFromCli();
  const schemaFile = join(dir, "schema.ts");
  if (!existsSync(schemaFile)) throw new AppLoadError(`no schema.ts in ${dir}: pass --app with a folder that holds one`);
  // The modification time in the URL makes a re-load in the same process see an edited schema.
  const module = (await import(`${pathToFileURL(schemaFile).href}?v=${Math.round(statSync(schemaFile).mtimeMs)}`)) as { schema?: { kind?: string; ir?: SchemaIR } };
  // The DSL exports a defined schema; anything else is read as the interface form.
  const schema = module.schema?.kind === "tessera-schema" && module.schema.ir ? module.schema.ir : loadInterfaceSchema(schemaFile);
  const seedFile = [join(dir, "seed", "index.ts"), join(dir, "seed.ts")].find((f) => existsSync(f));
  let seed: SeedFunction | undefined;
  let demoUsers: DemoUserInfo[] = [];
  if (seedFile) {
    const seedModule = (await import(pathToFileURL(seedFile).href)) as { seed?: SeedFunction; demoUsers?: DemoUserInfo[] };
    if (typeof seedModule.seed !== "function") throw new AppLoadError(`${seedFile} must export a 'seed' function`);
    seed = seedModule.seed;
    demoUsers = seedModule.demoUsers ?? [];
  }
  return { dir, name: basename(dir), schemaFile, schema, migrationsDir: join(dir, "migrations"), seed, demoUsers };
}
