import type {
  AccessIR,
  ConfigIR,
  EnumIR,
  FieldIR,
  FieldType,
  IndexIR,
  ModelIR,
  RelationIR,
  RuleIR,
  ScalarType,
  SchemaIR,
  UiIR,
} from "./ir.ts";
import { PRINCIPAL_DEFAULTS, RESERVED_FIELD_NAMES, SYSTEM_FIELDS, type PrincipalDefault } from "./ir.ts";
import type { RawField, RawModel, RawRelationship, RawSchema } from "./rawSchema.ts";
import { IDENTIFIER, lowerFirst, pluralize, snakeCase } from "./names.ts";
import { parseRule, RULE_ORDER, splitRules } from "./parseRule.ts";
import { SchemaLoadError, type SchemaIssue } from "./SchemaLoadError.ts";
import { checkAuthorizationWheres, normaliseFieldAccess, normalisePermissionPrefix, normalisePolicies, normaliseRowRules } from "./authorization/normaliseAuthorization.ts";
import { parseRoleList } from "./authorization/roleList.ts";
import { policyCovers, resourceName } from "./authorization/permissions.ts";
import { withPlatformModels } from "./platformModels.ts";

const SCALAR_TYPES: readonly ScalarType[] = [
  "id", "string", "text", "int", "float", "decimal", "money", "boolean", "date", "datetime", "json",
];
const FIELD_TYPES: readonly FieldType[] = [...SCALAR_TYPES, "enum", "array"];
const MODEL_KEYS = ["fields", "tableName", "plural", "primaryKey", "searchable", "access", "rowRules", "fieldAccess", "relationships", "validation", "ui", "indexes", "tenantScoped"];
const FIELD_KEYS = ["type", "required", "enum", "items", "default", "rules", "column"];
const CONFIG_KEYS = ["auditLog", "softDeletes", "defaultPageSize", "maxPageSize", "subscriptions", "permissionPrefix", "policies"];
const ACCESS_ACTIONS = ["read", "create", "update", "delete"] as const;
const RELATION_KEYS: Record<string, string[]> = {
  belongsTo: ["type", "model", "foreignKey", "onDelete"],
  hasMany: ["type", "model", "foreignKey"],
  manyToMany: ["type", "model", "through", "sourceKey", "targetKey"],
};
const UI_KEYS = ["displayField", "listView", "editForm"];
const INDEX_KEYS = ["fields", "unique", "name"];
const TEXT_TYPES: readonly FieldType[] = ["string", "text"];
/** Model keys that must be lists or objects; checked first so a wrong shape is reported, not crashed on or ignored. */
const MODEL_KEY_SHAPES: Record<string, "list" | "object"> = {
  searchable: "list", indexes: "list", access: "object", rowRules: "object", fieldAccess: "object", relationships: "object", validation: "object", ui: "object",
};

export const DEFAULT_CONFIG: ConfigIR = {
  auditLog: true,
  softDeletes: true,
  defaultPageSize: 25,
  maxPageSize: 100,
  subscriptions: true,
  permissionPrefix: "crm",
  policies: [],
};

/** Roles allowed per action when a model declares no `access`: reading and writing need a login, deleting needs an admin. */
const DEFAULT_ACCESS: Record<(typeof ACCESS_ACTIONS)[number], string> = {
  read: "authenticated",
  create: "authenticated",
  update: "authenticated",
  delete: "admin",
};

/**
 * Validates a raw schema and produces the IR. Every problem is collected and thrown together
 * as a SchemaLoadError naming model and key; nothing declared is silently dropped.
 */
