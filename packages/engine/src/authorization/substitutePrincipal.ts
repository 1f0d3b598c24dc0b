// Replaces principal placeholders in a rule's where with the request's values. The engine never
// looks them up: `teams` comes from the principal (token claims or the auth layer's lookup).
import { isPrincipalPlaceholder, type WhereIR } from "@tessera/schema";
import type { RequestContext, Where } from "../queryTypes.ts";

export interface SubstitutedWhere {
  where: Where;
  /** A placeholder had no value (no principal, no tenant): the rule must fail closed. */
  unresolved: boolean;
}

export function substitutePrincipal(where: WhereIR, request: RequestContext): SubstitutedWhere {
  let unresolved = false;
  const resolve = (value: unknown): unknown => {
    if (isPrincipalPlaceholder(value)) {
      const principal = request.principal;
      if (value === "$principal.teams") return [...(principal?.teams ?? [])];
      const resolved = value === "$principal.sub" ? principal?.sub : request.tenantId;
      if (resolved === undefined || resolved === null || resolved === "") unresolved = true;
      return resolved ?? null;
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    }
    return value;
  };
  return { where: resolve(where) as Where, unresolved };
}
