// Reads what the live database has in the public schema, as plain data the planner diffs the
// Schema IR against. Only pg_catalog is read (information_schema hides objects the connecting
// role does not own and is slow); everything is sorted in JavaScript so the result never
// depends on the server's collation.
import type { Queryable } from "../Database.ts";
import { DEFAULT_APP_ROLE } from "../Database.ts";
import { quoteIdent } from "../quoteIdent.ts";

export type OnDelete = "restrict" | "cascade" | "set null" | "no action" | "set default";

export interface CatalogColumn {
  name: string;
  /** format_type() spelling; enum types as quoteIdent(name), arrays with a `[]` suffix. */
  type: string;
  notNull: boolean;
  /** pg_get_expr() of the default, or null. */
  default: string | null;
  identity: boolean;
}

export interface CatalogTable {
  name: string;
  columns: CatalogColumn[];
  rlsEnabled: boolean;
  rlsForced: boolean;
  /** Table privileges per grantee role (PUBLIC grants are not listed). */
  grants: Record<string, string[]>;
}

export interface CatalogEnum {
  name: string;
  /** Labels in their sort order. */
  values: string[];
}

export interface CatalogIndex {
  name: string;
  table: string;
  unique: boolean;
  /** pg_get_indexdef() text. */
  definition: string;
  /** Backs a PRIMARY KEY / UNIQUE / EXCLUDE constraint; dropped with the constraint, never alone. */
  constraintBacked: boolean;
}

export interface CatalogForeignKey {
  name: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: OnDelete;
}

export interface CatalogPolicy {
  name: string;
  table: string;
  /** ALL, SELECT, INSERT, UPDATE or DELETE. */
  command: string;
  roles: string[];
  permissive: boolean;
  using: string | null;
  check: string | null;
}

export interface CatalogTrigger {
  name: string;
  table: string;
}

export interface Catalog {
  extensions: string[];
  /** Names of functions in the public schema. */
  functions: string[];
  /** Whether the app role (`ReadCatalogOptions.appRole`) exists in the cluster. */
  appRoleExists: boolean;
  /** Privileges on the public schema per grantee role. */
  schemaGrants: Record<string, string[]>;
  enums: CatalogEnum[];
  tables: CatalogTable[];
  indexes: CatalogIndex[];
  foreignKeys: CatalogForeignKey[];
  policies: CatalogPolicy[];
  triggers: CatalogTrigger[];
}

export interface ReadCatalogOptions {
  /** The role whose existence is reported; defaults to `tessera_app`. */
  appRole?: string;
}

const byName = <T extends { name: string }>(a: T, b: T): number => compareText(a.name, b.name);
const byTableThenName = <T extends { name: string; table: string }>(a: T, b: T): number =>
  compareText(a.table, b.table) || compareText(a.name, b.name);

/** Code-point order, independent of locale (deterministic output). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const DELETE_ACTIONS: Record<string, OnDelete> = { r: "restrict", c: "cascade", n: "set null", a: "no action", d: "set default" };

// Tables: ordinary and partitioned relations of the public schema.
const TABLES_SQL = `
SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`;

const COLUMNS_SQL = `
SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS formatted,
       a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity <> '' AS identity,
       t.typtype AS typtype, t.typname AS typname, et.typtype AS elem_typtype, et.typname AS elem_typname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`;

const TABLE_GRANTS_SQL = `
SELECT c.relname AS table, r.rolname AS grantee, acl.privilege_type AS privilege
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(c.relacl) acl
JOIN pg_roles r ON r.oid = acl.grantee
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`;

const SCHEMA_GRANTS_SQL = `
SELECT r.rolname AS grantee, acl.privilege_type AS privilege
FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) acl
JOIN pg_roles r ON r.oid = acl.grantee
WHERE n.nspname = 'public'`;

const ENUMS_SQL = `
SELECT t.typname AS name, e.enumlabel AS label
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = 'public'
ORDER BY t.typname, e.enumsortorder`;

const INDEXES_SQL = `
SELECT ic.relname AS name, tc.relname AS table, i.indisunique AS unique, pg_get_indexdef(i.indexrelid) AS definition,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')) AS constraint_backed
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = tc.relnamespace
WHERE n.nspname = 'public'`;

// Column names are aggregated as text[] (name[] is not parsed into arrays by every driver).
const FOREIGN_KEYS_SQL = `
SELECT k.conname AS name, c.relname AS table, rc.relname AS ref_table, k.confdeltype AS on_delete,
       (SELECT array_agg(a.attname::text ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) AS columns,
       (SELECT array_agg(a.attname::text ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY u(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum) AS ref_columns
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_class rc ON rc.oid = k.confrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND k.contype = 'f'`;

const POLICIES_SQL = `
SELECT tablename AS table, policyname AS name, cmd AS command, roles::text[] AS roles,
       permissive = 'PERMISSIVE' AS permissive, qual AS using_expr, with_check AS check_expr
FROM pg_policies WHERE schemaname = 'public'`;

const TRIGGERS_SQL = `
SELECT tg.tgname AS name, c.relname AS table
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND NOT tg.tgisinternal`;

const FUNCTIONS_SQL = `
SELECT DISTINCT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`;

interface ColumnRow {
  table: string;
  name: string;
  formatted: string;
  not_null: boolean;
  default_expr: string | null;
  identity: boolean;
  typtype: string;
  typname: string;
  elem_typtype: string | null;
  elem_typname: string | null;
}

/** Column type as the planner spells it: enums by their quoted name, everything else as format_type(). */
function columnType(row: ColumnRow): string {
  if (row.typtype === "e") return quoteIdent(row.typname);
  if (row.elem_typtype === "e" && row.elem_typname) return `${quoteIdent(row.elem_typname)}[]`;
  return row.formatted;
}

