// Normalises the authorisation keys of a schema: row rules and field access per model, and
// `config.policies`. Shapes are checked here; the where clauses are checked against the whole
// schema by `checkAuthorizationWheres` once every model is known.
import type { AccessAction, EnumIR, FieldAccessIR, FieldIR, ModelIR, PolicyIR, RowRuleIR, RowRulesIR, WhereIR } from "../ir.ts";
import { checkWhere } from "./checkWhere.ts";
import { ACCESS_ACTIONS, policyCovers, resourceName } from "./permissions.ts";
import { parseRoleList } from "./roleList.ts";

type Report = (model: string, key: string, message: string) => void;

const ROW_RULE_ACTIONS = ["read", "update", "delete"] as const;
const ROW_RULE_KEYS = ["roles", "where"];
const FIELD_ACCESS_KEYS = ["read", "write"];
const POLICY_KEYS = ["effect", "actions", "resources", "roles", "when"];
const PREFIX = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], model: string, prefix: string, report: Report): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) report(model, `${prefix}${key}`, `unknown key '${key}' (allowed: ${allowed.join(", ")})`);
  }
}

function roles(spec: unknown, model: string, key: string, report: Report): string[] {
  const parsed = parseRoleList(spec);
  if ("error" in parsed) {
    report(model, key, parsed.error);
    return [];
  }
  return parsed.roles;
}

export function normaliseRowRules(model: string, raw: unknown, report: Report): RowRulesIR {
  const out: RowRulesIR = { read: [], update: [], delete: [] };
  if (raw === undefined) return out;
  if (!isObject(raw)) {
    report(model, "rowRules", "must be an object { read?, update?, delete? } of rule lists");
    return out;
  }
  unknownKeys(raw, ROW_RULE_ACTIONS, model, "rowRules.", report);
  for (const action of ROW_RULE_ACTIONS) {
    const list = raw[action];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      report(model, `rowRules.${action}`, "must be a list of { roles, where }");
      continue;
    }
    list.forEach((rule: unknown, i) => {
      const key = `rowRules.${action}[${i}]`;
      if (!isObject(rule)) return report(model, key, "must be an object { roles, where }");
      unknownKeys(rule, ROW_RULE_KEYS, model, `${key}.`, report);
      if (!isObject(rule.where)) report(model, `${key}.where`, "must be a where object");
      out[action].push({ roles: roles(rule.roles, model, `${key}.roles`, report), where: isObject(rule.where) ? (rule.where as WhereIR) : {} });
    });
  }
  return out;
}

export function normaliseFieldAccess(model: string, raw: unknown, fields: readonly FieldIR[], report: Report): FieldAccessIR[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) {
    report(model, "fieldAccess", "must be an object { field: { read?, write? } }");
    return [];
  }
  const out: FieldAccessIR[] = [];
  for (const [name, spec] of Object.entries(raw)) {
    const key = `fieldAccess.${name}`;
    const field = fields.find((f) => f.name === name);
    if (!field) {
      report(model, key, `unknown field '${name}'`);
      continue;
    }
    if (field.system) report(model, key, `'${name}' is a system field; its access follows the model`);
    if (!isObject(spec)) {
      report(model, key, "must be an object { read?, write? } of role lists");
      continue;
    }
    unknownKeys(spec, FIELD_ACCESS_KEYS, model, `${key}.`, report);
    if (spec.read === undefined && spec.write === undefined) report(model, key, "declare read, write or both");
    const read = spec.read === undefined ? ["public"] : roles(spec.read, model, `${key}.read`, report);
    const write = spec.write === undefined ? read : roles(spec.write, model, `${key}.write`, report);
    out.push({ field: name, read, write });
  }
  return out;
}

export function normalisePermissionPrefix(raw: unknown, report: Report): string {
  if (raw === undefined) return "crm";
  if (typeof raw !== "string" || !PREFIX.test(raw)) {
    report("config", "permissionPrefix", "must be lower-case words separated by dots, like \"crm\"");
    return "crm";
  }
  return raw;
}

export function normalisePolicies(raw: unknown, report: Report): PolicyIR[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    report("config", "policies", "must be a list of policies");
    return [];
  }
  return raw.flatMap((policy: unknown, i): PolicyIR[] => {
    const key = `policies[${i}]`;
    if (!isObject(policy)) {
      report("config", key, "must be an object { effect, actions, resources, roles?, when? }");
      return [];
    }
    unknownKeys(policy, POLICY_KEYS, "config", `${key}.`, report);
    if (policy.effect !== "allow" && policy.effect !== "deny") report("config", `${key}.effect`, `must be "allow" or "deny"`);
    const actions: PolicyIR["actions"] = [];
    if (!Array.isArray(policy.actions) || policy.actions.length === 0) {
      report("config", `${key}.actions`, `must be a non-empty list of actions (${ACCESS_ACTIONS.join(", ")}) or ["*"]`);
    } else {
      policy.actions.forEach((action: unknown, j) => {
        if (action === "*" || (ACCESS_ACTIONS as readonly unknown[]).includes(action)) {
          if (!actions.includes(action as AccessAction | "*")) actions.push(action as AccessAction | "*");
        } else {
          report("config", `${key}.actions[${j}]`, `unknown action '${String(action)}' (known: ${ACCESS_ACTIONS.join(", ")}, *)`);
        }
      });
    }
    const resources: string[] = [];
    if (!Array.isArray(policy.resources) || policy.resources.length === 0) {
      report("config", `${key}.resources`, `must be a non-empty list of permission-name patterns like "crm.deal" or "crm.*"`);
    } else {
      policy.resources.forEach((resource: unknown, j) => {
        if (typeof resource !== "string" || !/^[a-z0-9_.*-]+$/i.test(resource)) {
          report("config", `${key}.resources[${j}]`, `'${String(resource)}' is not a permission-name pattern`);
        } else {
          resources.push(resource.toLowerCase());
        }
      });
    }
    if (policy.when !== undefined && !isObject(policy.when)) report("config", `${key}.when`, "must be a where object");
    return [{
      effect: policy.effect === "deny" ? "deny" : "allow",
      actions,
      resources,
      roles: policy.roles === undefined ? null : roles(policy.roles, "config", `${key}.roles`, report),
      when: isObject(policy.when) ? (policy.when as WhereIR) : null,
    }];
  });
}

/**
 * Checks every row-rule where against its model, and every policy: its resources must match at
 * least one model, and its `when` must be valid on each model it matches.
 */
export function checkAuthorizationWheres(models: readonly ModelIR[], enums: readonly EnumIR[], config: { permissionPrefix: string; policies: readonly PolicyIR[] }, report: Report): void {
  const scope = { models, enums };
  for (const model of models) {
    for (const action of ROW_RULE_ACTIONS) {
      model.rowRules[action].forEach((rule: RowRuleIR, i) => {
        checkWhere(scope, model, rule.where, `rowRules.${action}[${i}].where`, (key, message) => report(model.name, key, message));
      });
    }
  }
  config.policies.forEach((policy, i) => {
    const matched = models.filter((m) => {
      const resource = resourceName({ config }, m);
      return ACCESS_ACTIONS.some((a) => policyCovers(policy, resource, a));
    });
    if (matched.length === 0 && policy.resources.length > 0) {
      report("config", `policies[${i}].resources`, `no model matches ${policy.resources.join(", ")} (permission names look like ${config.permissionPrefix}.deal.read)`);
    }
    if (!policy.when) return;
    for (const model of matched) {
      checkWhere(scope, model, policy.when, `policies[${i}].when`, (key, message) => report("config", key, `${message} (on ${model.name})`));
    }
  });
}
