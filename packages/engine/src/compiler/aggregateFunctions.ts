// sum/avg/min/max over fields, shared by compileAggregate and compileGroupBy.
import { findField, type FieldIR, type ModelIR } from "@tessera/schema";
import type { CompileContext } from "./CompileContext.ts";
import { columnRef, jsonObjectSql, outputValueSql } from "./fieldOutput.ts";
import { NUMERIC_TYPES, ORDERED_TYPES } from "./sqlTypes.ts";

export type AggregateOp = "sum" | "avg" | "min" | "max";
export const AGGREGATE_OPS: readonly AggregateOp[] = ["sum", "avg", "min", "max"];

/** Types each operation accepts: sums and averages need numbers; min/max any ordered type or enum. */
function accepts(op: AggregateOp, field: FieldIR): boolean {
  if (op === "sum" || op === "avg") return NUMERIC_TYPES.has(field.type);
  return ORDERED_TYPES.has(field.type) || field.type === "enum";
}

/**
 * The SQL of one aggregate, as an API value: integer sums and float results as numbers,
 * decimal/money results as exact strings, min/max in the field's own representation.
 */
function aggregateSql(op: AggregateOp, field: FieldIR, column: string): string {
  const decimal = field.type === "decimal" || field.type === "money";
  switch (op) {
    case "sum":
      return decimal ? `sum(${column})::text` : `sum(${column})`;
    case "avg":
      return decimal ? `avg(${column})::text` : `avg(${column})::float8`;
    case "min":
    case "max":
      return outputValueSql(field, `${op}(${column})`);
  }
}

export interface AggregateRequest {
  sum?: readonly string[];
  avg?: readonly string[];
  min?: readonly string[];
  max?: readonly string[];
}

/** `[op, json_build_object(field, aggregate, …)]` pairs for the requested operations, validated. */
export function compileAggregateFunctions(cc: CompileContext, model: ModelIR, alias: string, request: AggregateRequest, path: (string | number)[] = []): [string, string][] {
  const pairs: [string, string][] = [];
  for (const op of AGGREGATE_OPS) {
    const names: unknown = request[op];
    if (names === undefined) continue;
    if (!Array.isArray(names)) {
      cc.error([...path, op], "type", "must be a list of field names");
      continue;
    }
    const fieldPairs: [string, string][] = [];
    names.forEach((name, i) => {
      const field = typeof name === "string" ? findField(model, name) : undefined;
      if (field) cc.requireReadable(model, field, [...path, op, i]);
      if (!field) {
        cc.error([...path, op, i], "unknown_field", `${model.name} has no field '${String(name)}'`);
      } else if (!accepts(op, field)) {
        cc.error([...path, op, i], "type", `${op} is not available for ${field.type} field '${field.name}'`);
      } else if (!fieldPairs.some(([n]) => n === field.name)) {
        fieldPairs.push([field.name, aggregateSql(op, field, columnRef(alias, field.column))]);
      }
    });
    pairs.push([op, jsonObjectSql(fieldPairs)]);
  }
  return pairs;
}