function groupGrants(rows: { grantee: string; privilege: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const row of rows) (out[row.grantee] ??= []).push(row.privilege);
  for (const list of Object.values(out)) list.sort(compareText);
  return out;
}

/** Reads the public schema's tables, columns, enums, indexes, foreign keys, RLS, policies and grants. */
export async function readCatalog(db: Queryable, options: ReadCatalogOptions = {}): Promise<Catalog> {
  const appRole = options.appRole ?? DEFAULT_APP_ROLE;
  const q = async <R>(sql: string, params: unknown[] = []): Promise<R[]> => (await db.query<R>(sql, params)).rows;

  const [extensions, functions, roles, schemaGrants, enumRows, tableRows, columnRows, grantRows, indexRows, fkRows, policyRows, triggerRows] =
    await Promise.all([
      q<{ extname: string }>("SELECT extname FROM pg_extension"),
      q<{ name: string }>(FUNCTIONS_SQL),
      q<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname = $1", [appRole]),
      q<{ grantee: string; privilege: string }>(SCHEMA_GRANTS_SQL),
      q<{ name: string; label: string }>(ENUMS_SQL),
      q<{ name: string; rls: boolean; forced: boolean }>(TABLES_SQL),
      q<ColumnRow>(COLUMNS_SQL),
      q<{ table: string; grantee: string; privilege: string }>(TABLE_GRANTS_SQL),
      q<{ name: string; table: string; unique: boolean; definition: string; constraint_backed: boolean }>(INDEXES_SQL),
      q<{ name: string; table: string; ref_table: string; on_delete: string; columns: string[]; ref_columns: string[] }>(FOREIGN_KEYS_SQL),
      q<{ name: string; table: string; command: string; roles: string[]; permissive: boolean; using_expr: string | null; check_expr: string | null }>(POLICIES_SQL),
      q<{ name: string; table: string }>(TRIGGERS_SQL),
    ]);

  const enums = new Map<string, string[]>();
  for (const row of enumRows) {
    const list = enums.get(row.name) ?? [];
    list.push(row.label);
    enums.set(row.name, list);
  }

  const tables = tableRows.map<CatalogTable>((t) => ({
    name: t.name,
    rlsEnabled: t.rls,
    rlsForced: t.forced,
    // Rows come ordered by attnum, which is the column order the planner reports in.
    columns: columnRows
      .filter((c) => c.table === t.name)
      .map((c) => ({ name: c.name, type: columnType(c), notNull: c.not_null, default: c.default_expr, identity: c.identity })),
    grants: groupGrants(grantRows.filter((g) => g.table === t.name)),
  }));

  return {
    extensions: extensions.map((e) => e.extname).sort(compareText),
    functions: functions.map((f) => f.name).sort(compareText),
    appRoleExists: roles.length > 0,
    schemaGrants: groupGrants(schemaGrants),
    enums: [...enums.entries()].map(([name, values]) => ({ name, values })).sort(byName),
    tables: tables.sort(byName),
    indexes: indexRows
      .map((i) => ({ name: i.name, table: i.table, unique: i.unique, definition: i.definition, constraintBacked: i.constraint_backed }))
      .sort(byTableThenName),
    foreignKeys: fkRows
      .map((k) => ({ name: k.name, table: k.table, columns: k.columns, refTable: k.ref_table, refColumns: k.ref_columns, onDelete: DELETE_ACTIONS[k.on_delete] ?? "no action" }))
      .sort(byTableThenName),
    policies: policyRows
      .map((p) => ({ name: p.name, table: p.table, command: p.command, roles: [...p.roles].sort(compareText), permissive: p.permissive, using: p.using_expr, check: p.check_expr }))
      .sort(byTableThenName),
    triggers: triggerRows.sort(byTableThenName),
  };
}
