// Writes the next migration file. The plan is computed against a scratch PGlite (see
// scratchDatabase.ts) with the existing files applied, never against the live database, so a
// file's content depends only on the schema and the files before it (every developer and CI
// generate the same bytes).
import type { SchemaIR } from "@tessera/schema";
import type { Database } from "../Database.ts";
import { applyFilesUnrecorded } from "./applyMigrations.ts";
import { readCatalog } from "./catalog.ts";
import { nextMigrationId, readMigrationFiles, renderMigration, writeMigrationFile, type MigrationFile } from "./migrationFiles.ts";
import { planMigration } from "./planMigration.ts";
import { openScratchDatabase } from "./scratchDatabase.ts";
import type { MigrationPlan, PlanOptions } from "./planTypes.ts";

export interface PlanFromFilesOptions extends PlanOptions {
  ir: SchemaIR;
  dir: string;
}

export interface PendingMigration {
  /** Id the next file would get (`0001_init`, `0002_auto`, …). */
  id: string;
  plan: MigrationPlan;
  files: MigrationFile[];
}

/** What the files in `dir` are missing to match the schema. */
export async function planFromFiles({ ir, dir, ...options }: PlanFromFilesOptions): Promise<PendingMigration> {
  const files = await readMigrationFiles(dir);
  const scratch = await openScratchDatabase(options.appRole);
  try {
    await applyFilesUnrecorded(scratch, files);
    const catalog = await readCatalog(scratch, { appRole: options.appRole });
    return { id: nextMigrationId(files), plan: planMigration(ir, catalog, options), files };
  } finally {
    await scratch.close();
  }
}

export interface GenerateMigrationOptions extends PlanOptions {
  db: Database;
  ir: SchemaIR;
  dir: string;
}

/** Writes the plan into the next migration file and returns its path; nothing when the files are up to date. */
export async function generateMigration({ db, ...options }: GenerateMigrationOptions): Promise<string | undefined> {
  const pending = await planFromFiles({ ...options, appRole: options.appRole ?? db.appRole });
  return writePending(options.dir, pending);
}

export async function writePending(dir: string, { id, plan }: PendingMigration): Promise<string | undefined> {
  if (plan.statements.length === 0) return undefined;
  return writeMigrationFile(dir, id, renderMigration(id, plan.statements, plan.warnings));
}
