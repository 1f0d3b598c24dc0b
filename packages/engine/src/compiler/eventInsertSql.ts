import type { ModelIR } from "@tessera/schema";
import { quoteIdent, SYSTEM_TABLES } from "@tessera/db";
import type { RequestContext } from "../queryTypes.ts";
import type { SqlParams } from "./SqlParams.ts";

export type EventType = "Created" | "Updated" | "Deleted" | "Restored" | "Destroyed";

export interface EventSources {
  /** CTE with the records after the write (`record` json column); absent for Destroyed. */
  after?: string;
  /** CTE with the records before the write; absent for Created. */
  before?: string;
  /**
   * The before-image as a column of the `after` CTE (the row's `before`), instead of a `before` CTE
   * matched by primary key: bulk writes pair the images themselves, because the planner, which cannot
   * estimate CTE sizes, turns that match into a nested loop (quadratic in the batch).
   */
  beforeColumn?: string;
}

/**
 * The event-log append as an INSERT … SELECT over the before/after images of the written rows,
 * matched by primary key, so single-row and many-row writes share it. `changes` lists, for the
 * fields the write set, those whose value really changed: `{ field: { from, to } }`.
 */
export function eventInsertSql(model: ModelIR, type: EventType, changedFields: readonly string[], params: SqlParams, ctx: RequestContext, sources: EventSources = { after: "rec" }): string {
  const pk = model.primaryKey;
  const empty = "(SELECT NULL::jsonb AS j WHERE false)";
  // OFFSET 0 keeps PostgreSQL from flattening these subqueries into the INSERT: flattened, each
  // reference to `j` (one per changed-field key, twice) rebuilt the record's JSON, ~1 ms a row.
  // It is not enough when the source CTE is referenced only here (PostgreSQL inlines it, and the
  // record expression is again evaluated per key): callers declare such sources MATERIALIZED.
  const after = sources.after ? `(SELECT record::jsonb AS j FROM ${sources.after} OFFSET 0)` : empty;
  const before = sources.before ? `(SELECT record::jsonb AS j FROM ${sources.before} OFFSET 0)` : empty;
  // Events follow the rows actually written: the after-image drives (a refused update has one
  // before-image and no after-image, and must append nothing); Destroyed has only before-images.
  const drive = sources.after ? `${after} n` : `${before} p`;
  const other = sources.after ? `${before} p` : `${after} n`;
  const from = sources.after && sources.beforeColumn
    ? `(SELECT record::jsonb AS j, ${quoteIdent(sources.beforeColumn)}::jsonb AS b FROM ${sources.after} OFFSET 0) n CROSS JOIN LATERAL (SELECT n.b AS j) p`
    : `${drive} LEFT JOIN ${other} ON (n.j ->> '${pk}') = (p.j ->> '${pk}')`;
  const fieldsParam = params.typed([...changedFields], "text[]");
  const changes = `(SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('from', p.j -> k, 'to', n.j -> k)), '{}'::jsonb)
      FROM unnest(${fieldsParam}) AS k WHERE (p.j -> k) IS DISTINCT FROM (n.j -> k))`;
  return `INSERT INTO ${quoteIdent(SYSTEM_TABLES.events)} (tenant_id, model, record_id, type, version, data, changes, actor, impersonator, correlation_id)
    SELECT ${params.typed(ctx.tenantId, "uuid")}, ${params.add(model.name)}, coalesce(n.j, p.j) ->> '${pk}', ${params.add(type)},
      (coalesce(n.j, p.j) ->> 'version')::int, coalesce(n.j, p.j), ${changes},
      ${params.add(ctx.principal?.sub ?? null)}, ${params.add(ctx.impersonator ?? null)}, ${params.add(ctx.correlationId ?? null)}
    FROM ${from}
    RETURNING seq`;
}
