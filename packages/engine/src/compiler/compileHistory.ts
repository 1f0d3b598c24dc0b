// The events of one record, oldest first, for the principal: only when the record is readable
// to it (read rules and conditional policies evaluated on the current row, soft-deleted or not).
// A destroyed record has no row to evaluate: its history is visible only to principals whose reads
// are not row-restricted.
import { quoteIdent, SYSTEM_TABLES } from "@tessera/db";
import { SYSTEM_FIELDS, type ModelIR, type SchemaIR } from "@tessera/schema";
import type { RequestContext } from "../queryTypes.ts";
import { EVENT_COLUMNS, toEventRecord, type EventRecord } from "../events/EventRecord.ts";
import { accessPredicate } from "./compileAccess.ts";
import { CompileContext } from "./CompileContext.ts";
import type { CompiledRead, ResultRow } from "./CompiledRead.ts";
import { columnRef } from "./fieldOutput.ts";
import { primaryKeyField } from "./relationLink.ts";
import { and } from "./tenantScope.ts";

export function compileHistory(schema: SchemaIR, model: ModelIR, id: string, ctx: RequestContext): CompiledRead<EventRecord[]> {
  const cc = new CompileContext(schema, ctx);
  const idParam = cc.params.typed(String(id), "text");
  const predicates = [`e.model = ${cc.params.typed(model.name, "text")}`, `e.record_id = ${idParam}`];
  if (ctx.tenantId) predicates.push(`e.tenant_id = ${cc.tenant()}`);
  const alias = cc.alias();
  const access = accessPredicate(cc, model, alias, "read", "root");
  if (access !== "TRUE") {
    const row = [`${columnRef(alias, primaryKeyField(model).column)}::text = ${idParam}`, access];
    if (model.tenantScoped) row.push(`${columnRef(alias, SYSTEM_FIELDS.tenantId)} = ${cc.tenant()}`);
    predicates.push(`EXISTS (SELECT 1 FROM ${quoteIdent(model.tableName)} AS ${quoteIdent(alias)} WHERE ${and(row)})`);
  }
  const sql = `SELECT ${EVENT_COLUMNS} FROM ${quoteIdent(SYSTEM_TABLES.events)} e WHERE ${and(predicates)} ORDER BY e.seq`;
  return {
    sql,
    params: cc.params.values,
    decode(rows: readonly ResultRow[]): EventRecord[] {
      return rows.map(toEventRecord);
    },
  };
}
