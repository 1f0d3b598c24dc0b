// The preview's dry run: every row of the file is read, coerced, looked up and validated as the
// import would, and classified — create, update, unchanged or error — so that the person importing
// sees before anything is written which records a file would change and which rows it would refuse.
// It reads only (the records the importer may read), in batches: per batch one query per unique
// field mapped and one per relation column, never one per row.
import type { FieldIR, ModelIR } from "@tessera/schema";
import { Authorizer, type Engine, type RecordData, type RequestContext } from "@tessera/engine";
import { coerceRow, type CoercedRow } from "./coerceRow.ts";
import type { ImportRowError } from "./ImportJob.ts";
import type { ImportPlan } from "./importMapping.ts";
import { DuplicateKeys, keyFields, resolveLookups, rowErrors, type PendingRow } from "./importRows.ts";
import { ReferenceLookup } from "./lookupReferences.ts";
import type { CsvRow } from "./parseCsvStream.ts";

export type RowClass = "create" | "update" | "unchanged" | "error";

export interface ClassifiedRow {
  row: number;
  cells: string[];
  /** The values the row would write (relation columns resolved to their foreign key). */
  values: Record<string, unknown>;
  status: RowClass;
  /** The record an update or unchanged row matches, named by its display fields. */
  match: { id: string; name: string } | null;
  errors: ImportRowError[];
}

export interface ImportClassification {
  create: number;
  update: number;
  unchanged: number;
  error: number;
}

export interface ClassifiedFile {
  rowCount: number;
  classification: ImportClassification;
  /** The first `sampleSize` rows. */
  sampleRows: ClassifiedRow[];
  /** The problems of the first `maxErrors` rows in error, anywhere in the file. */
  errors: ImportRowError[];
  errorsTruncated: boolean;
}

export interface ClassifyRowsOptions {
  engine: Engine;
  ctx: RequestContext;
  plan: ImportPlan;
  upsertBy: string | null;
  rows: AsyncIterable<CsvRow>;
  sampleSize: number;
  maxErrors?: number;
  batchSize?: number;
}

const BATCH_SIZE = 1000;
const MAX_ERRORS = 100;