export function normaliseSchema(raw: RawSchema): SchemaIR {
  const issues: SchemaIssue[] = [];
  const report = (model: string, key: string, message: string): void => {
    issues.push({ model, key, message });
  };

  checkKeys(raw as unknown as Record<string, unknown>, ["models", "enums", "config"], "schema", "", report);
  const enums = normaliseEnums(raw.enums ?? {}, report);
  const config = normaliseConfig((raw.config ?? {}) as Record<string, unknown>, report);
  const enumNames = new Set(enums.map((e) => e.name));

  if (Object.keys(raw.models ?? {}).length === 0) report("schema", "models", "a schema needs at least one model");
  const platform = withPlatformModels(raw);
  for (const issue of platform.issues) report(issue.model, issue.key, issue.message);
  const modelEntries = Object.entries(platform.schema.models);
  const models = modelEntries.map(([name, model]) => normaliseModel(name, model, enums, report));
  checkCrossModel(models, platform.schema, enumNames, report);
  for (const model of models) for (const field of model.fields) for (const rule of field.rules) if (rule.kind === "required_if") checkRequiredIf(model, field, rule, enums, report);
  checkAuthorizationWheres(models, enums, config, report);
  checkGlobalModelPolicies(models, config, report);

  if (issues.length > 0) throw new SchemaLoadError(issues);
  return { models, enums, config };
}

type Report = (model: string, key: string, message: string) => void;

/** An allow policy would hand a global model's rows to every tenant: refused when loaded. */
function checkGlobalModelPolicies(models: ModelIR[], config: ConfigIR, report: Report): void {
  config.policies.forEach((policy, i) => {
    if (policy.effect !== "allow") return;
    for (const model of models.filter((m) => !m.tenantScoped)) {
      if (ACCESS_ACTIONS.some((action) => policyCovers(policy, resourceName({ config }, model), action))) {
        report("config", `policies[${i}]`, `allows ${model.name}, which is global (tenantScoped: false): its rows belong to no tenant, so no policy may grant them to a tenant's roles; narrow the policy's resources`);
      }
    }
  });
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], model: string, prefix: string, report: Report): void {
  if (obj === null || typeof obj !== "object") return;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      report(model, prefix + key, `unknown key '${key}' (allowed: ${allowed.join(", ")})`);
    }
  }
}

function normaliseEnums(raw: Record<string, readonly string[]>, report: Report): EnumIR[] {
  // Sorted by name: the order enums happen to be met in must not make two schemas differ.
  return Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, values]) => {
    if (!IDENTIFIER.test(name)) report("enums", name, `enum name '${name}' is not a valid identifier`);
    if (!Array.isArray(values) || values.length === 0) {
      report("enums", name, "an enum needs at least one value");
      return { name, values: [] };
    }
    const seen = new Set<string>();
    for (const value of values) {
      if (typeof value !== "string" || !IDENTIFIER.test(value)) {
        report("enums", `${name}.${String(value)}`, `enum value '${String(value)}' must be a valid identifier (letters, digits, underscore)`);
      }
      if (seen.has(value)) report("enums", `${name}.${value}`, `enum value '${value}' is declared twice`);
      seen.add(value);
    }
    return { name, values: [...values] };
  });
}

function normaliseConfig(raw: Record<string, unknown>, report: Report): ConfigIR {
  checkKeys(raw, CONFIG_KEYS, "config", "", report);
  const config: ConfigIR = {
    ...DEFAULT_CONFIG,
    permissionPrefix: normalisePermissionPrefix(raw.permissionPrefix, report),
    policies: normalisePolicies(raw.policies, report),
  };
  for (const key of ["auditLog", "softDeletes", "subscriptions"] as const) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== "boolean") report("config", key, `must be true or false`);
    else config[key] = raw[key] as boolean;
  }
  for (const key of ["defaultPageSize", "maxPageSize"] as const) {
    if (raw[key] === undefined) continue;
    const value = raw[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) report("config", key, `must be a positive integer`);
    else config[key] = value;
  }
  if (config.defaultPageSize > config.maxPageSize) {
    report("config", "defaultPageSize", `defaultPageSize (${config.defaultPageSize}) exceeds maxPageSize (${config.maxPageSize})`);
  }
  return config;
}

