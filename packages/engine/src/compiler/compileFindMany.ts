// A page of records as one statement. Its result rows are the page's rows (one extra to know whether
// more follow), as flat columns, each with its sort-key values for the cursor; beside them, the same in
// every row, the opposite-direction check, the optional total count and aggregate. The page is
// LEFT JOINed to a one-row relation so those answer even for an empty page.
import { quoteIdent } from "@tessera/db";
import type { ModelIR, SchemaIR } from "@tessera/schema";
import type { AggregateResult, FindManyArgs, Page, RecordData, RequestContext } from "../queryTypes.ts";
import { accessPredicate } from "./compileAccess.ts";
import { compileAggregateFunctions } from "./aggregateFunctions.ts";
import { isPlainObject } from "./compileWhere.ts";
import { jsonObjectSql } from "./fieldOutput.ts";
import type { CompileContext as Context } from "./CompileContext.ts";
import { checkArgKeys } from "./checkArgKeys.ts";
import { CompileContext } from "./CompileContext.ts";
import { parseJsonColumn, type CompiledRead, type ResultRow } from "./CompiledRead.ts";
import { orderBySql, parseOrderBy, sortKeySql } from "./compileOrderBy.ts";
import { searchRankKeys } from "./compileSearch.ts";
import { compileRowColumns, decodeRecord } from "./compileRowColumns.ts";
import { compileWhere } from "./compileWhere.ts";
import { encodeCursor, keysetPredicate, type CursorValues } from "./cursor.ts";
import { columnRef, cursorValueSql } from "./fieldOutput.ts";
import { limitSql, planPage, type PageOptions } from "./pageArgs.ts";
import { and, checkDeletedMode, scopePredicates } from "./tenantScope.ts";

const FIND_MANY_KEYS: ReadonlySet<string> = new Set([
  "fields", "include", "where", "orderBy", "first", "last", "skip", "after", "before", "deleted", "withTotalCount", "aggregate",
]);
/** Field types whose API value column is the same text as their cursor value (cursorValueSql). */
const CURSOR_TEXT_TYPES: ReadonlySet<string> = new Set(["id", "string", "text", "decimal", "money", "date", "datetime", "enum"]);
const AGGREGATE_OPTION_KEYS: ReadonlySet<string> = new Set(["count", "sum", "avg", "min", "max"]);

