import type ts from "typescript";
import type { RawField, RawModel } from "../rawSchema.ts";
import type { IssueCollector } from "./issues.ts";
import { type Literal, type LiteralContext, readLiteral } from "./literal.ts";
import { readInterfaceFields } from "./interfaceFields.ts";
import type { MapContext } from "./mapType.ts";

export interface ModelContext extends MapContext {
  issues: IssueCollector;
}

type LiteralObject = { [key: string]: Literal };
const isObject = (value: Literal | undefined): value is LiteralObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Builds one RawModel from its `schema.models` entry and the interface of the same name.
 * `defaults` and `columns` (interface-form keys) become RawField.default / RawField.column;
 * every other key is passed through so the normaliser validates it (unknown keys included).
 */
export function readModel(name: string, node: ts.Expression, ctx: ModelContext): RawModel | undefined {
  const literalCtx: LiteralContext = { issues: ctx.issues, enums: ctx.enums, model: name };
  const value = readLiteral(node, "", literalCtx);
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    ctx.issues.report(name, "", "a model must be an object literal", node);
    return undefined;
  }
  const declarations = ctx.scope.interfaces.get(name);
  if (!declarations) {
    ctx.issues.report(name, "fields", `no interface named ${name} declares this model's fields`, node);
    return undefined;
  }
  const { defaults, columns, fields: declaredFields, ...rest } = value;
  if (declaredFields !== undefined) {
    ctx.issues.report(name, "fields", `in the interface form the fields come from interface ${name}; remove 'fields'`, node);
  }
  // The primary key's name decides which declared property is the (system) key; a bad value is the normaliser's to report.
  const primaryKey = typeof rest.primaryKey === "string" ? rest.primaryKey : "id";
  const fields = readInterfaceFields(name, declarations, ctx, ctx.issues, primaryKey);
  applyPerField(name, "defaults", defaults, fields, ctx.issues, node, (field, v) => {
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") field.default = v;
    else return "a default must be a string, number, boolean or null";
    return undefined;
  });
  applyPerField(name, "columns", columns, fields, ctx.issues, node, (field, v) => {
    if (typeof v === "string") field.column = v;
    else return "a column name must be a string";
    return undefined;
  });
  return { ...(rest as unknown as Omit<RawModel, "fields">), fields };
}

/** Applies a `{ field: value }` map to the fields, reporting unknown fields and bad values. */
function applyPerField(
  model: string,
  key: string,
  map: Literal | undefined,
  fields: Record<string, RawField>,
  issues: IssueCollector,
  node: ts.Node,
  apply: (field: RawField, value: Literal) => string | undefined,
): void {
  if (map === undefined) return;
  if (!isObject(map)) {
    issues.report(model, key, `'${key}' must be an object { field: value }`, node);
    return;
  }
  for (const [fieldName, v] of Object.entries(map)) {
    const field = Object.hasOwn(fields, fieldName) ? fields[fieldName] : undefined;
    if (!field) {
      issues.report(model, `${key}.${fieldName}`, `'${key}' names unknown field '${fieldName}'`, node);
      continue;
    }
    const error = apply(field, v);
    if (error) issues.report(model, `${key}.${fieldName}`, error, node);
  }
}
