// A record as flat result columns rather than JSON built in SQL: each selected field is its own
// column, each to-one include a LEFT JOIN LATERAL whose columns sit beside the row's, and each
// to-many include (and a to-one include too wide to fit, see FLAT_COLUMN_BUDGET) one JSON column.
// Node then assembles the objects (`decodeRecord`). PostgreSQL
// spends most of a list's time in json_build_object (it looks up how to output every argument on
// every row); sending plain values costs it less than half (docs/performance.md).
import { quoteIdent } from "@tessera/db";
import type { FieldIR, ModelIR } from "@tessera/schema";
import type { RecordData, Selection } from "../queryTypes.ts";
import type { ResultRow } from "./CompiledRead.ts";
import type { CompileContext } from "./CompileContext.ts";
import { visibleRows } from "./compileAccess.ts";
import { compileInclude, parseIncludes, selectedFields } from "./compileProjection.ts";
import { columnRef, outputValueSql } from "./fieldOutput.ts";
import { isToMany, relationLink, relationTarget } from "./relationLink.ts";
import { and } from "./tenantScope.ts";

type Path = (string | number)[];

/** How a result column becomes the API value; absent when the driver's value already is it. */
type ValueDecoder = (value: unknown) => unknown;

type ShapeEntry =
  | { kind: "value"; key: string; column: string; decode: ValueDecoder | undefined }
  | { kind: "one"; key: string; present: string; shape: RowShape };

/** Where each key of a record comes from in a result row. */
export interface RowShape {
  entries: ShapeEntry[];
}

export interface ResultColumn {
  /** `expression AS "cN"`. */
  sql: string;
  name: string;
}

export interface RowColumns {
  columns: ResultColumn[];
  /** LEFT JOIN LATERAL clauses the columns read from, to follow the FROM of `alias`. */
  joins: string[];
  shape: RowShape;
  /** The column of each selected field of this row (not of its includes), by field name. */
  fieldColumns: Map<string, string>;
}

/**
 * Floats travel as text: node-postgres and PGlite agree on it, and a non-finite value stays the
 * string PostgreSQL's JSON gives it ("NaN"), as it did when records were built in SQL.
 */
const decodeFloat: ValueDecoder = (value) => {
  if (typeof value !== "string") return value;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
};

/**
 * A column both drivers return as the API value (text, uuid, int4, bool, json), or text to decode.
 * Values that are not plain scalars (arrays) travel as JSON, which both drivers parse the same way.
 */
function flatValue(field: FieldIR, ref: string): { sql: string; decode: ValueDecoder | undefined } {
  switch (field.type) {
    case "float":
      return { sql: `(${ref})::text`, decode: decodeFloat };
    case "array":
      return { sql: `to_json(${outputValueSql(field, ref)})`, decode: undefined };
    default:
      return { sql: outputValueSql(field, ref), decode: undefined };
  }
}

/** The columns (and lateral joins) that carry the selection of the `model` row at `alias`. */
export function compileRowColumns(cc: CompileContext, model: ModelIR, alias: string, selection: Selection, path: Path = []): RowColumns {
  const columns: ResultColumn[] = [];
  const joins: string[] = [];
  const entries: ShapeEntry[] = [];
  const fieldColumns = new Map<string, string>();
  for (const field of selectedFields(cc, model, selection.fields, [...path, "fields"])) {
    const name = cc.column();
    fieldColumns.set(field.name, name);
    const value = flatValue(field, columnRef(alias, field.column));
    columns.push({ sql: `${value.sql} AS ${quoteIdent(name)}`, name });
    entries.push({ kind: "value", key: field.name, column: name, decode: value.decode });
  }
  for (const include of parseIncludes(cc, model, selection, path)) {
    if (isToMany(include.relation) || !fitsBeside(cc, include.args, relationTarget(cc, include.relation))) {
      const name = cc.column();
      columns.push({ sql: `${compileInclude(cc, model, alias, include)} AS ${quoteIdent(name)}`, name });
      entries.push({ kind: "value", key: include.name, column: name, decode: undefined });
      continue;
    }
    // To-one: at most one row, joined beside this one; `present` tells a missing row from nulls.
    const target = relationTarget(cc, include.relation);
    const targetAlias = cc.alias();
    const joinAlias = cc.alias();
    const link = relationLink(cc, model, alias, include.relation, targetAlias);
    const scope = visibleRows(cc, target, targetAlias);
    const inner = compileRowColumns(cc, target, targetAlias, include.args, include.path);
    const present = cc.column();
    const innerColumns = [`TRUE AS ${quoteIdent(present)}`, ...inner.columns.map((c) => c.sql)].join(", ");
    const innerFrom = [`${quoteIdent(target.tableName)} AS ${quoteIdent(targetAlias)}`, ...inner.joins].join(" ");
    joins.push(`LEFT JOIN LATERAL (SELECT ${innerColumns} FROM ${innerFrom} WHERE ${and([link, ...scope])} LIMIT 1) AS ${quoteIdent(joinAlias)} ON TRUE`);
    for (const name of [present, ...inner.columns.map((c) => c.name)]) columns.push({ sql: columnRef(joinAlias, name), name });
    entries.push({ kind: "one", key: include.name, present, shape: inner.shape });
  }
  return { columns, joins, shape: { entries }, fieldColumns };
}

/**
 * PostgreSQL takes at most 1,664 entries in a select list. Wide to-one includes beyond this many
 * columns travel as one JSON column each instead (as to-many includes do), so no selection fails.
 */
export const FLAT_COLUMN_BUDGET = 1000;

/** Whether a to-one include's own fields still fit beside the row's columns (nested includes check themselves). */
function fitsBeside(cc: CompileContext, args: Selection, target: ModelIR): boolean {
  const fields = Array.isArray(args.fields) ? args.fields.length : target.fields.length;
  return cc.columnsUsed + fields + 1 <= FLAT_COLUMN_BUDGET;
}

/** The record a result row carries, keys in selection order. */
export function decodeRecord(shape: RowShape, row: ResultRow): RecordData {
  const record: RecordData = {};
  for (const entry of shape.entries) {
    if (entry.kind === "value") {
      const value = row[entry.column];
      record[entry.key] = entry.decode === undefined || value === null || value === undefined ? value ?? null : entry.decode(value);
    } else {
      record[entry.key] = row[entry.present] === true ? decodeRecord(entry.shape, row) : null;
    }
  }
  return record;
}
