// `migrate --check`: reports, without writing anything, whether the files cover the schema and
// whether the database has every file applied unchanged.
import type { SchemaIR } from "@tessera/schema";
import type { Database } from "../Database.ts";
import { readAppliedMigrations, verifyApplied } from "./applyMigrations.ts";
import { readCatalog } from "./catalog.ts";
import { planFromFiles } from "./generateMigration.ts";
import { planMigration } from "./planMigration.ts";
import type { PlanOptions } from "./planTypes.ts";

export interface CheckMigrationsOptions extends PlanOptions {
  db: Database;
  ir: SchemaIR;
  dir: string;
}

export interface CheckResult {
  ok: boolean;
  /** Statements the migration files are missing to match the schema. */
  drift: string[];
  /** Ids of files not yet applied to the database. */
  pending: string[];
  /** Paths of applied files whose content changed since they were applied. */
  changed: string[];
  /** Ids recorded as applied that have no file. */
  missing: string[];
  /**
   * Statements the live database needs to match the schema although every file is applied
   * (someone changed it by hand). Only computed when nothing is pending.
   */
  liveDrift: string[];
  warnings: string[];
}

export async function checkMigrations({ db, ir, dir, ...options }: CheckMigrationsOptions): Promise<CheckResult> {
  const appRole = options.appRole ?? db.appRole;
  const { plan, files } = await planFromFiles({ ir, dir, ...options, appRole });
  const applied = await readAppliedMigrations(db);
  const done = new Set(applied.map((m) => m.id));
  const pending = files.filter((f) => !done.has(f.id)).map((f) => f.id);
  const { changed, missing } = verifyApplied(files, applied);
  const liveDrift = pending.length === 0 ? planMigration(ir, await readCatalog(db, { appRole }), { ...options, appRole }).statements : [];
  const ok = plan.statements.length === 0 && pending.length === 0 && changed.length === 0 && missing.length === 0 && liveDrift.length === 0;
  return { ok, drift: plan.statements, pending, changed, missing, liveDrift, warnings: plan.warnings };
}
