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
  /** Report drift and pending files only. */
  check?: boolean;
}

export type MigrateResult =
  | ({ mode: "check" } & CheckResult)
  | {
      mode: "apply";
      /** Path of the file written for this run, if the schema needed one. */
      generated: string | undefined;
      /** Ids applied by this run. */
      applied: string[];
      warnings: string[];
    };

export async function migrate({ check, ...options }: MigrateOptions): Promise<MigrateResult> {
  if (check) return { mode: "check", ...(await checkMigrations(options)) };
  const { db, ir, dir, ...planOptions } = options;
  const pending = await planFromFiles({ ir, dir, ...planOptions, appRole: planOptions.appRole ?? db.appRole });
  const generated = await writePending(dir, pending);
  const applied = await applyMigrations({ db, dir });
  return { mode: "apply", generated, applied, warnings: pending.plan.warnings };
}
