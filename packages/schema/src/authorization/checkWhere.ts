// Load-time validation of a where written in the schema (row rules, policy conditions): field and
// relationship names exist, operators suit the field type, list operators get lists, enum values
// exist, and placeholders are known. Values are checked further when the engine compiles them.
import type { EnumIR, FieldIR, ModelIR } from "../ir.ts";
import { filterOperatorsFor, LIST_OPERATORS, SUFFIX_OPERATORS, TO_MANY_SUFFIXES, type FilterOperator } from "./filterOperators.ts";
import { isPlaceholderLike, isPrincipalPlaceholder, PRINCIPAL_PLACEHOLDERS } from "./principalPlaceholders.ts";

export type WhereReport = (key: string, message: string) => void;

interface WhereScope {
  models: readonly ModelIR[];
  enums: readonly EnumIR[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Reports every problem of `where` on `model`; `key` is the dotted key of the where in the schema. */
export function checkWhere(scope: WhereScope, model: ModelIR, where: unknown, key: string, report: WhereReport): void {
  if (!isObject(where)) {
    report(key, "must be a where object");
    return;
  }
  for (const [name, value] of Object.entries(where)) checkEntry(scope, model, name, value, `${key}.${name}`, report);
}

function checkEntry(scope: WhereScope, model: ModelIR, name: string, value: unknown, key: string, report: WhereReport): void {
  if (name === "AND" || name === "OR" || name === "NOT") {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => checkWhere(scope, model, item, Array.isArray(value) ? `${key}[${i}]` : key, report));
    return;
  }
  if (name === "_search") {
    if (typeof value !== "string") report(key, "_search takes a string");
    else if (model.searchable.length === 0) report(key, `${model.name} has no searchable fields`);
    return;
  }
  const field = model.fields.find((f) => f.name === name);
  if (field) return checkValue(scope, field, "eq", value, key, report);
  const relation = model.relations.find((r) => r.name === name);
  if (relation) {
    if (relation.kind !== "belongsTo") return report(key, `'${name}' is a to-many relationship: use ${name}_some, ${name}_every or ${name}_none`);
    const target = scope.models.find((m) => m.name === relation.target);
    if (value !== null && target) checkWhere(scope, target, value, key, report);
    return;
  }
  for (const suffix of TO_MANY_SUFFIXES) {
    const rel = name.endsWith(`_${suffix}`) ? model.relations.find((r) => r.name === name.slice(0, -suffix.length - 1)) : undefined;
    if (!rel) continue;
    if (rel.kind === "belongsTo") return report(key, `'${rel.name}' is a to-one relationship: filter it with '${rel.name}: { … }'`);
    const target = scope.models.find((m) => m.name === rel.target);
    if (target) checkWhere(scope, target, value, key, report);
    return;
  }
  for (const op of SUFFIX_OPERATORS) {
    const opField = name.endsWith(`_${op}`) ? model.fields.find((f) => f.name === name.slice(0, -op.length - 1)) : undefined;
    if (!opField) continue;
    if (!filterOperatorsFor(opField).includes(op)) return report(key, `operator _${op} is not available for ${opField.type} field '${opField.name}'`);
    return checkValue(scope, opField, op, value, key, report);
  }
  report(key, `${model.name} has no field or relationship '${name}' (and '${name}' is no known operator)`);
}

function checkValue(scope: WhereScope, field: FieldIR, op: FilterOperator, value: unknown, key: string, report: WhereReport): void {
  const wantsList = LIST_OPERATORS.has(op) || (field.type === "array" && (op === "eq" || op === "not"));
  if (isPlaceholderLike(value)) {
    if (!isPrincipalPlaceholder(value)) {
      return report(key, `unknown placeholder '${value}' (known: ${Object.keys(PRINCIPAL_PLACEHOLDERS).join(", ")})`);
    }
    const kind = PRINCIPAL_PLACEHOLDERS[value];
    if (kind === "list" && !wantsList) report(key, `${value} is a list: use it with _in, _not_in or an array operator`);
    if (kind === "scalar" && wantsList) report(key, `${value} is a single value: write [${JSON.stringify(value)}] for a list`);
    return;
  }
  if (wantsList) {
    if (!Array.isArray(value)) return report(key, `_${op} takes a list`);
    value.forEach((item, i) => checkScalar(scope, field, item, `${key}[${i}]`, report));
    return;
  }
  if (value === null) {
    if (op !== "eq" && op !== "not") report(key, `_${op} does not accept null`);
    return;
  }
  checkScalar(scope, field, value, key, report);
}

function checkScalar(scope: WhereScope, field: FieldIR, value: unknown, key: string, report: WhereReport): void {
  if (isPlaceholderLike(value)) {
    if (!isPrincipalPlaceholder(value) || PRINCIPAL_PLACEHOLDERS[value] !== "scalar") report(key, `'${value}' is not a single-value placeholder`);
    return;
  }
  const enumName = field.type === "enum" ? field.enum : field.items?.type === "enum" ? field.items.enum : undefined;
  if (enumName !== undefined) {
    const def = scope.enums.find((e) => e.name === enumName);
    if (def && !def.values.includes(String(value))) report(key, `'${String(value)}' is not a value of enum ${def.name} (${def.values.join(", ")})`);
    return;
  }
  if (typeof value === "object" && value !== null && field.type !== "json") report(key, `must be a ${field.type} value`);
}
