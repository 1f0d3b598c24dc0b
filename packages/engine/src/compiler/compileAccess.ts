// Authorisation as SQL: the row conditions of an AccessDecision (row rules and conditional
// policies) become a predicate over a table alias, inside the statement being compiled.
import type { AccessAction, ModelIR } from "@tessera/schema";
import { EngineError } from "../EngineError.ts";
import type { AccessDecision } from "../authorization/Authorizer.ts";
import type { SubstitutedWhere } from "../authorization/substitutePrincipal.ts";
import type { CompileContext } from "./CompileContext.ts";
import { compileWhere } from "./compileWhere.ts";
import { and, scopePredicates, type DeletedMode } from "./tenantScope.ts";

/**
 * Rows of `model` at `alias` the request may act on. `root`: a refusal throws (UNAUTHENTICATED /
 * FORBIDDEN); `nested` (includes, relation filters): a refusal is `FALSE`, so the related rows are
 * simply not there. Inside a rule the models it reaches are not filtered again.
 */
export function accessPredicate(cc: CompileContext, model: ModelIR, alias: string, action: AccessAction, mode: "root" | "nested"): string {
  if (cc.inRule && mode === "nested") return "TRUE";
  const decision = cc.auth.decide(model, action);
  if (decision instanceof EngineError) {
    if (mode === "root") throw decision;
    return "FALSE";
  }
  return decisionPredicate(cc, model, alias, decision);
}

/**
 * `(grant OR grant …) AND NOT deny AND NOT deny …`; `TRUE` when unrestricted. `denies: false` leaves
 * the conditional deny policies out: an update's result is checked against the row rules only, as
 * a deny's condition describes the rows that may not be changed (matched before the change), not
 * the rows that may not be reached.
 */
export function decisionPredicate(cc: CompileContext, model: ModelIR, alias: string, decision: AccessDecision, options: { denies?: boolean } = {}): string {
  const parts: string[] = [];
  if (decision.grants !== null) {
    const grants = decision.grants.map((g) => compileRule(cc, model, alias, g, "FALSE"));
    parts.push(grants.length === 0 ? "FALSE" : grants.length === 1 ? grants[0] : grants.map((g) => `(${g})`).join(" OR "));
  }
  if (options.denies !== false) for (const deny of decision.denies) parts.push(`NOT COALESCE((${compileRule(cc, model, alias, deny, "TRUE")}), FALSE)`);
  return and(parts);
}

/** Tenant, soft-delete and read-access predicates of a related table (includes, relation filters). */
export function visibleRows(cc: CompileContext, model: ModelIR, alias: string, deleted: DeletedMode = "exclude"): string[] {
  return [...scopePredicates(cc, model, alias, deleted), accessPredicate(cc, model, alias, "read", "nested")];
}

/**
 * One rule's where. A rule that cannot be compiled for this principal (an unresolved placeholder, a
 * subject that is not a valid id) fails closed: `failed` is FALSE for grants and TRUE for denials.
 */
function compileRule(cc: CompileContext, model: ModelIR, alias: string, rule: SubstitutedWhere, failed: "TRUE" | "FALSE"): string {
  if (rule.unresolved) return failed;
  const mark = cc.checkpoint();
  const wasInRule = cc.inRule;
  cc.inRule = true;
  try {
    const sql = compileWhere(cc, model, alias, rule.where, ["rule"]);
    if (cc.errors.length > mark.errors) {
      cc.rollback(mark);
      return failed;
    }
    return sql;
  } finally {
    cc.inRule = wasInRule;
  }
}
