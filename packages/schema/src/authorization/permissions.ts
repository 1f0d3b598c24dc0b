// Permission names (`crm.deal.delete`) and the patterns policies and API keys match them with.
import type { AccessAction, ModelIR, PolicyIR, SchemaIR } from "../ir.ts";

type PrefixSource = { config: Pick<SchemaIR["config"], "permissionPrefix"> };

export const ACCESS_ACTIONS: readonly AccessAction[] = ["read", "create", "update", "delete"];

/** `crm.deal`: the resource a model's permissions belong to. */
export function resourceName(schema: PrefixSource, model: Pick<ModelIR, "name">): string {
  return `${schema.config.permissionPrefix}.${model.name.toLowerCase()}`;
}

/** `crm.deal.delete`. */
export function permissionName(schema: PrefixSource, model: Pick<ModelIR, "name">, action: AccessAction): string {
  return `${resourceName(schema, model)}.${action}`;
}

/** Glob match: `*` stands for any run of characters (dots included); everything else is literal, case-insensitive. */
export function matchesPattern(pattern: string, name: string): boolean {
  const source = pattern
    .toLowerCase()
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(name.toLowerCase());
}

/** Whether the policy covers `action` on the resource (`crm.deal`): by its actions and resource patterns. */
export function policyCovers(policy: Pick<PolicyIR, "actions" | "resources">, resource: string, action: AccessAction): boolean {
  if (!policy.actions.includes("*") && !policy.actions.includes(action)) return false;
  return policy.resources.some((r) => matchesPattern(r, resource) || matchesPattern(r, `${resource}.${action}`));
}

export interface PermissionEntry {
  /** `crm.deal.delete`. */
  name: string;
  model: string;
  action: AccessAction;
  /**
   * Roles granted the permission: the role matrix's roles plus the roles of allow policies that
   * match it (conditional ones included), sorted. Deny policies are not subtracted.
   */
  roles: string[];
}

/** Every permission of the schema, for `tessera permissions --json` and drift checks. */
export function listPermissions(schema: SchemaIR): PermissionEntry[] {
  const out: PermissionEntry[] = [];
  for (const model of schema.models) {
    for (const action of ACCESS_ACTIONS) {
      const name = permissionName(schema, model, action);
      const roles = new Set(model.access[action]);
      for (const policy of schema.config.policies) {
        if (policy.effect !== "allow") continue;
        if (!policyCovers(policy, resourceName(schema, model), action)) continue;
        for (const role of policy.roles ?? ["authenticated"]) roles.add(role);
      }
      out.push({ name, model: model.name, action, roles: [...roles].sort() });
    }
  }
  return out;
}
