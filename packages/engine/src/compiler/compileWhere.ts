// Compiles a Hygraph-style `where` into one SQL predicate over a table alias. Every value is
// validated against its field's type first; problems are collected on the CompileContext.
import { quoteIdent } from "@tessera/db";
import { filterOperatorsFor, findField, findRelation, SUFFIX_OPERATORS, TO_MANY_SUFFIXES, type FieldIR, type FilterOperator, type ModelIR, type RelationIR } from "@tessera/schema";
import { visibleRows } from "./compileAccess.ts";
import type { CompileContext } from "./CompileContext.ts";
import { coerceValue } from "./coerceValue.ts";
import { textProblem } from "../validate/databaseValues.ts";
import { columnRef } from "./fieldOutput.ts";
import { compileSearch } from "./compileSearch.ts";
import { escapeLike, LIKE_ESCAPE } from "./likePattern.ts";
import { pgArrayLiteral } from "./pgArrayLiteral.ts";
import { isToMany, relationLink, relationTarget } from "./relationLink.ts";
import { elementType, sqlTypeOf } from "./sqlTypes.ts";
import { and } from "./tenantScope.ts";

type Path = (string | number)[];

const STRING_OPERATORS: ReadonlySet<string> = new Set(["contains", "not_contains", "starts_with", "not_starts_with", "ends_with", "not_ends_with"]);
const ARRAY_OPERATORS: ReadonlySet<string> = new Set(["contains_all", "contains_some", "contains_none"]);
const RANGE_OPERATORS: ReadonlySet<string> = new Set(["lt", "lte", "gt", "gte"]);

export type { FilterOperator };

/** Operators a field of this type accepts (the schema's list, so load-time checks agree). */
export function operatorsFor(field: FieldIR): readonly FilterOperator[] {
  return filterOperatorsFor(field);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * The predicate for `where` on rows of `model` aliased `alias`; `TRUE` when empty.
 * `path` locates the where input in the request for error messages.
 */
export function compileWhere(cc: CompileContext, model: ModelIR, alias: string, where: unknown, path: Path = ["where"]): string {
  if (where === undefined || where === null) return "TRUE";
  if (!isPlainObject(where)) {
    cc.error(path, "type", "must be an object");
    return "TRUE";
  }
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    const part = compileKey(cc, model, alias, key, value, [...path, key]);
    if (part !== undefined) parts.push(part);
  }
  return and(parts);
}

function compileKey(cc: CompileContext, model: ModelIR, alias: string, key: string, value: unknown, path: Path): string | undefined {
  if (key === "AND" || key === "OR" || key === "NOT") return compileLogical(cc, model, alias, key, value, path);
  if (key === "_search") return compileSearch(cc, model, alias, value, path);

  const field = findField(model, key);
  if (field) {
    cc.requireReadable(model, field, path);
    return compileOperator(cc, field, alias, "eq", value, path);
  }

  const relation = findRelation(model, key);
  if (relation) {
    if (isToMany(relation)) {
      cc.error(path, "unknown_operator", `'${key}' is a to-many relationship: use ${key}_some, ${key}_every or ${key}_none`);
      return undefined;
    }
    return compileToOne(cc, model, alias, relation, value, path);
  }

  for (const suffix of TO_MANY_SUFFIXES) {
    if (!key.endsWith(`_${suffix}`)) continue;
    const rel = findRelation(model, key.slice(0, -suffix.length - 1));
    if (!rel) continue;
    if (!isToMany(rel)) {
      cc.error(path, "unknown_operator", `'${rel.name}' is a to-one relationship: filter it with '${rel.name}: { … }'`);
      return undefined;
    }
    return compileToMany(cc, model, alias, rel, suffix, value, path);
  }

  for (const op of SUFFIX_OPERATORS) {
    if (!key.endsWith(`_${op}`)) continue;
    const opField = findField(model, key.slice(0, -op.length - 1));
    if (!opField) continue;
    cc.requireReadable(model, opField, path);
    if (!operatorsFor(opField).includes(op)) {
      cc.error(path, "unknown_operator", `operator _${op} is not available for ${opField.type} field '${opField.name}'`);
      return undefined;
    }
    return compileOperator(cc, opField, alias, op, value, path);
  }

  const prefixField = model.fields.find((f) => key.startsWith(`${f.name}_`));
  const prefixRelation = model.relations.find((r) => key.startsWith(`${r.name}_`));
  if (prefixField || prefixRelation) {
    const name = prefixField?.name ?? prefixRelation?.name ?? "";
    cc.error(path, "unknown_operator", `unknown operator '${key.slice(name.length)}' on '${name}' of ${model.name}`);
  } else {
    cc.error(path, "unknown_field", `${model.name} has no field or relationship '${key}'`);
  }
  return undefined;
}

function compileLogical(cc: CompileContext, model: ModelIR, alias: string, key: "AND" | "OR" | "NOT", value: unknown, path: Path): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (!Array.isArray(value) && !isPlainObject(value)) {
    cc.error(path, "type", `${key} takes a where object or a list of them`);
    return undefined;
  }
  const compiled = items.map((item, i) => compileWhere(cc, model, alias, item, Array.isArray(value) ? [...path, i] : path));
  if (key === "AND") return and(compiled);
  if (key === "OR") return compiled.length === 0 ? "FALSE" : compiled.map((c) => `(${c})`).join(" OR ");
  // NOT is the exact complement: rows where the inner predicate is NULL (NULL columns) count as not matching it.
  return `NOT COALESCE((${and(compiled)}), FALSE)`;
}

