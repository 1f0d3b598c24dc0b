// Foreign keys, indexes, row-level security, policies, triggers and grants of the tables the
// schema owns. Objects are matched by name; one whose definition changed is dropped and
// re-created. Extra foreign keys, indexes and policies on owned tables are dropped: the schema
// is the single source of truth for them.
import { compareText, type CatalogForeignKey, type CatalogPolicy } from "./catalog.ts";
import { sameExpression } from "./compareSql.ts";
import {
  addForeignKey,
  createIndex,
  createPolicy,
  dropConstraint,
  dropIndex,
  dropPolicy,
  grant,
  indexDefinition,
  noForceRowLevelSecurity,
  revoke,
  setRowLevelSecurity,
} from "./ddl.ts";
import type { DesiredForeignKey, DesiredPolicy } from "./desiredSchema.ts";
import type { PlanContext } from "./planTypes.ts";

const key = (table: string, name: string): string => `${table}\u0000${name}`;

function owned(ctx: PlanContext): Set<string> {
  return new Set(ctx.desired.tables.map((t) => t.name));
}

function sameForeignKey(want: DesiredForeignKey, have: CatalogForeignKey): boolean {
  return (
    have.columns.length === 1 &&
    have.columns[0] === want.column &&
    have.refTable === want.refTable &&
    have.refColumns.length === 1 &&
    have.refColumns[0] === want.refColumn &&
    have.onDelete === want.onDelete
  );
}

export function planForeignKeys(ctx: PlanContext): void {
  const { desired, catalog, out } = ctx;
  const tables = owned(ctx);
  const wanted = new Map(desired.foreignKeys.map((fk) => [key(fk.table, fk.name), fk]));
  const have = new Map(catalog.foreignKeys.map((fk) => [key(fk.table, fk.name), fk]));
  for (const fk of catalog.foreignKeys) {
    if (!tables.has(fk.table)) continue;
    const want = wanted.get(key(fk.table, fk.name));
    if (!want || !sameForeignKey(want, fk)) out.dropForeignKeys.push(dropConstraint(fk.table, fk.name));
  }
  for (const fk of desired.foreignKeys) {
    const current = have.get(key(fk.table, fk.name));
    if (!current || !sameForeignKey(fk, current)) out.foreignKeys.push(addForeignKey(fk));
  }
}

export function planIndexes(ctx: PlanContext): void {
  const { desired, catalog, out } = ctx;
  const tables = owned(ctx);
  const wanted = new Map(desired.indexes.map((i) => [i.name, i]));
  const have = new Map(catalog.indexes.map((i) => [i.name, i]));
  for (const index of catalog.indexes) {
    // Indexes behind PRIMARY KEY / UNIQUE constraints live and die with their constraint.
    if (!tables.has(index.table) || index.constraintBacked) continue;
    const want = wanted.get(index.name);
    if (!want || want.table !== index.table || !sameExpression(indexDefinition(want), index.definition)) {
      out.dropIndexes.push(dropIndex(index.name));
    }
  }
  for (const index of desired.indexes) {
    const current = have.get(index.name);
    if (!current || current.table !== index.table || !sameExpression(indexDefinition(index), current.definition)) {
      out.indexes.push(createIndex(index));
    }
  }
}

function samePolicy(want: DesiredPolicy, have: CatalogPolicy): boolean {
  return (
    have.command === "ALL" &&
    have.permissive &&
    have.roles.length === 1 &&
    have.roles[0] === want.role &&
    sameExpression(want.using, have.using) &&
    sameExpression(want.check, have.check)
  );
}

export function planSecurity(ctx: PlanContext): void {
  const { desired, catalog, out } = ctx;
  const tables = owned(ctx);
  const existing = new Map(catalog.tables.map((t) => [t.name, t]));
  for (const table of desired.tables) {
    const have = existing.get(table.name);
    if ((have?.rlsEnabled ?? false) !== table.rls) out.security.push(setRowLevelSecurity(table.name, table.rls));
    // NOT forced: the owner (migrations, the system API) is the one path that bypasses RLS.
    if (have?.rlsForced) out.security.push(noForceRowLevelSecurity(table.name));
  }
  const wanted = new Map(desired.policies.map((p) => [key(p.table, p.name), p]));
  const have = new Map(catalog.policies.map((p) => [key(p.table, p.name), p]));
  for (const policy of catalog.policies) {
    if (!tables.has(policy.table)) continue;
    const want = wanted.get(key(policy.table, policy.name));
    if (!want || !samePolicy(want, policy)) out.dropPolicies.push(dropPolicy(policy.table, policy.name));
  }
  for (const policy of desired.policies) {
    const current = have.get(key(policy.table, policy.name));
    if (!current || !samePolicy(policy, current)) out.security.push(createPolicy(policy));
  }
  const triggers = new Set(catalog.triggers.map((t) => key(t.table, t.name)));
  for (const trigger of desired.triggers) {
    if (!triggers.has(key(trigger.table, trigger.name))) out.security.push(`${trigger.sql};`);
  }
}

export function planGrants({ desired, catalog, out }: PlanContext): void {
  const existing = new Map(catalog.tables.map((t) => [t.name, t]));
  for (const table of desired.tables) {
    const have = existing.get(table.name)?.grants[desired.appRole] ?? [];
    const want = [...table.grants].sort(compareText);
    const missing = want.filter((p) => !have.includes(p));
    // All wanted privileges in one statement: a fresh table reads as one GRANT line.
    if (missing.length > 0) out.grants.push(grant(table.name, table.grants, desired.appRole));
    const extra = have.filter((p) => !want.includes(p));
    if (extra.length > 0) out.grants.push(revoke(table.name, extra, desired.appRole));
  }
}
