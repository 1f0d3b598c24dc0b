// The database the Schema IR asks for, in plain data shaped like the catalog, so the planner can
// diff the two object by object. Built from model tables, join tables and system tables.
import type { EnumIR, SchemaIR } from "@tessera/schema";
import { modelObjects } from "./modelTables.ts";
import { systemObjects } from "./systemTables.ts";

export interface DesiredColumn {
  name: string;
  /** Type as written in DDL (`timestamptz`, `"DealStage"`, `text[]`). */
  type: string;
  notNull: boolean;
  /** Default expression as written in DDL. */
  default?: string;
  primaryKey?: boolean;
  /** `GENERATED ALWAYS AS IDENTITY` (only the event log's sequence number). */
  identity?: boolean;
  /** Inline UNIQUE constraint (only system tables; model uniqueness uses partial indexes). */
  unique?: boolean;
}

export type TableKind = "system" | "model" | "join";

export interface DesiredTable {
  name: string;
  kind: TableKind;
  /** Name of the model, or of the relation for join tables (for messages). */
  owner: string;
  columns: DesiredColumn[];
  /** Composite primary key; single-column keys are marked on the column instead. */
  primaryKey?: string[];
  rls: boolean;
  /** Privileges granted to the app role. */
  grants: string[];
}

export interface DesiredIndex {
  name: string;
  table: string;
  unique: boolean;
  method: "btree" | "gin";
  /** Key expressions, already quoted (`"tenant_id"`, `"tessera_unaccent"(lower("name")) gin_trgm_ops`). */
  keys: string[];
  where?: string;
}

export interface DesiredForeignKey {
  name: string;
  table: string;
  column: string;
  refTable: string;
  refColumn: string;
  onDelete: "restrict" | "cascade" | "set null";
}

export interface DesiredPolicy {
  name: string;
  table: string;
  role: string;
  using: string;
  check: string;
}

export interface DesiredTrigger {
  name: string;
  table: string;
  /** The CREATE TRIGGER statement (without the final semicolon). */
  sql: string;
}

export interface DesiredFunction {
  name: string;
  /** The CREATE OR REPLACE FUNCTION statement (without the final semicolon). */
  sql: string;
}

export interface DesiredSchema {
  appRole: string;
  extensions: string[];
  functions: DesiredFunction[];
  enums: EnumIR[];
  tables: DesiredTable[];
  indexes: DesiredIndex[];
  foreignKeys: DesiredForeignKey[];
  policies: DesiredPolicy[];
  triggers: DesiredTrigger[];
  /** Names the planner owns even though they are not in `tables` (never reported as stray). */
  ignoredTables: string[];
}

/** Objects contributed by one source (system or models); merged in a fixed order. */
export type DesiredPart = Pick<DesiredSchema, "tables" | "indexes" | "foreignKeys" | "policies" | "triggers">;

export function desiredSchema(ir: SchemaIR, appRole: string): DesiredSchema {
  const system = systemObjects(appRole);
  const models = modelObjects(ir, appRole);
  const parts = [system, models];
  const indexes = dedupeByName(parts.flatMap((p) => p.indexes));
  return {
    appRole,
    extensions: system.extensions,
    functions: system.functions,
    enums: ir.enums,
    tables: parts.flatMap((p) => p.tables),
    indexes,
    foreignKeys: parts.flatMap((p) => p.foreignKeys),
    policies: parts.flatMap((p) => p.policies),
    triggers: parts.flatMap((p) => p.triggers),
    ignoredTables: system.ignoredTables,
  };
}

// A declared index may get the same default name as a foreign-key index (a single-column index
// on the key); one CREATE for it, the first declaration wins.
function dedupeByName<T extends { name: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item.name) ? false : (seen.add(item.name), true)));
}
