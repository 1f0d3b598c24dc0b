// Renders single DDL statements from desired objects. Every identifier goes through quoteIdent;
// every statement ends with ";" so a plan joins into a file without further punctuation.
import { quoteIdent, quoteLiteral } from "../quoteIdent.ts";
import type { DesiredColumn, DesiredForeignKey, DesiredIndex, DesiredPolicy, DesiredTable } from "./desiredSchema.ts";

const q = quoteIdent;

export function columnDefinition(column: DesiredColumn): string {
  const parts = [q(column.name), column.type];
  if (column.identity) parts.push("GENERATED ALWAYS AS IDENTITY");
  if (column.primaryKey) parts.push("PRIMARY KEY");
  else if (column.notNull) parts.push("NOT NULL");
  if (column.unique) parts.push("UNIQUE");
  if (column.default !== undefined) parts.push(`DEFAULT ${column.default}`);
  return parts.join(" ");
}

export function createTable(table: DesiredTable): string {
  const lines = table.columns.map(columnDefinition);
  if (table.primaryKey) lines.push(`PRIMARY KEY (${table.primaryKey.map(q).join(", ")})`);
  return `CREATE TABLE ${q(table.name)} (\n  ${lines.join(",\n  ")}\n);`;
}

export const dropTable = (name: string): string => `DROP TABLE ${q(name)};`;

const alterColumn = (table: string, column: string, action: string): string => `ALTER TABLE ${q(table)} ALTER COLUMN ${q(column)} ${action};`;

export const addColumn = (table: string, column: DesiredColumn): string => `ALTER TABLE ${q(table)} ADD COLUMN ${columnDefinition(column)};`;
export const dropColumn = (table: string, column: string): string => `ALTER TABLE ${q(table)} DROP COLUMN ${q(column)};`;
export const setColumnType = (table: string, column: string, type: string): string =>
  alterColumn(table, column, `TYPE ${type} USING ${q(column)}::${type}`);
export const setNotNull = (table: string, column: string, notNull: boolean): string => alterColumn(table, column, notNull ? "SET NOT NULL" : "DROP NOT NULL");
export const setDefault = (table: string, column: string, value: string | undefined): string =>
  alterColumn(table, column, value === undefined ? "DROP DEFAULT" : `SET DEFAULT ${value}`);

const ON_DELETE: Record<DesiredForeignKey["onDelete"], string> = { restrict: "RESTRICT", cascade: "CASCADE", "set null": "SET NULL" };

export const addForeignKey = (fk: DesiredForeignKey): string =>
  `ALTER TABLE ${q(fk.table)} ADD CONSTRAINT ${q(fk.name)} FOREIGN KEY (${q(fk.column)}) REFERENCES ${q(fk.refTable)} (${q(fk.refColumn)}) ON DELETE ${ON_DELETE[fk.onDelete]};`;
export const dropConstraint = (table: string, name: string): string => `ALTER TABLE ${q(table)} DROP CONSTRAINT ${q(name)};`;

/** Without the final ";": also the text compared with pg_get_indexdef(). */
export function indexDefinition(index: DesiredIndex): string {
  const unique = index.unique ? "UNIQUE " : "";
  const where = index.where ? ` WHERE ${index.where}` : "";
  return `CREATE ${unique}INDEX ${q(index.name)} ON ${q(index.table)} USING ${index.method} (${index.keys.join(", ")})${where}`;
}
export const createIndex = (index: DesiredIndex): string => `${indexDefinition(index)};`;
// IF EXISTS: the index may already have gone with a column dropped earlier in the same plan.
export const dropIndex = (name: string): string => `DROP INDEX IF EXISTS ${q(name)};`;

export const setRowLevelSecurity = (table: string, enabled: boolean): string =>
  `ALTER TABLE ${q(table)} ${enabled ? "ENABLE" : "DISABLE"} ROW LEVEL SECURITY;`;
export const noForceRowLevelSecurity = (table: string): string => `ALTER TABLE ${q(table)} NO FORCE ROW LEVEL SECURITY;`;
export const createPolicy = (p: DesiredPolicy): string =>
  `CREATE POLICY ${q(p.name)} ON ${q(p.table)} FOR ALL TO ${q(p.role)} USING (${p.using}) WITH CHECK (${p.check});`;
export const dropPolicy = (table: string, name: string): string => `DROP POLICY ${q(name)} ON ${q(table)};`;

export const grant = (table: string, privileges: string[], role: string): string => `GRANT ${privileges.join(", ")} ON ${q(table)} TO ${q(role)};`;
export const revoke = (table: string, privileges: string[], role: string): string => `REVOKE ${privileges.join(", ")} ON ${q(table)} FROM ${q(role)};`;

export const createExtension = (name: string): string => `CREATE EXTENSION IF NOT EXISTS ${q(name)};`;

// Parallel runs (tests, several nodes migrating at once) race on the cluster-wide role:
// duplicate_object is the normal "exists", unique_violation the catalog race between two creators.
export const createRole = (role: string): string =>
  `DO $$ BEGIN CREATE ROLE ${q(role)} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;`;
export const grantSchemaUsage = (role: string): string => `GRANT USAGE ON SCHEMA public TO ${q(role)};`;

export function createEnum(name: string, values: readonly string[]): string {
  return `CREATE TYPE ${q(name)} AS ENUM (${values.map(quoteLiteral).join(", ")});`;
}
export function addEnumValue(name: string, value: string, position: { after: string } | { before: string } | undefined): string {
  const where = position === undefined ? "" : "after" in position ? ` AFTER ${quoteLiteral(position.after)}` : ` BEFORE ${quoteLiteral(position.before)}`;
  return `ALTER TYPE ${q(name)} ADD VALUE ${quoteLiteral(value)}${where};`;
}
export const dropType = (name: string): string => `DROP TYPE ${q(name)};`;