export async function classifyRows(options: ClassifyRowsOptions): Promise<ClassifiedFile> {
  const { engine, ctx, plan, upsertBy } = options;
  const model = plan.model;
  const auth = new Authorizer(engine.schema, ctx);
  const lookup = new ReferenceLookup(engine, ctx);
  const mapped = new Set(plan.columns.flatMap((c) => (c ? [c.field.name] : [])));
  const uniques = keyFields(plan).filter((f) => mapped.has(f.name));
  const duplicates = new DuplicateKeys(uniques);
  // Read back what a matched row would overwrite, to tell an update from an unchanged row; a field
  // the importer may not read cannot be compared, so such a row counts as an update.
  const readable = model.fields.filter((f) => auth.canReadField(model, f));
  const readableNames = new Set(readable.map((f) => f.name));
  const fetched = [...new Set([model.primaryKey, ...model.ui.displayFields, ...uniques.map((f) => f.name), ...mapped])].filter((name) => readableNames.has(name));
  const result: ClassifiedFile = { rowCount: 0, classification: { create: 0, update: 0, unchanged: 0, error: 0 }, sampleRows: [], errors: [], errorsTruncated: false };
  const maxErrors = options.maxErrors ?? MAX_ERRORS;
  const label = humanModel(model);

  async function flush(batch: PendingRow[]): Promise<void> {
    await resolveLookups(lookup, batch);
    const existing = await findExisting(engine, ctx, model, uniques.filter((f) => readableNames.has(f.name)), fetched, batch);
    for (const pending of batch) {
      const { values } = pending.coerced;
      const key = upsertBy === null ? undefined : values[upsertBy];
      const match = key === undefined ? undefined : existing.get(upsertBy!)?.get(valueKey(key));
      const errors = rowErrors(engine.schema, plan, upsertBy, pending, match !== undefined);
      if (!pending.source.malformed && !errors.some((e) => e.field === null)) {
        const taken = new Set(errors.map((e) => e.field));
        for (const field of uniques) {
          const value = values[field.name];
          if (value === undefined || taken.has(field.name)) continue;
          const holder = existing.get(field.name)?.get(valueKey(value));
          // A unique value held by another record: with create-only this is the file's row for a
          // record that exists — refused, never silently turned into an update.
          if (holder && holder[model.primaryKey] !== match?.[model.primaryKey]) {
            errors.push({ row: pending.source.row, field: field.name, message: `a ${label} with this ${field.name} already exists` });
          } else if (!holder && !match && field.name === model.primaryKey && ctx.principal?.kind !== "system") {
            // As the engine answers: a new record's id is the server's to choose.
            errors.push({ row: pending.source.row, field: field.name, message: `no ${label} has this ${field.name}; leave it empty to create a new ${label}` });
          }
        }
      }
      const status: RowClass = errors.length > 0 ? "error" : !match ? "create" : changes(model, values, match) ? "update" : "unchanged";
      result.classification[status]++;
      if (status === "error") {
        if (result.classification.error <= maxErrors) result.errors.push(...errors);
        else result.errorsTruncated = true;
      }
      if (result.sampleRows.length < options.sampleSize) {
        result.sampleRows.push({
          row: pending.source.row,
          cells: pending.source.cells,
          values,
          status,
          match: match && status !== "error" ? { id: String(match[model.primaryKey]), name: displayName(model, match) } : null,
          errors,
        });
      }
    }
  }

  const batchSize = options.batchSize ?? BATCH_SIZE;
  let batch: PendingRow[] = [];
  for await (const source of options.rows) {
    result.rowCount++;
    const coerced: CoercedRow = source.malformed ? { values: {}, lookups: [], errors: [{ field: "", message: source.malformed }] } : coerceRow(engine.schema, plan, source.cells);
    const pending = { source, coerced };
    duplicates.check(pending);
    batch.push(pending);
    if (batch.length >= batchSize) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await flush(batch);
  return result;
}

/** Per unique field, the readable records holding one of the batch's values (one query per field). */
async function findExisting(engine: Engine, ctx: RequestContext, model: ModelIR, fields: readonly FieldIR[], fetched: string[], batch: PendingRow[]): Promise<Map<string, Map<string, RecordData>>> {
  const found = new Map<string, Map<string, RecordData>>();
  for (const field of fields) {
    const byValue = new Map<string, RecordData>();
    found.set(field.name, byValue);
    const values = new Set<unknown>();
    for (const { coerced } of batch) {
      const value = coerced.values[field.name];
      // A value the engine would refuse (a malformed id) matches nothing and must not fail the query.
      if (value !== undefined && (field.name !== model.primaryKey || UUID.test(String(value)))) values.add(field.name === model.primaryKey ? String(value).toLowerCase() : value);
    }
    if (values.size === 0) continue;
    for await (const page of engine.model(model.name).findEach({ where: { [`${field.name}_in`]: [...values] }, fields: fetched }, ctx)) {
      for (const record of page) byValue.set(valueKey(record[field.name]), record);
    }
  }
  return found;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function valueKey(value: unknown): string {
  return typeof value === "string" && UUID.test(value) ? value.toLowerCase() : JSON.stringify(value);
}

/** Whether writing `values` would change `record` (compared as the database would store them). */
function changes(model: ModelIR, values: Record<string, unknown>, record: RecordData): boolean {
  for (const [name, value] of Object.entries(values)) {
    if (name === model.primaryKey) continue;
    const field = model.fields.find((f) => f.name === name);
    if (!field || !(name in record) || !sameValue(field, value, record[name])) return true;
  }
  return false;
}

function sameValue(field: FieldIR, given: unknown, stored: unknown): boolean {
  if (stored === null || stored === undefined) return false;
  switch (field.type) {
    case "decimal":
    case "money":
      return Number(given) === Number(stored);
    case "datetime":
      return new Date(String(given)).getTime() === new Date(String(stored)).getTime();
    case "id":
      return String(given).toLowerCase() === String(stored).toLowerCase();
    default:
      return stableJson(given) === stableJson(stored);
  }
}

/** JSON with object keys sorted, so that two equal JSON values compare equal. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function displayName(model: ModelIR, record: RecordData): string {
  const parts = model.ui.displayFields.map((name) => record[name]).filter((v) => v !== null && v !== undefined && v !== "");
  return parts.length > 0 ? parts.map(String).join(" ") : `this ${humanModel(model)}`;
}

/** "SupportTicket" → "support ticket", for messages read by a person. */
function humanModel(model: ModelIR): string {
  return model.name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}
