// The system API of an app's database for the administration commands (tenant, user, member):
// the app loaded, its pending migrations applied (as `tenant create` always did), an engine on it.
import { applyMigrations, checkMigrations, openDatabase } from "@tessera/db";
import { Engine, EngineError, IdentityStore } from "@tessera/engine";
import { loadApp, type LoadedApp } from "./loadApp.ts";
import type { CommonOptions } from "./options.ts";

export interface AppEngine {
  app: LoadedApp;
  engine: Engine;
  identities: IdentityStore;
}

/** Runs `body` with the app's engine and closes the database after it. */
export async function withAppEngine(options: CommonOptions, body: (session: AppEngine) => Promise<number>): Promise<number> {
  const app = await loadApp(options.app);
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await applyMigrations({ db, dir: app.migrationsDir });
    // A schema no migration file describes yet (a fresh `tessera init`) has no tables to work on.
    const check = await checkMigrations({ db, ir: app.schema, dir: app.migrationsDir });
    if (check.drift.length > 0) {
      console.error(`schema.ts has changes no migration file contains; run first: tessera migrate --app ${options.app}`);
      return 1;
    }
    // No read cache: one command, one process; nothing to invalidate it when the server writes.
    const engine = new Engine({ schema: app.schema, db, cache: false });
    return await body({ app, engine, identities: new IdentityStore(engine) });
  } catch (error) {
    // The engine's refusals (validation, conflict, not found) are answers, not crashes.
    if (error instanceof EngineError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

/** Aligned columns for a terminal; `-` for an empty cell. */
export function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === "" ? "-" : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n");
}
