// Names of generated constraints and indexes. Migrations create them under these names and the
// engine maps database errors back to fields by them, so both must use this one module.
import type { FieldIR, ModelIR } from "@tessera/schema";

const MAX_IDENT = 63;
const cut = (name: string): string => name.slice(0, MAX_IDENT);

export const uniqueIndexName = (model: ModelIR, field: FieldIR): string => cut(`${model.tableName}_${field.column}_key`);
export const foreignKeyName = (model: ModelIR, field: FieldIR): string => cut(`${model.tableName}_${field.column}_fkey`);
export const foreignKeyIndexName = (model: ModelIR, field: FieldIR): string => cut(`${model.tableName}_${field.column}_idx`);
export const searchIndexName = (model: ModelIR, field: FieldIR): string => cut(`${model.tableName}_${field.column}_search_idx`);
export const tenantPolicyName = "tessera_tenant_isolation";

/** SQL type of a field's column. Enum types keep the enum's name. */
export const SCALAR_SQL_TYPES = {
  id: "uuid",
  string: "text",
  text: "text",
  int: "integer",
  float: "double precision",
  decimal: "numeric",
  money: "numeric(19,4)",
  boolean: "boolean",
  date: "date",
  datetime: "timestamptz",
  json: "jsonb",
} as const;

/** System tables every app database has, besides one table per model. */
export const SYSTEM_TABLES = {
  events: "tessera_events",
  consumers: "tessera_consumers",
  migrations: "tessera_migrations",
  tenants: "tessera_tenants",
} as const;

/** IMMUTABLE wrapper so accent-insensitive search can be indexed (unaccent() itself is only STABLE). */
export const UNACCENT_FUNCTION = "tessera_unaccent";
/** Channel the event-log trigger notifies after each committed batch of events. */
export const EVENTS_CHANNEL = "tessera_events";
