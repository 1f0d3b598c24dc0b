// Decides what one request may do, from the schema's role matrix, row rules, field access and
// policies (deny-overrides). Pure: it returns row conditions as where filters, which the compiler
// turns into SQL inside the one statement of each engine call.
import { permissionName, policyCovers, resourceName, matchesPattern, type AccessAction, type FieldIR, type ModelIR, type PolicyIR, type SchemaIR } from "@tessera/schema";
import { EngineError } from "../EngineError.ts";
import type { RequestContext } from "../queryTypes.ts";
import { substitutePrincipal, type SubstitutedWhere } from "./substitutePrincipal.ts";

export interface AccessDecision {
  /** `crm.deal.read`. */
  permission: string;
  /** Rows the principal may act on: null = every row, otherwise the OR of these (none = no row). */
  grants: SubstitutedWhere[] | null;
  /** Rows excluded by conditional deny policies (a row matching any of them is denied). */
  denies: SubstitutedWhere[];
}

export class Authorizer {
  private readonly roles: ReadonlySet<string>;
  private readonly decisions = new Map<string, AccessDecision | EngineError>();

  constructor(
    private readonly schema: SchemaIR,
    private readonly request: RequestContext,
  ) {
    this.roles = new Set((request.principal?.roles ?? []).map((r) => r.toLowerCase()));
  }

  /** The named system API (seeding, migrations): no checks at all. */
  get bypass(): boolean {
    return this.request.principal?.kind === "system";
  }

  /** The decision for `action` on `model`, or the error explaining the refusal. */
  decide(model: ModelIR, action: AccessAction): AccessDecision | EngineError {
    const key = `${model.name}.${action}`;
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = this.compute(model, action);
      this.decisions.set(key, decision);
    }
    return decision;
  }

  /** Like `decide`, throwing UNAUTHENTICATED or FORBIDDEN when refused. */
  require(model: ModelIR, action: AccessAction): AccessDecision {
    const decision = this.decide(model, action);
    if (decision instanceof EngineError) throw decision;
    return decision;
  }

  canReadField(model: ModelIR, field: FieldIR): boolean {
    if (this.bypass) return true;
    const rule = model.fieldAccess.find((f) => f.field === field.name);
    return rule === undefined || this.hasRole(rule.read);
  }

  canWriteField(model: ModelIR, field: FieldIR): boolean {
    if (this.bypass) return true;
    const rule = model.fieldAccess.find((f) => f.field === field.name);
    return rule === undefined || this.hasRole(rule.write);
  }

  /** Removes the fields the principal may not read (the keys are absent, not null). */
  redact<T extends Record<string, unknown> | null>(model: ModelIR, record: T): T {
    if (record === null || this.bypass || model.fieldAccess.length === 0) return record;
    const out: Record<string, unknown> = { ...record };
    for (const field of model.fields) if (!this.canReadField(model, field)) delete out[field.name];
    return out as T;
  }

  private compute(model: ModelIR, action: AccessAction): AccessDecision | EngineError {
    const permission = permissionName(this.schema, model, action);
    if (this.bypass) return { permission, grants: null, denies: [] };
    const principal = this.request.principal;
    const matrix = model.access[action];
    const resource = resourceName(this.schema, model);
    const covering = this.schema.config.policies.filter((p) => policyCovers(p, resource, action));
    const allows = covering.filter((p) => p.effect === "allow" && this.policyApplies(p, ["authenticated"]));
    const denies = covering.filter((p) => p.effect === "deny" && this.policyApplies(p, ["public"]));

    // Global models hold platform data every tenant shares (users): a tenant's roles never change
    // them, and read them only through a row rule that ties rows to the tenant (checked again below).
    if (!model.tenantScoped && action !== "read") {
      return new EngineError("FORBIDDEN", `${permission}: ${model.name} is platform data shared by every tenant; only the platform's own (system) API changes it`);
    }
    const matrixRoles = this.allowedRoles(matrix);
    if (!principal && matrixRoles.length === 0 && allows.length === 0) {
      return new EngineError("UNAUTHENTICATED", `${permission} requires authentication`);
    }
    if (principal?.permissions !== undefined && !principal.permissions.some((p) => matchesPattern(p, permission))) {
      return new EngineError("FORBIDDEN", `${permission} is not among the permissions granted to this principal`);
    }
    if (denies.some((p) => p.when === null)) return new EngineError("FORBIDDEN", `${permission} is denied by a policy`);
    if (matrixRoles.length === 0 && allows.length === 0) {
      return new EngineError("FORBIDDEN", `${permission} requires one of ${matrix.join(", ")}`);
    }

    let grants: SubstitutedWhere[] | null = [];
    if (matrixRoles.length > 0) grants = this.rowGrants(model, action, matrixRoles);
    for (const policy of allows) {
      if (grants === null) break;
      if (policy.when === null) grants = null;
      else grants.push(substitutePrincipal(policy.when, this.request));
    }
    if (!model.tenantScoped && grants === null) {
      return new EngineError("FORBIDDEN", `${permission}: ${model.name} is platform data; no read rule limits it to this tenant's rows`);
    }
    return {
      permission,
      grants,
      denies: denies.map((p) => substitutePrincipal(p.when ?? {}, this.request)),
    };
  }

  /**
   * Row rules of the roles the matrix allows. Creating is checked against the update rules (one may
   * create only rows one could then change). If any allowed role has no rule, no filter applies.
   */
  private rowGrants(model: ModelIR, action: AccessAction, roles: readonly string[]): SubstitutedWhere[] | null {
    const rules = model.rowRules[action === "create" ? "update" : action];
    const applies = (ruleRoles: readonly string[], role: string): boolean =>
      ruleRoles.includes(role) || ruleRoles.includes("public") || (ruleRoles.includes("authenticated") && role !== "public");
    if (roles.some((role) => !rules.some((rule) => applies(rule.roles, role)))) return null;
    return rules.filter((rule) => roles.some((role) => applies(rule.roles, role))).map((rule) => substitutePrincipal(rule.where, this.request));
  }

  /** The principal's roles the list allows; the pseudo-role itself when it allows only through it. */
  private allowedRoles(list: readonly string[]): string[] {
    const principal = this.request.principal;
    const concrete = [...this.roles];
    if (list.includes("public") || (principal && list.includes("authenticated"))) {
      if (concrete.length > 0 && principal) return concrete;
      return [principal ? "authenticated" : "public"];
    }
    return concrete.filter((r) => list.includes(r));
  }

  private hasRole(list: readonly string[]): boolean {
    if (list.includes("public")) return true;
    if (!this.request.principal) return false;
    return list.includes("authenticated") || list.some((r) => this.roles.has(r));
  }

  private policyApplies(policy: PolicyIR, defaultRoles: readonly string[]): boolean {
    return this.hasRole(policy.roles ?? defaultRoles);
  }
}