function normaliseModel(name: string, input: RawModel, enums: EnumIR[], report: Report): ModelIR {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) report(name, "", `model name '${name}' must be PascalCase letters and digits`);
  checkKeys(input as unknown as Record<string, unknown>, MODEL_KEYS, name, "", report);
  const raw = checkShapes(name, input, report);
  const primaryKey = raw.primaryKey ?? "id";
  if (!IDENTIFIER.test(primaryKey) || RESERVED_FIELD_NAMES.has(primaryKey)) {
    report(name, "primaryKey", `'${primaryKey}' is not a usable primary key name`);
  }
  const plural = raw.plural ?? lowerFirst(pluralize(name));
  const tableName = raw.tableName ?? snakeCase(pluralize(name));
  if (!IDENTIFIER.test(tableName) || tableName.length > 63) report(name, "tableName", `'${tableName}' is not a valid table name`);

  const fields: FieldIR[] = [{ name: primaryKey, column: snakeCase(primaryKey), type: "id", required: true, rules: [], system: true }];
  const validation = collectValidation(name, raw.validation ?? {}, raw.fields ?? {}, report);
  for (const [fieldName, field] of Object.entries(raw.fields ?? {})) {
    const normalised = normaliseField(name, fieldName, field, primaryKey, validation.get(fieldName) ?? [], enums, report);
    if (normalised) fields.push(normalised);
  }
  const tenantScoped = raw.tenantScoped ?? true;
  if (typeof tenantScoped !== "boolean") report(name, "tenantScoped", "must be true or false");
  if (tenantScoped) fields.push(systemField("tenantId", "id", true));
  fields.push(systemField("version", "int", true), systemField("createdAt", "datetime", true), systemField("updatedAt", "datetime", true), systemField("deletedAt", "datetime", false));

  const fieldNames = new Set(fields.map((f) => f.name));
  const declared = fields.filter((f) => !f.system);
  const relations = Object.entries(raw.relationships ?? {}).map(([relName, rel]) => normaliseRelation(name, relName, rel, tableName, report));
  for (const rel of relations) {
    if (fieldNames.has(rel.name)) report(name, `relationships.${rel.name}`, `relationship '${rel.name}' has the same name as a field`);
  }

  const searchable = raw.searchable ?? [];
  searchable.forEach((s, i) => {
    const field = fields.find((f) => f.name === s);
    if (!field) report(name, `searchable[${i}]`, `unknown field '${s}'`);
    else if (!TEXT_TYPES.includes(field.type)) report(name, `searchable[${i}]`, `field '${s}' is ${field.type}; only string and text fields can be searchable`);
  });

  return {
    name,
    plural,
    tableName,
    primaryKey,
    fields,
    relations,
    searchable: [...searchable],
    ...globalModelAccess(name, tenantScoped !== false, raw, report),
    fieldAccess: normaliseFieldAccess(name, raw.fieldAccess, fields, report),
    ui: normaliseUi(name, (raw.ui ?? {}) as Record<string, unknown>, declared, fieldNames, relations, report),
    indexes: normaliseIndexes(name, tableName, raw.indexes ?? [], fields, report),
    tenantScoped: tenantScoped !== false,
  };
}

/** Reports model keys of the wrong shape (e.g. `searchable: "name"`) and drops them from the copy it returns. */
function checkShapes(model: string, raw: RawModel, report: Report): RawModel {
  const out: Record<string, unknown> = { ...raw };
  for (const [key, shape] of Object.entries(MODEL_KEY_SHAPES)) {
    const value = out[key];
    if (value === undefined) continue;
    const ok = shape === "list" ? Array.isArray(value) : typeof value === "object" && value !== null && !Array.isArray(value);
    if (!ok) {
      report(model, key, shape === "list" ? "must be a list" : "must be an object");
      delete out[key];
    }
  }
  return out as unknown as RawModel;
}

function systemField(name: keyof typeof SYSTEM_FIELDS, type: ScalarType, required: boolean): FieldIR {
  return { name, column: SYSTEM_FIELDS[name], type, required, rules: [], system: true };
}

/** Parses the model-level `validation` map into rules per field, reporting unknown fields and rules. */
function collectValidation(model: string, raw: Record<string, string | string[]>, fields: Record<string, RawField>, report: Report): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [field, spec] of Object.entries(raw)) {
    if (!(field in fields)) {
      report(model, `validation.${field}`, `validation names unknown field '${field}'`);
      continue;
    }
    if (typeof spec !== "string" && !Array.isArray(spec)) {
      report(model, `validation.${field}`, `must be a rule string like "required|max:255" or a list of rules`);
      continue;
    }
    out.set(field, splitRules(spec));
  }
  return out;
}

