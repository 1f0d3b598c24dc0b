// Tables and columns: new tables whole, then column-by-column changes to existing ones.
// A new NOT NULL column without a default is emitted as NOT NULL on purpose: on a table with rows
// PostgreSQL rejects it and the migration fails loudly instead of leaving NULLs the schema forbids.
import { SYSTEM_FIELDS } from "@tessera/schema";
import type { CatalogColumn, CatalogTable } from "./catalog.ts";
import { sameDefault } from "./compareSql.ts";
import { addColumn, createTable, dropColumn, dropTable, setColumnType, setDefault, setNotNull } from "./ddl.ts";
import type { DesiredColumn, DesiredTable } from "./desiredSchema.ts";
import type { PlanContext } from "./planTypes.ts";
import { canonicalType } from "./sqlTypes.ts";

const SYSTEM_COLUMN_NAMES: ReadonlySet<string> = new Set(Object.values(SYSTEM_FIELDS));

export function planTables(ctx: PlanContext): void {
  const { desired, catalog, options, out, warnings } = ctx;
  const existing = new Map(catalog.tables.map((t) => [t.name, t]));
  for (const table of desired.tables) {
    const have = existing.get(table.name);
    if (!have) out.tables.push(createTable(table));
    else planColumns(ctx, table, have);
  }
  const wanted = new Set([...desired.tables.map((t) => t.name), ...desired.ignoredTables]);
  for (const table of catalog.tables) {
    if (wanted.has(table.name)) continue;
    if (options.allowDrop) out.dropTables.push(dropTable(table.name));
    else warnings.push(`table ${table.name} is not in the schema; it is kept (plan with allowDrop to drop it)`);
  }
}

function planColumns({ out, warnings }: PlanContext, table: DesiredTable, have: CatalogTable): void {
  const current = new Map(have.columns.map((c) => [c.name, c]));
  for (const column of table.columns) {
    const col = current.get(column.name);
    if (!col) out.columns.push(addColumn(table.name, column));
    else alterColumn(out.columns, table.name, column, col);
  }
  const declared = new Set(table.columns.map((c) => c.name));
  for (const col of have.columns) {
    if (declared.has(col.name)) continue;
    // System tables and system columns (tenant_id of a model that stopped being tenant-scoped)
    // may still be read by running code; they are reported, never dropped implicitly.
    if (table.kind === "system" || SYSTEM_COLUMN_NAMES.has(col.name)) {
      warnings.push(`column ${table.name}.${col.name} is not in the schema; it is kept because it is a system column`);
    } else {
      out.dropColumns.push(dropColumn(table.name, col.name));
    }
  }
}

function alterColumn(out: string[], table: string, want: DesiredColumn, have: CatalogColumn): void {
  const type = canonicalType(want.type);
  const typeChanged = type !== have.type;
  // Identity columns take their values from their sequence; there is no default to compare.
  const defaultChanged = !want.identity && !have.identity && !sameDefault(want.default, have.default, type);
  if (typeChanged) {
    // The old default usually cannot be cast to the new type, so it goes first and comes back after.
    if (have.default !== null && !have.identity) out.push(setDefault(table, want.name, undefined));
    out.push(setColumnType(table, want.name, want.type));
    if (want.default !== undefined && !want.identity) out.push(setDefault(table, want.name, want.default));
  } else if (defaultChanged) {
    out.push(setDefault(table, want.name, want.default));
  }
  if (want.notNull !== have.notNull) out.push(setNotNull(table, want.name, want.notNull));
}