export function compileFindMany(
  schema: SchemaIR,
  model: ModelIR,
  args: FindManyArgs,
  ctx: RequestContext,
  options: PageOptions,
): CompiledRead<Page<RecordData>> {
  const cc = new CompileContext(schema, ctx, options.maxPageSize);
  checkArgKeys(cc, args, FIND_MANY_KEYS);
  if (args.withTotalCount !== undefined && typeof args.withTotalCount !== "boolean") cc.error(["withTotalCount"], "type", "must be true or false");
  const deleted = checkDeletedMode(cc, args.deleted);
  const alias = cc.alias();
  const a = quoteIdent(alias);
  const table = `${quoteIdent(model.tableName)} AS ${a}`;

  const base = and([...scopePredicates(cc, model, alias, deleted), accessPredicate(cc, model, alias, "read", "root"), compileWhere(cc, model, alias, args.where)]);
  const aggregate = compileAggregateOption(cc, model, alias, args.aggregate);
  // A top-level search without an orderBy reads best matches first, then in the usual order.
  const ranked = args.orderBy === undefined || args.orderBy === null ? searchRankKeys(cc, model, alias, args.where) : [];
  const keys = [...ranked, ...parseOrderBy(cc, model, args.orderBy)];
  const plan = planPage(cc, args, keys, options);
  const record = compileRowColumns(cc, model, alias, args);
  cc.throwIfInvalid();

  const backward = plan.direction === "backward";
  const size = plan.size ?? options.defaultPageSize;
  const window = [base];
  if (plan.after) window.push(keysetPredicate(cc, keys, alias, plan.after, "after"));
  if (plan.before) window.push(keysetPredicate(cc, keys, alias, plan.before, "before"));
  const windowSql = and(window);
  const exists = (predicate: string): string => `EXISTS (SELECT 1 FROM ${table} WHERE ${predicate})`;

  const offset = plan.skip > 0 ? ` OFFSET ${cc.params.typed(plan.skip, "bigint")}` : "";
  // Computed sort keys are evaluated once, in the inner query, and read back by name outside it.
  const computed = keys.flatMap((k, i) => (k.expression === undefined ? [] : [`${k.expression} AS ${quoteIdent(`tessera_sort${i}`)}`]));
  const outerKeys = keys.map((k, i) => (k.expression === undefined ? k : { ...k, expression: columnRef(alias, `tessera_sort${i}`) }));
  const inner =
    `SELECT ${[`${a}.*`, ...computed].join(", ")} FROM ${table} WHERE ${windowSql} ORDER BY ${orderBySql(keys, alias, backward)}` +
    `${offset} ${limitSql(size + 1)}`;
  // Beside the record, its sort-key values as text: they make its cursor. A selected field whose
  // column already is that text (ids, strings, decimals, dates, enums) is not sent twice.
  const keyColumns = keys.map((k, i) => {
    const selected = record.fieldColumns.get(k.field.name);
    return selected !== undefined && CURSOR_TEXT_TYPES.has(k.field.type) ? selected : `k${i}`;
  });
  const cursorColumns = outerKeys.flatMap((k, i) => (keyColumns[i] === `k${i}` ? [`${cursorValueSql(k.field, sortKeySql(k, alias))} AS "k${i}"`] : []));
  const pageColumns = [`TRUE AS "row"`, ...record.columns.map((c) => c.sql), ...cursorColumns].join(", ");
  const pageSql =
    `SELECT ${pageColumns} FROM (${inner}) AS ${[a, ...record.joins].join(" ")}` +
    ` ORDER BY ${orderBySql(outerKeys, alias, backward)}`;

  // Rows on the side we came from: before the start cursor (inclusive: the cursor row itself),
  // or rows passed over by skip.
  const startCursor = backward ? plan.before : plan.after;
  const behind: string[] = [];
  if (startCursor) behind.push(exists(and([base, keysetPredicate(cc, keys, alias, startCursor, backward ? "after" : "before", true)])));
  if (plan.skip > 0) behind.push(exists(windowSql));
  // Rows beyond an end cursor (forward with both after and before).
  const beyond: string[] = [];
  if (!backward && plan.before) beyond.push(exists(and([base, keysetPredicate(cc, keys, alias, plan.before, "after", true)])));

  const columns = [
    `${behind.length > 0 ? behind.join(" OR ") : "FALSE"} AS "behind"`,
    `${beyond.length > 0 ? beyond.join(" OR ") : "FALSE"} AS "beyond"`,
  ];
  if (args.withTotalCount === true) columns.push(`(SELECT count(*) FROM ${table} WHERE ${base})::int AS "total"`);
  if (aggregate !== undefined) columns.push(`(SELECT ${aggregate} FROM ${table} WHERE ${base}) AS "aggregate"`);
  // The left side is one row, so the only join PostgreSQL can use here is a nested loop with the
  // page as its inner side: the page's rows come out in the page's ORDER BY.
  const sql = `SELECT ${columns.join(", ")}, "page".* FROM (SELECT) AS "one" LEFT JOIN (${pageSql}) AS "page" ON TRUE`;

  return {
    sql,
    params: cc.params.values,
    decode(result: readonly ResultRow[]): Page<RecordData> {
      const row = result[0] ?? {};
      const fetched = row.row === true ? result : [];
      const more = fetched.length > size;
      const kept = fetched.slice(0, size);
      if (backward) kept.reverse();
      const nodes = kept.map((r) => decodeRecord(record.shape, r));
      const cursorOf = (r: ResultRow): string => encodeCursor(keys, keyColumns.map((column) => r[column]) as CursorValues);
      // Most readers (a plain GraphQL list) never look at the rows' cursors: encode them when asked.
      let cursors: string[] | undefined;
      const behindRows = row.behind === true;
      const beyondRows = row.beyond === true;
      const page: Page<RecordData> = {
        nodes,
        get cursors(): string[] {
          return (cursors ??= kept.map(cursorOf));
        },
        pageInfo: {
          hasNextPage: backward ? behindRows : more || beyondRows,
          hasPreviousPage: backward ? more : behindRows,
          startCursor: kept.length > 0 ? cursorOf(kept[0]) : null,
          endCursor: kept.length > 0 ? cursorOf(kept[kept.length - 1]) : null,
          pageSize: nodes.length,
        },
      };
      if (args.withTotalCount === true) page.totalCount = Number(row.total);
      if (aggregate !== undefined) page.aggregate = (parseJsonColumn(row.aggregate) ?? {}) as AggregateResult;
      return page;
    },
  };
}

/** `json_build_object('count', …, 'sum', {…}, …)` over the page's whole `where` (paging ignored), or undefined. */
function compileAggregateOption(cc: Context, model: ModelIR, alias: string, option: unknown): string | undefined {
  if (option === undefined) return undefined;
  if (!isPlainObject(option)) {
    cc.error(["aggregate"], "type", "must be an object { count?, sum?, avg?, min?, max? }");
    return undefined;
  }
  for (const key of Object.keys(option)) {
    if (!AGGREGATE_OPTION_KEYS.has(key)) cc.error(["aggregate", key], "unknown_field", `unknown aggregate '${key}'`);
  }
  if (option.count !== undefined && typeof option.count !== "boolean") cc.error(["aggregate", "count"], "type", "must be true or false");
  const functions = compileAggregateFunctions(cc, model, alias, option, ["aggregate"]);
  const pairs: [string, string][] = option.count === true ? [["count", "count(*)::int"], ...functions] : functions;
  return jsonObjectSql(pairs);
}