function normaliseField(
  model: string,
  name: string,
  raw: RawField,
  primaryKey: string,
  extraRules: string[],
  enums: EnumIR[],
  report: Report,
): FieldIR | undefined {
  const key = `fields.${name}`;
  if (RESERVED_FIELD_NAMES.has(name) || name === primaryKey) {
    report(model, key, `'${name}' is a reserved name (system fields: ${primaryKey}, ${Object.keys(SYSTEM_FIELDS).join(", ")})`);
    return undefined;
  }
  if (!IDENTIFIER.test(name)) {
    report(model, key, `field name '${name}' is not a valid identifier`);
    return undefined;
  }
  if (raw === null || typeof raw !== "object") {
    report(model, key, "a field must be an object with a type");
    return undefined;
  }
  checkKeys(raw as unknown as Record<string, unknown>, FIELD_KEYS, model, `${key}.`, report);
  if (!FIELD_TYPES.includes(raw.type)) {
    report(model, `${key}.type`, `unknown field type '${String(raw.type)}' (known: ${FIELD_TYPES.join(", ")})`);
    return undefined;
  }
  const field: FieldIR = {
    name,
    column: raw.column ?? snakeCase(name),
    type: raw.type,
    required: raw.required === true,
    rules: [],
    system: false,
  };
  if (!IDENTIFIER.test(field.column)) report(model, `${key}.column`, `'${field.column}' is not a valid column name`);

  const enumOf = (enumName: string | undefined): EnumIR | undefined => {
    if (!enumName) {
      report(model, `${key}.enum`, "an enum field must name its enum");
      return undefined;
    }
    const found = enums.find((e) => e.name === enumName);
    if (!found) report(model, `${key}.enum`, `unknown enum '${enumName}'`);
    return found;
  };
  let enumDef: EnumIR | undefined;
  if (raw.type === "enum") {
    enumDef = enumOf(raw.enum);
    field.enum = raw.enum;
  } else if (raw.type === "array") {
    const items = raw.items;
    if (!items || (!SCALAR_TYPES.includes(items as ScalarType) && items !== "enum") || items === "json") {
      report(model, `${key}.items`, `an array field needs a scalar element type, got '${String(items)}'`);
    } else {
      field.items = { type: items };
      if (items === "enum") {
        enumDef = enumOf(raw.enum);
        field.items.enum = raw.enum;
      }
    }
  } else if (raw.enum !== undefined) {
    report(model, `${key}.enum`, `only enum fields name an enum`);
  }
  if (raw.items !== undefined && raw.type !== "array") report(model, `${key}.items`, `only array fields have items`);

  if (typeof raw.default === "string" && raw.default.startsWith("$")) {
    // A request value, not a literal: never in the DDL, filled in by the engine on create.
    if (!(PRINCIPAL_DEFAULTS as readonly string[]).includes(raw.default)) {
      report(model, `${key}.default`, `'${raw.default}' is not a default the platform knows (${PRINCIPAL_DEFAULTS.join(", ")}); a literal default may not start with $`);
    } else if (raw.type !== "id") {
      report(model, `${key}.default`, `${raw.default} is a user id: only an id field (an owner) can default to it`);
    } else {
      field.defaultFrom = raw.default as PrincipalDefault;
    }
  } else if (raw.default !== undefined) {
    field.default = raw.default;
    if (enumDef && raw.type === "enum" && !enumDef.values.includes(String(raw.default))) {
      report(model, `${key}.default`, `'${String(raw.default)}' is not a value of enum ${enumDef.name} (${enumDef.values.join(", ")})`);
    }
  }

  const rules: RuleIR[] = [];
  for (const text of [...(raw.rules ?? []), ...extraRules]) {
    const parsed = parseRule(text);
    if ("error" in parsed) {
      report(model, raw.rules?.includes(text) ? `${key}.rules` : `validation.${name}`, parsed.error);
      continue;
    }
    if (parsed.kind === "required") {
      field.required = true;
      continue;
    }
    if (parsed.kind === "in" && enumDef) {
      const bad = parsed.values.filter((v) => !enumDef.values.includes(v));
      if (bad.length > 0) report(model, `validation.${name}`, `'in' lists ${bad.join(", ")}, not values of enum ${enumDef.name}`);
    }
    if (!rules.some((r) => JSON.stringify(r) === JSON.stringify(parsed))) rules.push(parsed);
  }
  // Several required_if rules on one field are ordered by their text too, so declaration order never matters.
  rules.sort((a, b) => RULE_ORDER.indexOf(a.kind) - RULE_ORDER.indexOf(b.kind) || (a.kind === "required_if" ? JSON.stringify(a).localeCompare(JSON.stringify(b)) : 0));
  field.rules = rules;
  return field;
}

