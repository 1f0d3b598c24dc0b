import ts from "typescript";
import type { RawConfig, RawModel, RawSchema } from "../rawSchema.ts";
import { SchemaLoadError } from "../SchemaLoadError.ts";
import { unwrapExpression, propertyNameText } from "./ast.ts";
import { collectEnums } from "./enums.ts";
import { findSchemaObject } from "./findSchemaObject.ts";
import { IssueCollector } from "./issues.ts";
import { readLiteral } from "./literal.ts";
import { readModel, type ModelContext } from "./readModel.ts";
import { reportSyntaxErrors } from "./syntaxErrors.ts";
import { collectTypeScope } from "./typeScope.ts";

/**
 * Reads a schema written in the interface form (TypeScript interfaces, string enums and
 * `export const schema = { models, config }`) into the raw schema shape, using the TypeScript
 * compiler's syntax tree. Throws a SchemaLoadError naming model and key for anything it cannot
 * read; everything it can read is passed on for `normaliseSchema` to validate.
 */
export function readInterfaceSchema(source: string, fileName = "schema.ts"): RawSchema {
  const sourceFile = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const issues = new IssueCollector(sourceFile);
  reportSyntaxErrors(sourceFile, issues);
  const enums = collectEnums(sourceFile, issues);
  const ctx: ModelContext = { scope: collectTypeScope(sourceFile), enums, issues };

  const raw: RawSchema = { models: {}, enums: {} };
  for (const info of enums.values()) if (info.exported) raw.enums![info.name] = info.values;

  const schemaNode = findSchemaObject(sourceFile);
  if (!schemaNode || !ts.isObjectLiteralExpression(schemaNode)) {
    issues.report("schema", "schema", "the file must declare `export const schema = { models: { … }, config: { … } }`", schemaNode);
  } else {
    readTopLevel(schemaNode, raw, ctx);
    promoteForeignKeys(raw.models);
  }
  if (issues.issues.length > 0) throw new SchemaLoadError(issues.issues);
  return raw;
}

function readTopLevel(node: ts.ObjectLiteralExpression, raw: RawSchema, ctx: ModelContext): void {
  const extra = raw as unknown as Record<string, unknown>;
  for (const prop of node.properties) {
    const key = prop.name ? propertyNameText(prop.name) : undefined;
    if (!ts.isPropertyAssignment(prop) || key === undefined) {
      ctx.issues.report("schema", key ?? "", "only `key: literal` properties are allowed", prop);
    } else if (key === "models") {
      raw.models = readModels(prop.initializer, ctx);
    } else if (key === "enums") {
      ctx.issues.report("schema", "enums", "in the interface form enums are declared as exported string enums", prop);
    } else {
      const model = key === "config" ? "config" : "schema";
      const value = readLiteral(prop.initializer, key === "config" ? "" : key, { issues: ctx.issues, enums: ctx.enums, model });
      if (key === "config") raw.config = value as unknown as RawConfig;
      else extra[key] = value; // unknown top-level keys: reported by the normaliser
    }
  }
}

function readModels(node: ts.Expression, ctx: ModelContext): Record<string, RawModel> {
  const models: Record<string, RawModel> = {};
  const expr = unwrapExpression(node);
  if (!ts.isObjectLiteralExpression(expr)) {
    ctx.issues.report("schema", "models", "must be an object literal { ModelName: { … } }", node);
    return models;
  }
  for (const prop of expr.properties) {
    const name = prop.name ? propertyNameText(prop.name) : undefined;
    if (!ts.isPropertyAssignment(prop) || name === undefined) {
      ctx.issues.report("schema", name === undefined ? "models" : `models.${name}`, "only `ModelName: { … }` properties are allowed", prop);
      continue;
    }
    if (Object.hasOwn(models, name)) {
      ctx.issues.report(name, "", `model ${name} is declared twice`, prop);
      continue;
    }
    const model = readModel(name, prop.initializer, ctx);
    if (model) models[name] = model;
  }
  return models;
}

/**
 * A foreign key is a uuid, but people type it `string` (that is what it is at run time). A
 * property typed `string` that a belongsTo (on its model) or hasMany (on the other model) names
 * as its foreignKey is read as an `ID`. Any other type is left alone, so `number` or `Text` is
 * still reported by the normaliser as a foreign key that is not an id field.
 */
function promoteForeignKeys(models: Record<string, RawModel>): void {
  const promote = (model: RawModel | undefined, foreignKey: unknown): void => {
    if (!model || typeof foreignKey !== "string" || !Object.hasOwn(model.fields, foreignKey)) return;
    const field = model.fields[foreignKey];
    if (field.type === "string") field.type = "id";
  };
  for (const model of Object.values(models)) {
    const relationships: unknown = model.relationships;
    if (typeof relationships !== "object" || relationships === null) continue;
    for (const rel of Object.values(relationships as Record<string, unknown>)) {
      if (typeof rel !== "object" || rel === null) continue;
      const { type, model: target, foreignKey } = rel as { type?: unknown; model?: unknown; foreignKey?: unknown };
      if (type === "belongsTo") promote(model, foreignKey);
      else if (type === "hasMany" && typeof target === "string" && Object.hasOwn(models, target)) promote(models[target], foreignKey);
    }
  }
}
