// Authorisation of writes, inside the write's statement: which existing rows may be changed
// (row rules and conditional policies of the action, plus the read rules for NOT_FOUND vs FORBIDDEN),
// and the check that a new or changed row still satisfies the rules (a WITH CHECK).
import type { AccessAction, FieldIR, ModelIR } from "@tessera/schema";
import { quoteIdent } from "@tessera/db";
import { accessPredicate, decisionPredicate } from "./compileAccess.ts";
import type { CompileContext } from "./CompileContext.ts";
import type { SqlParams } from "./SqlParams.ts";
import { columnSqlType } from "./sqlTypes.ts";
import { toParam } from "./writeParams.ts";
import { principalDefault } from "../write/principalDefaults.ts";
import type { RequestContext } from "../queryTypes.ts";

/** `expr AS "column"` for every column of the model, the value of each given by `valueOf`. */
export function rowImage(model: ModelIR, valueOf: (field: FieldIR) => string): string {
  return model.fields.map((f) => `${valueOf(f)} AS ${quoteIdent(f.column)}`).join(", ");
}

/** `readable` and `writable` predicates of the existing row at `alias`, for the action. */
export function existingRowAccess(cc: CompileContext, model: ModelIR, alias: string, action: AccessAction): { readable: string; writable: string } {
  const writable = accessPredicate(cc, model, alias, action, "root");
  const readable = accessPredicate(cc, model, alias, "read", "nested");
  return { readable: `COALESCE((${readable}), FALSE)`, writable: `COALESCE((${writable}), FALSE)` };
}

/**
 * TRUE when every row of `images()` (a SELECT producing row images) satisfies the action's row
 * conditions; `TRUE` literally when the principal's writes are unrestricted. Create is checked
 * against the update rules (see Authorizer). An update's result is checked against the row rules
 * only: its deny policies were matched against the row before the change (`existingRowAccess`).
 */
export function rowsSatisfy(cc: CompileContext, model: ModelIR, action: AccessAction, images: () => string): string {
  const decision = cc.auth.require(model, action);
  const alias = cc.alias();
  const predicate = decisionPredicate(cc, model, alias, decision, { denies: action !== "update" });
  if (predicate === "TRUE") return "TRUE";
  // Built only when checked: its parameters must not exist in a statement that does not use them.
  return `NOT EXISTS (SELECT 1 FROM (${images()}) AS ${quoteIdent(alias)} WHERE NOT COALESCE((${predicate}), FALSE))`;
}

/** The value a column gets on insert when the write does not set it: system value, schema default or NULL. */
export function unsetColumnValue(field: FieldIR, params: SqlParams, ctx: RequestContext): string {
  const tenantId = ctx.tenantId;
  const fromPrincipal = principalDefault(field, ctx);
  if (fromPrincipal !== undefined) return params.typed(fromPrincipal, columnSqlType(field));
  switch (field.column) {
    case "tenant_id":
      return params.typed(tenantId, "uuid");
    case "version":
      return "1";
    case "created_at":
    case "updated_at":
      return "now()";
  }
  if (field.default !== undefined && field.default !== null) return params.typed(toParam(field, field.default), columnSqlType(field));
  if (field.type === "array") return `'{}'::${columnSqlType(field)}`;
  return `NULL::${columnSqlType(field)}`;
}
