// The JSON object of one row, keyed by API field names, with included relationships as nested
// subqueries: belongsTo → object or null, hasMany/manyToMany → array (filtered, ordered, paged).
import { quoteIdent } from "@tessera/db";
import { findField, findRelation, SYSTEM_FIELDS, type FieldIR, type ModelIR, type RelationIR } from "@tessera/schema";
import type { IncludeArgs, Selection } from "../queryTypes.ts";
import type { CompileContext } from "./CompileContext.ts";
import { compileWhere, isPlainObject } from "./compileWhere.ts";
import { orderBySql, parseOrderBy } from "./compileOrderBy.ts";
import { columnRef, jsonObjectSql, outputValueSql } from "./fieldOutput.ts";
import { limitSql, planIncludePage } from "./pageArgs.ts";
import { isToMany, relationLink, relationTarget } from "./relationLink.ts";
import { and } from "./tenantScope.ts";
import { visibleRows } from "./compileAccess.ts";

type Path = (string | number)[];

const TO_ONE_INCLUDE_KEYS: ReadonlySet<string> = new Set(["fields", "include"]);
const TO_MANY_INCLUDE_KEYS: ReadonlySet<string> = new Set(["fields", "include", "where", "orderBy", "first", "last", "skip", "after", "before"]);

/**
 * The selected fields (default: every field but the tenant column, which the API never shows), validated.
 * Fields the request may not read are left out, asked for or not: their keys are absent from records.
 */
export function selectedFields(cc: CompileContext, model: ModelIR, fields: unknown, path: Path): FieldIR[] {
  return requestedFields(cc, model, fields, path).filter((f) => cc.canRead(model, f));
}

function requestedFields(cc: CompileContext, model: ModelIR, fields: unknown, path: Path): FieldIR[] {
  if (fields === undefined) return model.fields.filter((f) => f.column !== SYSTEM_FIELDS.tenantId);
  if (!Array.isArray(fields)) {
    cc.error(path, "type", "must be a list of field names");
    return [];
  }
  const out: FieldIR[] = [];
  fields.forEach((name, i) => {
    const field = typeof name === "string" ? findField(model, name) : undefined;
    if (!field) cc.error([...path, i], "unknown_field", `${model.name} has no field '${String(name)}'`);
    else if (!out.includes(field)) out.push(field);
  });
  return out;
}

/** One relationship a selection includes, checked: the relation, its arguments and their path. */
export interface IncludeRequest {
  name: string;
  relation: RelationIR;
  args: IncludeArgs;
  path: Path;
}

/** The selection's `include`, validated (unknown relationships and malformed arguments are errors). */
export function parseIncludes(cc: CompileContext, model: ModelIR, selection: Selection, path: Path): IncludeRequest[] {
  const include: unknown = selection.include;
  if (include === undefined) return [];
  if (!isPlainObject(include)) {
    cc.error([...path, "include"], "type", "must be an object of relationship names");
    return [];
  }
  const out: IncludeRequest[] = [];
  for (const [name, args] of Object.entries(include)) {
    if (args === undefined || args === false) continue;
    const relPath = [...path, "include", name];
    const relation = findRelation(model, name);
    if (!relation) {
      cc.error(relPath, "unknown_field", `${model.name} has no relationship '${name}'`);
      continue;
    }
    if (args !== true && !isPlainObject(args)) {
      cc.error(relPath, "type", "must be true or include arguments");
      continue;
    }
    const includeArgs: IncludeArgs = args === true ? {} : (args as IncludeArgs);
    const allowed = isToMany(relation) ? TO_MANY_INCLUDE_KEYS : TO_ONE_INCLUDE_KEYS;
    for (const key of Object.keys(includeArgs)) {
      if (!allowed.has(key)) {
        cc.error([...relPath, key], "unknown_field", `'${key}' is not available when including ${isToMany(relation) ? "a to-many" : "a to-one"} relationship`);
      }
    }
    out.push({ name, relation, args: includeArgs, path: relPath });
  }
  return out;
}

/** SQL expression building the row of `model` at `alias` as JSON. */
export function compileProjection(cc: CompileContext, model: ModelIR, alias: string, selection: Selection, path: Path = []): string {
  const pairs: [string, string][] = selectedFields(cc, model, selection.fields, [...path, "fields"]).map((field) => [
    field.name,
    outputValueSql(field, columnRef(alias, field.column)),
  ]);
  for (const include of parseIncludes(cc, model, selection, path)) pairs.push([include.name, compileInclude(cc, model, alias, include)]);
  return jsonObjectSql(pairs);
}

/** A to-one include as a JSON object (or null), a to-many one as a JSON array: one scalar subquery. */
export function compileInclude(cc: CompileContext, model: ModelIR, alias: string, include: IncludeRequest): string {
  const { relation, args, path } = include;
  const target = relationTarget(cc, relation);
  const targetAlias = cc.alias();
  const table = `${quoteIdent(target.tableName)} AS ${quoteIdent(targetAlias)}`;
  const link = relationLink(cc, model, alias, relation, targetAlias);
  const scope = visibleRows(cc, target, targetAlias);
  const projection = (): string => compileProjection(cc, target, targetAlias, args, path);

  if (!isToMany(relation)) {
    return `(SELECT ${projection()} FROM ${table} WHERE ${and([link, ...scope])} LIMIT 1)`;
  }
  const where = compileWhere(cc, target, targetAlias, args.where, [...path, "where"]);
  const keys = parseOrderBy(cc, target, args.orderBy, [...path, "orderBy"]);
  const page = planIncludePage(cc, args, cc.maxPageSize, path);
  const predicate = and([link, ...scope, where]);
  const ordered = orderBySql(keys, targetAlias);
  if (page.size === undefined && page.skip === 0) {
    return `(SELECT COALESCE(json_agg(${projection()} ORDER BY ${ordered}), '[]'::json) FROM ${table} WHERE ${predicate})`;
  }
  // Page inside a derived table (same alias), then build JSON only for the rows kept.
  const limit = page.size === undefined ? "" : ` ${limitSql(page.size)}`;
  const offset = page.skip > 0 ? ` OFFSET ${cc.params.typed(page.skip, "bigint")}` : "";
  const inner = `SELECT ${quoteIdent(targetAlias)}.* FROM ${table} WHERE ${predicate} ORDER BY ${orderBySql(keys, targetAlias, page.direction === "backward")}${offset}${limit}`;
  return `(SELECT COALESCE(json_agg(${projection()} ORDER BY ${ordered}), '[]'::json) FROM (${inner}) AS ${quoteIdent(targetAlias)})`;
}