function normaliseRelation(model: string, name: string, raw: RawRelationship, tableName: string, report: Report): RelationIR {
  const key = `relationships.${name}`;
  const allowed = RELATION_KEYS[raw?.type];
  if (!allowed) {
    report(model, `${key}.type`, `unknown relationship type '${String(raw?.type)}' (known: belongsTo, hasMany, manyToMany)`);
    return { kind: "hasMany", name, target: String(raw?.model), foreignKey: "" };
  }
  checkKeys(raw as unknown as Record<string, unknown>, allowed, model, `${key}.`, report);
  switch (raw.type) {
    case "belongsTo":
      return { kind: "belongsTo", name, target: raw.model, foreignKey: raw.foreignKey, onDelete: raw.onDelete ?? "restrict" };
    case "hasMany":
      return { kind: "hasMany", name, target: raw.model, foreignKey: raw.foreignKey };
    case "manyToMany":
      return {
        kind: "manyToMany",
        name,
        target: raw.model,
        through: raw.through,
        sourceKey: raw.sourceKey ?? `${snakeCase(model)}_id`,
        targetKey: raw.targetKey ?? `${snakeCase(raw.model)}_id`,
      };
  }
  void tableName;
}

/**
 * Access and row rules. A global model (`tenantScoped: false`) holds platform data every tenant
 * shares, such as users: no tenant role may write it (only the system API does), so write access is
 * an error rather than a grant the engine would not honour; and each role that may read it needs a
 * read rule saying which rows a tenant sees (`memberships_some: {}` for users; `where: {}` states
 * on purpose that every tenant sees every row).
 */
function globalModelAccess(name: string, tenantScoped: boolean, raw: RawModel, report: Report): { access: AccessIR; rowRules: ModelIR["rowRules"] } {
  const declared = (raw.access ?? {}) as Record<string, string>;
  const rowRules = normaliseRowRules(name, raw.rowRules, report);
  if (tenantScoped) return { access: normaliseAccess(name, declared, report), rowRules };
  for (const action of ["create", "update", "delete"] as const) {
    if (declared[action] !== undefined) {
      report(name, `access.${action}`, `${name} is global (tenantScoped: false): its rows belong to no tenant, so no tenant role may ${action} them; leave access.${action} out (the platform's system API writes them)`);
    }
  }
  for (const action of ["update", "delete"] as const) {
    if (rowRules[action].length > 0) report(name, `rowRules.${action}`, `${name} is global (tenantScoped: false) and cannot be written by tenant roles; leave rowRules.${action} out`);
  }
  const access = normaliseAccess(name, declared, report, { read: null, create: null, update: null, delete: null });
  const covers = (role: string): boolean => rowRules.read.some((rule) => rule.roles.includes(role) || rule.roles.includes("authenticated") || rule.roles.includes("public"));
  const uncovered = access.read.filter((role) => !covers(role));
  if (uncovered.length > 0) {
    report(name, "rowRules.read", `${name} is global (tenantScoped: false): access.read lets ${uncovered.join(", ")} read it, so rowRules.read must say which rows a tenant's principals see (e.g. { roles: "authenticated", where: { memberships_some: {} } }, or where: {} for rows every tenant may see)`);
  }
  return { access, rowRules };
}