function compileToOne(cc: CompileContext, model: ModelIR, alias: string, relation: RelationIR, value: unknown, path: Path): string | undefined {
  if (relation.kind !== "belongsTo") return undefined;
  if (value === null) {
    const fk = findField(model, relation.foreignKey);
    return `${columnRef(alias, fk?.column ?? relation.foreignKey)} IS NULL`;
  }
  const target = relationTarget(cc, relation);
  const targetAlias = cc.alias();
  const nested = compileWhere(cc, target, targetAlias, value, path);
  const predicates = [relationLink(cc, model, alias, relation, targetAlias), ...visibleRows(cc, target, targetAlias), nested];
  return `EXISTS (SELECT 1 FROM ${quoteIdent(target.tableName)} AS ${quoteIdent(targetAlias)} WHERE ${and(predicates)})`;
}

function compileToMany(
  cc: CompileContext,
  model: ModelIR,
  alias: string,
  relation: RelationIR,
  suffix: (typeof TO_MANY_SUFFIXES)[number],
  value: unknown,
  path: Path,
): string | undefined {
  if (!isPlainObject(value)) {
    cc.error(path, "type", "must be a where object");
    return undefined;
  }
  const target = relationTarget(cc, relation);
  const targetAlias = cc.alias();
  const nested = compileWhere(cc, target, targetAlias, value, path);
  const link = [relationLink(cc, model, alias, relation, targetAlias), ...visibleRows(cc, target, targetAlias)];
  const from = `SELECT 1 FROM ${quoteIdent(target.tableName)} AS ${quoteIdent(targetAlias)} WHERE `;
  switch (suffix) {
    case "some":
      return `EXISTS (${from}${and([...link, nested])})`;
    case "none":
      return `NOT EXISTS (${from}${and([...link, nested])})`;
    case "every":
      return `NOT EXISTS (${from}${and([...link, `NOT COALESCE((${nested}), FALSE)`])})`;
  }
}

/** Binds `value` as a parameter of the field's element type, or records a type error. */
function bindValue(cc: CompileContext, field: FieldIR, value: unknown, path: Path): string | undefined {
  const type = elementType(field);
  const result = coerceValue(cc.schema, type, value);
  if (!result.ok) {
    cc.error(path, "type", `${field.name} ${result.message}`);
    return undefined;
  }
  return cc.params.typed(result.value, sqlTypeOf(type));
}

/** Binds a list as one array parameter of the field's element type. */
function bindList(cc: CompileContext, field: FieldIR, value: unknown, path: Path): string | undefined {
  if (!Array.isArray(value)) {
    cc.error(path, "type", `must be a list of ${field.name} values`);
    return undefined;
  }
  const type = elementType(field);
  const values: (string | number | boolean)[] = [];
  let valid = true;
  value.forEach((item, i) => {
    const result = item === null ? { ok: false as const, message: "must not be null" } : coerceValue(cc.schema, type, item);
    if (!result.ok) {
      cc.error([...path, i], "type", `${field.name} ${result.message}`);
      valid = false;
    } else {
      values.push(result.value as string | number | boolean);
    }
  });
  if (!valid) return undefined;
  return cc.params.typed(pgArrayLiteral(values), `${sqlTypeOf(type)}[]`);
}

function compileOperator(cc: CompileContext, field: FieldIR, alias: string, op: FilterOperator, value: unknown, path: Path): string | undefined {
  const column = columnRef(alias, field.column);
  if (op === "eq" || op === "not") {
    if (value === null) return `${column} IS ${op === "not" ? "NOT " : ""}NULL`;
    const bound = field.type === "array" ? bindList(cc, field, value, path) : bindValue(cc, field, value, path);
    if (bound === undefined) return undefined;
    return op === "eq" ? `${column} = ${bound}` : `${column} IS DISTINCT FROM ${bound}`;
  }
  if (value === null) {
    cc.error(path, "type", `_${op} does not accept null`);
    return undefined;
  }
  if (op === "in" || op === "not_in") {
    const list = bindList(cc, field, value, path);
    if (list === undefined) return undefined;
    return op === "in" ? `${column} = ANY(${list})` : `NOT COALESCE(${column} = ANY(${list}), FALSE)`;
  }
  if (RANGE_OPERATORS.has(op)) {
    const bound = bindValue(cc, field, value, path);
    if (bound === undefined) return undefined;
    const sqlOp = { lt: "<", lte: "<=", gt: ">", gte: ">=" }[op as "lt" | "lte" | "gt" | "gte"];
    return `${column} ${sqlOp} ${bound}`;
  }
  if (STRING_OPERATORS.has(op)) {
    if (typeof value !== "string") {
      cc.error(path, "type", `_${op} takes a string`);
      return undefined;
    }
    const problem = textProblem(value);
    if (problem) {
      cc.error(path, "type", `${field.name}_${op} ${problem}`);
      return undefined;
    }
    const escaped = escapeLike(value);
    const base = op.replace(/^not_/, "");
    const pattern = base === "contains" ? `%${escaped}%` : base === "starts_with" ? `${escaped}%` : `%${escaped}`;
    const like = `${column} LIKE ${cc.params.typed(pattern, "text")} ${LIKE_ESCAPE}`;
    return op.startsWith("not_") ? `NOT COALESCE(${like}, FALSE)` : like;
  }
  if (ARRAY_OPERATORS.has(op)) {
    const list = bindList(cc, field, value, path);
    if (list === undefined) return undefined;
    if (op === "contains_all") return `${column} @> ${list}`;
    if (op === "contains_some") return `${column} && ${list}`;
    return `NOT COALESCE(${column} && ${list}, FALSE)`;
  }
  cc.error(path, "unknown_operator", `unknown operator _${op}`);
  return undefined;
}
