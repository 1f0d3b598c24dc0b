// The import loop: parse → coerce → look up relations → write in batches through the engine's
// write path (Repository.importBatch: validation, authorisation, tenant, events), recording each
// batch's outcome on the job and the rejected rows in the error report. While batches are being
// written, the next one is parsed and coerced, so the database and the parser overlap.
import { validateInput, type Engine, type ImportRowResult, type RequestContext } from "@tessera/engine";
import type { FieldIR, SchemaIR } from "@tessera/schema";
import { coerceRow, type CoercedRow } from "./coerceRow.ts";
import type { ErrorReportWriter, RejectedRow } from "./errorReportCsv.ts";
import type { ImportJob, ImportRowError } from "./ImportJob.ts";
import type { ImportPlan } from "./importMapping.ts";
import { ReferenceLookup } from "./lookupReferences.ts";
import type { CsvRow } from "./parseCsvStream.ts";

/**
 * Rows per engine statement. 1,000 keeps the JSON parameter near 250 kB for a CRM contact; larger
 * batches did not write faster on the PostgreSQL server (see docs/performance.md).
 */
export const DEFAULT_BATCH_SIZE = 1000;

/**
 * Batches written at once. Two let PostgreSQL use a second core while this process parses the next
 * batch; more only queue behind each other on a small server (see docs/performance.md).
 */
export const DEFAULT_CONCURRENCY = 2;

export interface ImportRowsOptions {
  engine: Engine;
  ctx: RequestContext;
  plan: ImportPlan;
  upsertBy: string | null;
  /** Data rows (the header already read). */
  rows: AsyncIterable<CsvRow>;
  job: ImportJob;
  report: ErrorReportWriter;
  batchSize?: number;
  /** Batches written at once, each in its own transaction (default 2). */
  concurrency?: number;
}

/** What a written batch did, recorded on the job in file order. */
interface BatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  rejected: ImportRowError[][];
  report: RejectedRow[];
}

export interface PendingRow {
  source: CsvRow;
  coerced: CoercedRow;
}

