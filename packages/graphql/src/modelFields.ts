// Which fields of a model appear where in the API. The GraphQL layer mirrors the engine's rules
// (operators per type, sortable and aggregatable types) so the schema offers exactly what the
// engine accepts; the engine still validates every value.
import { SYSTEM_FIELDS, type FieldIR, type ModelIR, type RelationIR, type SchemaIR } from "@tessera/schema";

export type FilterOperator =
  | "not" | "in" | "not_in" | "lt" | "lte" | "gt" | "gte"
  | "contains" | "not_contains" | "starts_with" | "not_starts_with" | "ends_with" | "not_ends_with"
  | "contains_all" | "contains_some" | "contains_none";

const NUMERIC: ReadonlySet<string> = new Set(["int", "float", "decimal", "money"]);
const TEXT: ReadonlySet<string> = new Set(["string", "text"]);
const ORDERED: ReadonlySet<string> = new Set(["int", "float", "decimal", "money", "date", "datetime", "string", "text"]);
const SORTABLE: ReadonlySet<string> = new Set([...ORDERED, "enum", "boolean", "id"]);
const UNGROUPABLE: ReadonlySet<string> = new Set(["json", "array"]);

/** Fields the API shows: every field but the tenant column. */
export function apiFields(model: ModelIR): FieldIR[] {
  return model.fields.filter((f) => f.column !== SYSTEM_FIELDS.tenantId);
}

/** Fields a client may write (create additionally accepts the primary key). */
export function writableFields(model: ModelIR): FieldIR[] {
  return model.fields.filter((f) => !f.system);
}

export function primaryKey(model: ModelIR): FieldIR {
  const pk = model.fields.find((f) => f.name === model.primaryKey);
  if (!pk) throw new Error(`model ${model.name} has no primary key field ${model.primaryKey}`);
  return pk;
}

/** Operator suffixes (besides plain equality) a field accepts in `where`. */
export function filterOperators(field: FieldIR): FilterOperator[] {
  if (field.type === "array") return ["not", "contains_all", "contains_some", "contains_none"];
  if (field.type === "json" || field.type === "boolean") return ["not"];
  const ops: FilterOperator[] = ["not", "in", "not_in"];
  if (ORDERED.has(field.type)) ops.push("lt", "lte", "gt", "gte");
  if (TEXT.has(field.type)) ops.push("contains", "not_contains", "starts_with", "not_starts_with", "ends_with", "not_ends_with");
  return ops;
}

export function isSortable(field: FieldIR): boolean {
  return SORTABLE.has(field.type);
}

export function isNumeric(field: FieldIR): boolean {
  return NUMERIC.has(field.type);
}

/** min/max accept ordered types and enums. */
export function hasMinMax(field: FieldIR): boolean {
  return ORDERED.has(field.type) || field.type === "enum";
}

export function isGroupable(field: FieldIR): boolean {
  return !UNGROUPABLE.has(field.type);
}

export function isUnique(model: ModelIR, field: FieldIR): boolean {
  return field.name === model.primaryKey || field.rules.some((r) => r.kind === "unique");
}

export function isToMany(relation: RelationIR): boolean {
  return relation.kind !== "belongsTo";
}

/**
 * Field-level read rules (added by the authorisation work): a field whose read roles are not
 * `["public"]` may be hidden from some principals, so its output type must be nullable.
 */
export function mayBeHidden(model: ModelIR, field: FieldIR): boolean {
  const rules = (model as ModelIR & { fieldAccess?: readonly { field: string; read: readonly string[] }[] }).fieldAccess ?? [];
  return rules.some((r) => r.field === field.name && !(r.read.length === 1 && r.read[0] === "public"));
}

/**
 * Foreign keys a nested relation input can supply: the key of one of the model's belongsTo
 * relationships, or the key a hasMany of another model fills in for its nested creates.
 * They are optional in `<Model>CreateInput`; the engine still requires them when nothing sets them.
 */
export function suppliableForeignKeys(schema: SchemaIR, model: ModelIR): Set<string> {
  const keys = new Set<string>();
  for (const rel of model.relations) if (rel.kind === "belongsTo") keys.add(rel.foreignKey);
  for (const other of schema.models) {
    for (const rel of other.relations) if (rel.kind === "hasMany" && rel.target === model.name) keys.add(rel.foreignKey);
  }
  return keys;
}

/** Relationships that can be written through nested inputs (manyToMany needs an engine API that does not exist yet). */
export function writableRelations(model: ModelIR): RelationIR[] {
  return model.relations.filter((r) => r.kind !== "manyToMany");
}