function normaliseAccess(model: string, raw: Record<string, string>, report: Report, defaults: Record<(typeof ACCESS_ACTIONS)[number], string | null> = DEFAULT_ACCESS): AccessIR {
  checkKeys(raw, ACCESS_ACTIONS, model, "access.", report);
  const access = {} as AccessIR;
  for (const action of ACCESS_ACTIONS) {
    const spec = raw[action] ?? defaults[action];
    if (spec === null) {
      access[action] = [];
      continue;
    }
    const parsed = parseRoleList(spec);
    if ("error" in parsed) report(model, `access.${action}`, parsed.error);
    access[action] = "error" in parsed ? [] : parsed.roles;
  }
  return access;
}

function normaliseUi(model: string, raw: Record<string, unknown>, declared: FieldIR[], known: Set<string>, relations: RelationIR[], report: Report): UiIR {
  checkKeys(raw, UI_KEYS, model, "ui.", report);
  const firstText = declared.find((f) => TEXT_TYPES.includes(f.type));
  const displayFields = normaliseDisplayFields(model, raw.displayField, known, report) ?? [firstText?.name ?? declared[0]?.name ?? "id"];
  const ui = {
    listView: (raw.listView as string[] | undefined) ?? declared.slice(0, 5).map((f) => f.name),
    editForm: (raw.editForm as string[] | undefined) ?? declared.map((f) => f.name),
  };
  for (const list of ["listView", "editForm"] as const) {
    if (!Array.isArray(ui[list])) {
      report(model, `ui.${list}`, "must be a list of field names");
      continue;
    }
    ui[list].forEach((f, i) => {
      if (known.has(f)) return;
      // A list column may name a belongsTo relationship: the UI shows the related record's display fields.
      const relation = list === "listView" ? relations.find((r) => r.name === f) : undefined;
      if (relation?.kind === "belongsTo") return;
      if (relation) report(model, `ui.${list}[${i}]`, `'${f}' is a ${relation.kind} relationship; only fields and belongsTo relationships can be list columns`);
      else report(model, `ui.${list}[${i}]`, list === "listView" ? `unknown field '${f}' (a list column is a field or a belongsTo relationship)` : `unknown field '${f}'`);
    });
  }
  return { displayField: displayFields[0], displayFields, listView: [...ui.listView], editForm: [...ui.editForm] };
}

/** `displayField: "name"` or `["firstName", "lastName"]` as a list of known fields; undefined when not given. */
function normaliseDisplayFields(model: string, raw: unknown, known: Set<string>, report: Report): string[] | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === "string") {
    if (!known.has(raw)) report(model, "ui.displayField", `unknown field '${raw}'`);
    return [raw];
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    report(model, "ui.displayField", "must be a field name or a non-empty list of field names");
    return undefined;
  }
  raw.forEach((f: unknown, i) => {
    const key = `ui.displayField[${i}]`;
    if (typeof f !== "string") report(model, key, "must be a field name");
    else if (!known.has(f)) report(model, key, `unknown field '${f}'`);
    else if (raw.indexOf(f) !== i) report(model, key, `'${f}' is named twice`);
  });
  return raw.map(String);
}

function normaliseIndexes(model: string, tableName: string, raw: RawModel["indexes"] & object, fields: FieldIR[], report: Report): IndexIR[] {
  return raw.map((index, i) => {
    checkKeys(index as unknown as Record<string, unknown>, INDEX_KEYS, model, `indexes[${i}].`, report);
    const columns: string[] = [];
    for (const name of index.fields ?? []) {
      const field = fields.find((f) => f.name === name);
      if (!field) report(model, `indexes[${i}].fields`, `unknown field '${name}'`);
      else columns.push(field.column);
    }
    if ((index.fields ?? []).length === 0) report(model, `indexes[${i}].fields`, "an index needs at least one field");
    const name = index.name ?? `${tableName}_${columns.join("_")}_${index.unique ? "key" : "idx"}`;
    return { name: name.slice(0, 63), fields: [...(index.fields ?? [])], unique: index.unique === true };
  });
}