export async function importRows(options: ImportRowsOptions): Promise<void> {
  const { engine, ctx, plan, job } = options;
  const repository = engine.model(plan.model.name);
  const lookup = new ReferenceLookup(engine, ctx);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const upsert = options.upsertBy === null ? {} : { upsertBy: options.upsertBy };
  const uniqueFields = keyFields(plan);
  const duplicates = new DuplicateKeys(uniqueFields);

  /** Writes the batch; what it did is recorded by `record`, in batch order. */
  async function write(batch: PendingRow[]): Promise<BatchOutcome> {
    await resolveLookups(lookup, batch);
    const accepted = batch.filter((r) => r.coerced.errors.length === 0);
    const results = await repository.importBatch(accepted.map((r) => r.coerced.values), ctx, upsert);
    const outcome: BatchOutcome = { created: 0, updated: 0, unchanged: 0, rejected: [], report: [] };
    const byRow = new Map<PendingRow, ImportRowResult>(accepted.map((r, i) => [r, results[i]]));
    for (const pending of batch) {
      const result = byRow.get(pending);
      if (result && result.status !== "rejected") {
        outcome[result.status]++;
        continue;
      }
      const errors: ImportRowError[] = result
        ? result.errors.map((e) => ({ row: pending.source.row, field: e.path.length > 0 ? String(e.path[0]) : null, message: e.message }))
        : rowErrors(engine.schema, plan, options.upsertBy, pending);
      outcome.rejected.push(errors);
      outcome.report.push({ row: pending.source.row, cells: pending.source.cells, messages: errors.map((e) => e.message) });
    }
    return outcome;
  }

  /** Unique values of the batch's rows, so that two batches touching one never run at once. */
  function uniqueValues(batch: PendingRow[]): Set<string> {
    const values = new Set<string>();
    for (const { coerced } of batch) {
      for (const field of uniqueFields) {
        const value = coerced.values[field.name];
        if (value !== undefined) values.add(`${field.name}\u0000${JSON.stringify(value)}`);
      }
    }
    return values;
  }

  // Batches in flight (each a separate transaction) with their unique values; outcomes are recorded
  // in file order whichever commits first.
  const inFlight = new Map<Promise<void>, Set<string>>();
  let recorded: Promise<void> = Promise.resolve();
  async function dispatch(batch: PendingRow[]): Promise<void> {
    const values = uniqueValues(batch);
    // A row sharing a key with a batch being written must see its result (a later row updates
    // an earlier one; a duplicate is refused in file order), so it waits for that batch.
    for (const [pending, other] of inFlight) if ([...values].some((v) => other.has(v))) await pending;
    while (inFlight.size >= concurrency) await Promise.race(inFlight.keys());
    if (job.cancelled) return;
    const written = write(batch);
    const previous = recorded;
    const done = (async () => {
      const outcome = await written;
      await previous;
      await options.report.append(outcome.report);
      job.record(outcome);
    })();
    recorded = done;
    inFlight.set(done, values);
    // Observed here so a failure cannot go unhandled; it is rethrown by whoever awaits `done`.
    done.catch(() => undefined).finally(() => inFlight.delete(done));
  }

  let batch: PendingRow[] = [];
  try {
    for await (const source of options.rows) {
      if (job.cancelled) break;
      const coerced: CoercedRow = source.malformed
        ? { values: {}, lookups: [], errors: [{ field: "", message: source.malformed }] }
        : coerceRow(engine.schema, plan, source.cells);
      const pending = { source, coerced };
      // Before the engine sees it: a key repeated in the file would otherwise be merged into the
      // first row's record (upsert) or refused as "taken" without saying by which row.
      duplicates.check(pending);
      batch.push(pending);
      if (batch.length >= batchSize) {
        await dispatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !job.cancelled) await dispatch(batch);
  } finally {
    await Promise.allSettled(inFlight.keys());
  }
  await recorded;
}

/** Looks up the batch's relation cells, then sets each row's foreign key or records why not. */
export async function resolveLookups(lookup: ReferenceLookup, batch: PendingRow[]): Promise<void> {
  const names = new Map<string, { target: PendingRow["coerced"]["lookups"][number]["target"]; names: Set<string> }>();
  for (const { coerced } of batch) {
    for (const { target, text } of coerced.lookups) {
      const entry = names.get(target.name) ?? { target, names: new Set<string>() };
      entry.names.add(text);
      names.set(target.name, entry);
    }
  }
  for (const { target, names: wanted } of names.values()) await lookup.resolve(target, wanted);
  for (const { coerced } of batch) {
    for (const { target, text } of coerced.lookups) {
      const answer = lookup.answer(target, text);
      if ("id" in answer) coerced.values[target.field.name] = answer.id;
      else coerced.errors.push({ field: target.name, message: answer.error });
    }
  }
}

/**
 * The problems of a row the engine has not seen: its cell errors, plus what the engine's validation
 * says about the cells that could be read (no database checks), so every problem is listed at once.
 */
export function rowErrors(schema: SchemaIR, plan: ImportPlan, upsertBy: string | null, pending: PendingRow, matched?: boolean): ImportRowError[] {
  const row = pending.source.row;
  const errors: ImportRowError[] = pending.coerced.errors.map((e) => ({ row, field: e.field === "" ? null : e.field, message: e.message }));
  if (pending.source.malformed || errors.some((e) => e.field === null)) return errors;
  const failed = new Set(errors.map((e) => e.field));
  // Without `matched` (the import: the engine has not said) a row with a key value may be an update.
  const keyed = matched ?? (upsertBy !== null && pending.coerced.values[upsertBy] !== undefined);
  // Keyed rows are checked as the partial update they may be; the primary key is then only the key.
  const readable = Object.fromEntries(
    Object.entries(pending.coerced.values).filter(([name]) => !failed.has(name) && !(keyed && name === plan.model.primaryKey)),
  );
  for (const error of validateInput(schema, plan.model, readable, keyed ? "update" : "create", []).errors) {
    const field = String(error.path[0]);
    if (!failed.has(field)) errors.push({ row, field, message: error.message });
  }
  return errors;
}

/** The mapped fields whose values must be unique: the primary key and the unique fields. */
export function keyFields(plan: ImportPlan): FieldIR[] {
  return plan.model.fields.filter((f) => f.name === plan.model.primaryKey || f.rules.some((r) => r.kind === "unique"));
}

/**
 * Remembers the first row of each unique value of the file; a later row repeating one gets an error
 * naming that row. The second row is refused rather than merged, whatever became of the first: the
 * file says two different things about one record, and only the person who wrote it knows which.
 */
export class DuplicateKeys {
  private readonly firstRow = new Map<string, number>();

  constructor(private readonly fields: readonly FieldIR[]) {}

  check(pending: PendingRow): void {
    for (const field of this.fields) {
      const value = pending.coerced.values[field.name];
      if (value === undefined) continue;
      const key = `${field.name}\u0000${JSON.stringify(value)}`;
      const first = this.firstRow.get(key);
      if (first === undefined) this.firstRow.set(key, pending.source.row);
      else pending.coerced.errors.push({ field: field.name, message: `the same ${field.name} appears on row ${first}` });
    }
  }
}
