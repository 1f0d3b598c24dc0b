// The import jobs of this node: they run in this process (a few at a time), are visible only to the
// principal and tenant that started them, and are forgotten, with their files, a while after they
// finish. A job does not survive a restart; rows it wrote before are committed and stay.
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { notFound, type Engine, type RequestContext } from "@tessera/engine";
import { ErrorReportWriter } from "./errorReportCsv.ts";
import { ImportJob } from "./ImportJob.ts";
import type { ImportPlan } from "./importMapping.ts";
import { importRows } from "./importRows.ts";
import { countCsvRows, parseCsvStream, type CsvEncoding, type CsvRow } from "./parseCsvStream.ts";

export interface ImportJobRegistryOptions {
  /** Jobs running at once on this node; others wait in order. Default 2. */
  concurrency?: number;
  /** How long a finished job (and its error report) stays available. Default one hour. */
  retentionMs?: number;
  batchSize?: number;
  /** Batches of one job written at once (see importRows). */
  batchConcurrency?: number;
  /** Told of failures with code INTERNAL (the client sees a generic message). */
  onInternalError?: (error: unknown, job: ImportJob) => void;
}

export interface SubmitImportInput {
  engine: Engine;
  ctx: RequestContext;
  plan: ImportPlan;
  upsertBy: string | null;
  delimiter: string;
  /** How to read the file's bytes (detectCsvEncoding); UTF-8 when absent. */
  encoding?: CsvEncoding;
  /** A folder the job owns: the upload is in it, the error report goes to it, and it is removed with the job. */
  dir: string;
  /** The uploaded CSV (inside `dir`). */
  file: string;
}

interface Entry {
  job: ImportJob;
  dir: string;
  file: string;
  reportPath: string;
  start: () => Promise<void>;
  expiry?: NodeJS.Timeout;
}

const UPLOAD_READ_CHUNK = 256 * 1024;

export class ImportJobRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly waiting: Entry[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: ImportJobRegistryOptions = {}) {}

  /** Creates the job (with the error report's header) and starts it, or queues it. */
  async submit(input: SubmitImportInput): Promise<ImportJob> {
    if (this.closed) throw new Error("the import registry is closed");
    const { ctx, plan } = input;
    const job = new ImportJob({ sub: ctx.principal?.sub ?? "", tenantId: ctx.tenantId }, plan.model.name, input.upsertBy, plan.mapping, input.encoding);
    const reportPath = join(input.dir, "errors.csv");
    const report = await ErrorReportWriter.create(reportPath, plan.headers, input.delimiter);
    const read = (): AsyncIterable<CsvRow> => parseCsvStream(createReadStream(input.file, { highWaterMark: UPLOAD_READ_CHUNK }), { delimiter: input.delimiter, encoding: job.encoding });
    const entry: Entry = {
      job,
      dir: input.dir,
      file: input.file,
      reportPath,
      start: () =>
        job.run(async () => {
          job.setTotal(await countCsvRows(createReadStream(input.file, { highWaterMark: UPLOAD_READ_CHUNK }), { delimiter: input.delimiter, encoding: job.encoding }));
          await importRows({
            engine: input.engine,
            ctx,
            plan,
            upsertBy: input.upsertBy,
            rows: dataRows(read()),
            job,
            report,
            ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}),
            ...(this.options.batchConcurrency ? { concurrency: this.options.batchConcurrency } : {}),
          });
        }),
    };
    this.entries.set(job.id, entry);
    this.waiting.push(entry);
    this.pump();
    return job;
  }

  /** The job, if `ctx` is the principal and tenant that started it; NOT_FOUND otherwise. */
  get(id: string, ctx: RequestContext): ImportJob {
    const job = this.entries.get(id)?.job;
    if (!job || !job.belongsTo({ sub: ctx.principal?.sub ?? "", tenantId: ctx.tenantId })) throw notFound("import job", id);
    return job;
  }

  /** Where the job's error report is written (it grows while the job runs). */
  reportPath(job: ImportJob): string {
    return this.entries.get(job.id)!.reportPath;
  }

  /** Cancels every job, waits for the running ones to stop, and removes all files. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { job } of this.entries.values()) job.cancel();
    this.waiting.length = 0;
    await Promise.all([...this.running]);
    for (const entry of this.entries.values()) {
      clearTimeout(entry.expiry);
      await rm(entry.dir, { recursive: true, force: true });
    }
    this.entries.clear();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 2;
    while (this.running.size < concurrency && this.waiting.length > 0) {
      const entry = this.waiting.shift()!;
      const run = entry.start().then(() => this.finished(entry));
      this.running.add(run);
      void run.finally(() => {
        this.running.delete(run);
        this.pump();
      });
    }
  }

  private async finished(entry: Entry): Promise<void> {
    if (entry.job.internalError !== undefined) this.options.onInternalError?.(entry.job.internalError, entry.job);
    // The upload is no longer needed; the error report stays until the job expires.
    await rm(entry.file, { force: true });
    if (this.closed) return;
    entry.expiry = setTimeout(() => {
      this.entries.delete(entry.job.id);
      void rm(entry.dir, { recursive: true, force: true });
    }, this.options.retentionMs ?? 3_600_000);
    entry.expiry.unref();
  }
}

async function* dataRows(rows: AsyncIterable<CsvRow>): AsyncGenerator<CsvRow> {
  let header = true;
  for await (const row of rows) {
    if (header) header = false;
    else yield row;
  }
}
