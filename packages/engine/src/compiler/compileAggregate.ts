// count/sum/avg/min/max over the rows matching `where`, as one JSON object.
import { quoteIdent } from "@tessera/db";
import type { ModelIR, SchemaIR } from "@tessera/schema";
import type { AggregateArgs, AggregateResult, RequestContext } from "../queryTypes.ts";
import { compileAggregateFunctions } from "./aggregateFunctions.ts";
import { CompileContext } from "./CompileContext.ts";
import { parseJsonColumn, type CompiledRead, type ResultRow } from "./CompiledRead.ts";
import { checkArgKeys } from "./checkArgKeys.ts";
import { compileWhere } from "./compileWhere.ts";
import { accessPredicate } from "./compileAccess.ts";
import { jsonObjectSql } from "./fieldOutput.ts";
import { and, checkDeletedMode, scopePredicates } from "./tenantScope.ts";

const AGGREGATE_KEYS: ReadonlySet<string> = new Set(["where", "deleted", "count", "sum", "avg", "min", "max"]);

export function compileAggregate(schema: SchemaIR, model: ModelIR, args: AggregateArgs, ctx: RequestContext): CompiledRead<AggregateResult> {
  const cc = new CompileContext(schema, ctx);
  checkArgKeys(cc, args, AGGREGATE_KEYS);
  if (args.count !== undefined && typeof args.count !== "boolean") cc.error(["count"], "type", "must be true or false");
  const deleted = checkDeletedMode(cc, args.deleted);
  const alias = cc.alias();
  const predicate = and([...scopePredicates(cc, model, alias, deleted), accessPredicate(cc, model, alias, "read", "root"), compileWhere(cc, model, alias, args.where)]);
  const functions = compileAggregateFunctions(cc, model, alias, args);
  cc.throwIfInvalid();
  // An aggregate that asks for nothing else still counts.
  const withCount = args.count === true || (args.count === undefined && functions.length === 0);
  const pairs: [string, string][] = withCount ? [["count", "count(*)::int"], ...functions] : functions;
  const sql = `SELECT ${jsonObjectSql(pairs)} AS "result" FROM ${quoteIdent(model.tableName)} AS ${quoteIdent(alias)} WHERE ${predicate}`;
  return {
    sql,
    params: cc.params.values,
    decode(rows: readonly ResultRow[]): AggregateResult {
      return (parseJsonColumn(rows[0]?.result) ?? {}) as AggregateResult;
    },
  };
}
