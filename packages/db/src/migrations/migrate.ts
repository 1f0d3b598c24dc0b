// The one entry point the CLI and the dev server call: generate the next file if the schema
// moved, then apply pending files. Check mode writes nothing and changes nothing.
import type { SchemaIR } from "@tessera/schema";
import type { Database } from "../Database.ts";
import { applyMigrations } from "./applyMigrations.ts";
import { checkMigrations, type CheckResult } from "./checkMigrations.ts";
import { planFromFiles, writePending } from "./generateMigration.ts";
import type { PlanOptions } from "./planTypes.ts";

export interface MigrateOptions extends PlanOptions {
  db: Database;
  ir: SchemaIR;
  dir: string;
  /** Report drift and pending files only; write and apply nothing. */
  check?: boolean;
}

/**
 * One shape for both modes. In check mode `written` is undefined and `applied` empty; in apply
 * mode the check fields describe the state after applying (drift written to a file, nothing
 * pending), and `liveDrift` is not computed.
 */
export interface MigrateResult extends CheckResult {
  /** Path of the migration file written by this run, if the schema needed one. */
  written: string | undefined;
  /** Ids applied by this run. */
  applied: string[];
}

export async function migrate({ check, ...options }: MigrateOptions): Promise<MigrateResult> {
  if (check) return { ...(await checkMigrations(options)), written: undefined, applied: [] };
  const { db, ir, dir, ...planOptions } = options;
  const pending = await planFromFiles({ ir, dir, ...planOptions, appRole: planOptions.appRole ?? db.appRole });
  const written = await writePending(dir, pending);
  const { applied } = await applyMigrations({ db, dir });
  return { ok: true, drift: [], pending: [], changed: [], missing: [], liveDrift: [], warnings: pending.plan.warnings, written, applied };
}
