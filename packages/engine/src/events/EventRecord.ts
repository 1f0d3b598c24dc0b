import type { EventType } from "../compiler/compileWrite.ts";

/** One entry of the event log (PRODUCT.md row 5). `seq` orders all events of the database. */
export interface EventRecord {
  seq: number;
  tenantId: string | null;
  model: string;
  recordId: string;
  type: EventType;
  version: number | null;
  /** The record after the change (before it, for Destroyed). */
  data: Record<string, unknown> | null;
  /** `{ field: { from, to } }` for every field the write changed. */
  changes: Record<string, { from: unknown; to: unknown }>;
  actor: string | null;
  impersonator: string | null;
  correlationId: string | null;
  at: string;
}

/** SELECT list producing EventRecord-shaped rows from tessera_events aliased `e`. */
export const EVENT_COLUMNS = `e.seq::bigint::text AS seq, e.tenant_id AS "tenantId", e.model, e.record_id AS "recordId", e.type, e.version,
  e.data, e.changes, e.actor, e.impersonator, e.correlation_id AS "correlationId",
  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at`;

export function toEventRecord(row: Record<string, unknown>): EventRecord {
  return {
    seq: Number(row.seq),
    tenantId: (row.tenantId as string | null) ?? null,
    model: row.model as string,
    recordId: row.recordId as string,
    type: row.type as EventType,
    version: row.version === null || row.version === undefined ? null : Number(row.version),
    data: parseJson(row.data) as Record<string, unknown> | null,
    changes: (parseJson(row.changes) as EventRecord["changes"]) ?? {},
    actor: (row.actor as string | null) ?? null,
    impersonator: (row.impersonator as string | null) ?? null,
    correlationId: (row.correlationId as string | null) ?? null,
    at: row.at as string,
  };
}

function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : (value ?? null);
}
