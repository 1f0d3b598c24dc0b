// Which CSV column writes which field. A column maps to a field by name, or to a belongsTo
// relation, whose cells then name the related record by its display field (`company` → `Acme`
// → companyId). Everything a mapping names is checked against the schema before a row is read.
import type { BelongsToIR, FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import { EngineError, validationFailed, type Authorizer, type FieldError } from "@tessera/engine";

/** A relation column: the cell is matched against the target's display field. */
export interface LookupTarget {
  kind: "lookup";
  name: string;
  relation: BelongsToIR;
  /** The foreign key the looked-up id is written to. */
  field: FieldIR;
  target: ModelIR;
  displayField: FieldIR;
}

export type ColumnTarget = { kind: "field"; name: string; field: FieldIR } | LookupTarget;

export type ImportMapping = Record<string, string | null>;

export interface ImportPlan {
  model: ModelIR;
  headers: string[];
  /** Per column of the file: what it writes, or null when it is ignored. */
  columns: (ColumnTarget | null)[];
  mapping: ImportMapping;
}

/** Everything a column of `model` may be mapped to, by name: writable fields, then relations. */
export function importTargets(schema: SchemaIR, model: ModelIR): Map<string, ColumnTarget> {
  const targets = new Map<string, ColumnTarget>();
  for (const field of model.fields) {
    // The primary key may be given (a create with a known id, or the key of an upsert by id).
    if (field.system && field.name !== model.primaryKey) continue;
    targets.set(field.name, { kind: "field", name: field.name, field });
  }
  for (const relation of model.relations) {
    if (relation.kind !== "belongsTo" || targets.has(relation.name)) continue;
    const target = schema.models.find((m) => m.name === relation.target);
    // A cell names one value; a record named by several fields ("Ada" + "Lovelace") cannot be found
    // by one exactly, so such a relation is not offered: the column gives the foreign key instead.
    if (!target || target.ui.displayFields.length !== 1) continue;
    const displayField = target.fields.find((f) => f.name === target.ui.displayField);
    const field = model.fields.find((f) => f.name === relation.foreignKey);
    if (!target || !field || !displayField || displayField.system || displayField.type !== "string") continue;
    targets.set(relation.name, { kind: "lookup", name: relation.name, relation, field, target, displayField });
  }
  return targets;
}

/**
 * Checks a mapping given by a client (`{ "CSV column": "field" | null }`) against the file's header
 * and the model; columns it does not name are ignored. Throws VALIDATION_FAILED naming every
 * problem, and FORBIDDEN when a mapped field is not writable for the principal.
 */
export function resolveMapping(schema: SchemaIR, model: ModelIR, headers: readonly string[], mapping: unknown, auth?: Authorizer): ImportPlan {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const header of headers) {
    if (header !== "" && seen.has(header)) errors.push({ path: ["header", header], message: `the header has two columns named '${header}'; rename one`, rule: "duplicate_column" });
    seen.add(header);
  }
  if (mapping === null || typeof mapping !== "object" || Array.isArray(mapping)) {
    throw validationFailed([{ path: ["mapping"], message: 'mapping must be an object: { "CSV column": "field" }', rule: "type" }]);
  }
  const targets = importTargets(schema, model);
  const names = [...targets.keys()].join(", ");
  const byHeader = new Map<string, ColumnTarget>();
  const written = new Map<FieldIR, string>();
  for (const [header, name] of Object.entries(mapping as Record<string, unknown>)) {
    const path = ["mapping", header];
    if (!headers.includes(header)) {
      errors.push({ path, message: `the file has no column '${header}'; its columns are ${headers.map((h) => `'${h}'`).join(", ")}`, rule: "unknown_column" });
      continue;
    }
    if (name === null) continue;
    if (typeof name !== "string") {
      errors.push({ path, message: `must be a field name or null, not ${JSON.stringify(name)}`, rule: "type" });
      continue;
    }
    const target = targets.get(name);
    if (!target) {
      errors.push({ path, message: `${model.name} has no field '${name}' to import into; use one of ${names}`, rule: "unknown_field" });
      continue;
    }
    const other = written.get(target.field);
    if (other !== undefined) {
      errors.push({ path, message: `columns '${other}' and '${header}' both write ${model.name}.${target.field.name}; map only one of them`, rule: "duplicate_target" });
      continue;
    }
    written.set(target.field, header);
    byHeader.set(header, target);
  }
  if (errors.length === 0 && byHeader.size === 0) {
    errors.push({ path: ["mapping"], message: `no column is mapped to a field of ${model.name}; map at least one (fields: ${names})`, rule: "empty_mapping" });
  }
  if (errors.length > 0) throw validationFailed(errors);
  if (auth) {
    const denied = [...written.keys()].filter((f) => !auth.canWriteField(model, f));
    if (denied.length > 0) {
      const fieldErrors = denied.map((f) => ({ path: ["mapping", written.get(f)!], message: `${model.name}.${f.name} is not writable for this principal`, rule: "field_access" }));
      throw new EngineError("FORBIDDEN", fieldErrors.map((e) => e.message).join("; "), fieldErrors);
    }
  }
  const columns = headers.map((header) => byHeader.get(header) ?? null);
  const resolved: ImportMapping = {};
  for (const header of headers) if (header !== "" && !(header in resolved)) resolved[header] = byHeader.get(header)?.name ?? null;
  return { model, headers: [...headers], columns, mapping: resolved };
}
