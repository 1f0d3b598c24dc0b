// GraphQL documents built from the API description. Every screen asks for exactly the fields it
// shows, so each root field stays one SQL statement however many relations it follows.
import { displayFieldNames, type FieldDescription, type ModelDescription } from "./meta.ts";

/** What `displayName` reads: the display fields, and the last name next to a first name ("José" → "José García"). */
export function displaySelection(model: ModelDescription): string {
  return displayFieldNames(model).join(" ");
}

/** The selection of one field: scalars by name; a foreign key also fetches its target's display field. */
export function fieldSelection(model: ModelDescription, field: FieldDescription, models: ModelDescription[]): string {
  if (!field.references) return field.name;
  const target = models.find((m) => m.name === field.references!.model);
  if (!target || !target.can.read) return field.name;
  return `${field.name} ${field.references.relation} { ${target.primaryKey} ${displaySelection(target)} }`;
}

export function recordSelection(model: ModelDescription, names: readonly string[], models: ModelDescription[]): string {
  const wanted = new Set([model.primaryKey, "version", ...displayFieldNames(model), ...names]);
  if (model.fields.some((f) => f.name === "deletedAt")) wanted.add("deletedAt");
  return [...wanted]
    .map((n) => model.fields.find((f) => f.name === n))
    .filter((f): f is FieldDescription => f !== undefined)
    .map((f) => fieldSelection(model, f, models))
    .join(" ");
}

export function listDocument(model: ModelDescription, columns: readonly string[], models: ModelDescription[]): string {
  const t = model.name;
  return `query List($where: ${t}WhereInput, $orderBy: [${t}OrderByInput!], $first: Int, $skip: Int, $deleted: DeletedFilter) {
  list: ${model.api.connection}(where: $where, orderBy: $orderBy, first: $first, skip: $skip, deleted: $deleted) {
    edges { node { ${recordSelection(model, columns, models)} } }
    aggregate { count }
  }
}`;
}

/** One record with every readable field, and the first rows of each hasMany relationship. */
export function detailDocument(model: ModelDescription, models: ModelDescription[], relatedRows = 10): string {
  const related = model.relations
    .filter((r) => r.kind !== "belongsTo")
    .map((r) => {
      const target = models.find((m) => m.name === r.model);
      if (!target || !target.can.read) return "";
      return `${r.name}(first: ${relatedRows}) { ${recordSelection(target, target.listView.slice(0, 3), models)} }`;
    })
    .join(" ");
  return `query Detail($id: ID!) {
  record: ${model.api.single}(where: { ${model.primaryKey}: $id }, deleted: INCLUDE) { ${recordSelection(model, model.fields.map((f) => f.name), models)} ${related} }
}`;
}

export function historyDocument(model: ModelDescription): string {
  return `query History($id: ID!) { history: ${model.api.history}(id: $id) { seq type version changes actor impersonator at } }`;
}

export function createDocument(model: ModelDescription): string {
  return `mutation Create($data: ${model.name}CreateInput!) { record: ${model.api.create}(data: $data) { ${model.primaryKey} ${displaySelection(model)} } }`;
}

export function updateDocument(model: ModelDescription): string {
  return `mutation Update($id: ID!, $data: ${model.name}UpdateInput!, $version: Int) {
  record: ${model.api.update}(where: { ${model.primaryKey}: $id }, data: $data, expectedVersion: $version) { ${model.primaryKey} ${displaySelection(model)} version }
}`;
}

export function deleteDocument(model: ModelDescription): string {
  return `mutation Delete($id: ID!) { record: ${model.api.delete}(where: { ${model.primaryKey}: $id }) { ${model.primaryKey} } }`;
}

export function restoreDocument(model: ModelDescription): string {
  return `mutation Restore($id: ID!) { record: ${model.api.restore}(where: { ${model.primaryKey}: $id }) { ${model.primaryKey} ${displaySelection(model)} } }`;
}

/** Records of `model` for a relation picker; its variables come from `pickVariables`. */
export function pickDocument(model: ModelDescription): string {
  const t = model.name;
  return `query Pick($where: ${t}WhereInput, $orderBy: [${t}OrderByInput!]) { list: ${model.api.plural}(where: $where, first: 10, orderBy: $orderBy) { ${model.primaryKey} ${displaySelection(model)} } }`;
}

/**
 * A picker's filter and order for what was typed: with a full-text search, no orderBy, so the engine
 * returns the best matches first (the exact name before names that merely contain the words);
 * otherwise alphabetical by the display field.
 */
export function pickVariables(model: ModelDescription, text: string): { where?: Record<string, unknown>; orderBy?: string[] } {
  const typed = text.trim();
  const alphabetical = [`${model.displayField}_ASC`];
  if (typed.length === 0) return { orderBy: alphabetical };
  const where = textFilter(model, typed);
  return "_search" in where ? { where } : { where, orderBy: alphabetical };
}

/**
 * A filter matching `text` in the model's searchable fields (full text: every word in some searchable
 * or display field, accents and case ignored), else in any of its display fields.
 */
export function textFilter(model: ModelDescription, text: string): Record<string, unknown> {
  if (model.searchable.length > 0) return { _search: text };
  const names = displayFieldNames(model);
  if (names.length === 1) return { [`${names[0]}_contains`]: text };
  return { OR: names.map((n) => ({ [`${n}_contains`]: text })) };
}
