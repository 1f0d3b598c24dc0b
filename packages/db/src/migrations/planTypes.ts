// Shared shapes of the planner: the plan it returns and the phases statements are collected in.
import type { Catalog } from "./catalog.ts";
import type { DesiredSchema } from "./desiredSchema.ts";

export interface PlanOptions {
  /** Drop tables and enum types the schema no longer has. Off by default: they are reported as warnings. */
  allowDrop?: boolean;
  /** Role RLS policies and grants are written for; defaults to `tessera_app`. */
  appRole?: string;
}

export interface MigrationPlan {
  /** DDL statements in execution order, each ending with ";". */
  statements: string[];
  /** Differences the plan deliberately leaves alone (removed enum values, undropped tables, …). */
  warnings: string[];
}

/**
 * Statement buckets, emitted in this order: prerequisites first, then everything that removes
 * objects (so names and columns are free), then creations from tables down to grants.
 */
export interface Phases {
  prelude: string[];
  enums: string[];
  dropPolicies: string[];
  dropForeignKeys: string[];
  dropIndexes: string[];
  dropColumns: string[];
  dropTables: string[];
  dropTypes: string[];
  tables: string[];
  columns: string[];
  foreignKeys: string[];
  indexes: string[];
  security: string[];
  grants: string[];
}

export const emptyPhases = (): Phases => ({
  prelude: [],
  enums: [],
  dropPolicies: [],
  dropForeignKeys: [],
  dropIndexes: [],
  dropColumns: [],
  dropTables: [],
  dropTypes: [],
  tables: [],
  columns: [],
  foreignKeys: [],
  indexes: [],
  security: [],
  grants: [],
});

/** What each planning step reads and writes. */
export interface PlanContext {
  desired: DesiredSchema;
  catalog: Catalog;
  options: PlanOptions;
  out: Phases;
  warnings: string[];
}