/** Checks that need every model: relationship targets, foreign keys, `exists` tables, table name clashes. */
function checkCrossModel(models: ModelIR[], raw: RawSchema, enumNames: Set<string>, report: Report): void {
  void enumNames;
  const byName = new Map(models.map((m) => [m.name, m]));
  const tables = new Map<string, string>();
  for (const model of models) {
    const clash = tables.get(model.tableName);
    if (clash) report(model.name, "tableName", `table '${model.tableName}' is also used by ${clash}`);
    tables.set(model.tableName, model.name);
    if (models.some((m) => m !== model && m.plural === model.plural)) {
      report(model.name, "plural", `plural '${model.plural}' clashes with another model`);
    }
  }
  for (const model of models) {
    for (const rel of model.relations) {
      const key = `relationships.${rel.name}`;
      const target = byName.get(rel.target);
      if (!target) {
        report(model.name, `${key}.model`, `relationship '${rel.name}' points to unknown model '${rel.target}'`);
        continue;
      }
      if (rel.kind === "belongsTo") {
        const fk = model.fields.find((f) => f.name === rel.foreignKey);
        if (!fk) report(model.name, `${key}.foreignKey`, `foreign key '${rel.foreignKey}' is not a field of ${model.name}`);
        else if (fk.type !== "id") report(model.name, `${key}.foreignKey`, `foreign key '${rel.foreignKey}' must be an id field, not ${fk.type}`);
      } else if (rel.kind === "hasMany") {
        const fk = target.fields.find((f) => f.name === rel.foreignKey);
        if (!fk) report(model.name, `${key}.foreignKey`, `foreign key '${rel.foreignKey}' is not a field of ${target.name}`);
        else if (fk.type !== "id") report(model.name, `${key}.foreignKey`, `foreign key '${rel.foreignKey}' must be an id field, not ${fk.type}`);
      } else {
        if (!rel.through || !IDENTIFIER.test(rel.through)) report(model.name, `${key}.through`, `a manyToMany relationship needs a valid join table name`);
        if (tables.has(rel.through)) report(model.name, `${key}.through`, `join table '${rel.through}' is also a model's table`);
      }
    }
    for (const field of model.fields) {
      for (const rule of field.rules) {
        if (rule.kind !== "exists") continue;
        const target = models.find((m) => m.tableName === rule.table);
        if (!target) report(model.name, `validation.${field.name}`, `'exists' names unknown table '${rule.table}'`);
        else if (!target.fields.some((f) => f.column === rule.column)) {
          report(model.name, `validation.${field.name}`, `'exists' names unknown column '${rule.column}' of table '${rule.table}'`);
        }
      }
    }
  }
  void raw;
}

/** Field types whose values a `required_if` condition can name exactly, as text. */
const CONDITION_TYPES: readonly FieldType[] = ["enum", "string", "text", "boolean", "int"];

/**
 * A `required_if` rule must name another field of the same model, of a type whose values compare
 * exactly as text, and values that field can hold: a typo would otherwise make the rule never apply.
 */
function checkRequiredIf(model: ModelIR, field: FieldIR, rule: Extract<RuleIR, { kind: "required_if" }>, enums: EnumIR[], report: Report): void {
  const key = `validation.${field.name}`;
  const other = model.fields.find((f) => f.name === rule.field);
  if (!other) return report(model.name, key, `'required_if' names unknown field '${rule.field}' of ${model.name}`);
  if (other === field) return report(model.name, key, `'required_if' must name another field than ${field.name} itself`);
  if (field.system) return report(model.name, key, `${field.name} is set by the server and cannot be required_if`);
  if (!CONDITION_TYPES.includes(other.type)) {
    return report(model.name, key, `'required_if' compares ${rule.field}, a ${other.type} field; it works on ${CONDITION_TYPES.join(", ")} fields`);
  }
  const valid = (value: string): boolean => {
    if (other.type === "enum") return enums.find((e) => e.name === other.enum)?.values.includes(value) ?? false;
    if (other.type === "boolean") return value === "true" || value === "false";
    if (other.type === "int") return /^-?(0|[1-9]\d*)$/.test(value);
    return true;
  };
  const bad = rule.values.filter((v) => !valid(v));
  if (bad.length > 0) report(model.name, key, `'required_if' lists ${bad.join(", ")}, not values ${rule.field} can hold`);
}
