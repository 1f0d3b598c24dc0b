// The predicates every read of a table carries: its tenant and its soft-delete state.
import { SYSTEM_FIELDS, type ModelIR } from "@tessera/schema";
import type { CompileContext } from "./CompileContext.ts";
import { columnRef } from "./fieldOutput.ts";

export type DeletedMode = "exclude" | "include" | "only";

export const DELETED_MODES: readonly DeletedMode[] = ["exclude", "include", "only"];

/** `tenant_id = $n::uuid AND deleted_at IS NULL` (or the trash / both), for `alias` of `model`. */
export function scopePredicates(cc: CompileContext, model: ModelIR, alias: string, deleted: DeletedMode = "exclude"): string[] {
  const parts: string[] = [];
  if (model.tenantScoped) parts.push(`${columnRef(alias, SYSTEM_FIELDS.tenantId)} = ${cc.tenant()}`);
  if (deleted === "exclude") parts.push(`${columnRef(alias, SYSTEM_FIELDS.deletedAt)} IS NULL`);
  if (deleted === "only") parts.push(`${columnRef(alias, SYSTEM_FIELDS.deletedAt)} IS NOT NULL`);
  return parts;
}

/** Validates `args.deleted`. */
export function checkDeletedMode(cc: CompileContext, value: unknown): DeletedMode {
  if (value === undefined) return "exclude";
  if (typeof value === "string" && (DELETED_MODES as readonly string[]).includes(value)) return value as DeletedMode;
  cc.error(["deleted"], "type", `must be one of ${DELETED_MODES.join(", ")}`);
  return "exclude";
}

/** Joins predicates with AND, leaving out `TRUE`; `TRUE` for none. */
export function and(all: readonly string[]): string {
  const parts = all.filter((p) => p !== "TRUE");
  if (parts.length === 0) return "TRUE";
  if (parts.length === 1) return parts[0];
  return parts.map((p) => `(${p})`).join(" AND ");
}
