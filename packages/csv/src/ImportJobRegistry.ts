// The import jobs of this node: they run in this process (a few at a time), are visible only to the
// principal and tenant that started them, and are forgotten, with their files, a while after they
// finish. A job does not survive a restart; rows it wrote before are committed and stay.
//
// Files: each upload gets a folder inside this registry's folder (uploadFolders.ts). The upload
// is deleted before its job reports that it ended (completed, failed, cancelled); the error report
// stays as long as the job does (retentionMs) and goes with it. A registry opening removes what
// crashed processes of this host left behind.
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { notFound, type Engine, type RequestContext } from "@tessera/engine";
import { ErrorReportWriter } from "./errorReportCsv.ts";
import { ImportJob } from "./ImportJob.ts";
import type { ImportJobStatus } from "./ImportJob.ts";
import type { ImportPlan } from "./importMapping.ts";
import { importRows } from "./importRows.ts";
import { countCsvRows, parseCsvStream, type CsvEncoding, type CsvRow } from "./parseCsvStream.ts";
import { createLifeFolder, removeAbandonedFolders, removeLifeFolder } from "./uploadFolders.ts";

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
  /** The folder in which this registry makes its own folder for uploads and error reports. Default: the OS temp folder. */
  workDir?: string;
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
  private folder: Promise<string> | undefined;

  constructor(private readonly options: ImportJobRegistryOptions = {}) {}

  /**
   * Removes the folders crashed processes of this host left in the work folder, then creates this
   * registry's own; resolves with it. Runs once (csvRoutes calls it when the server starts).
   */
  open(): Promise<string> {
    if (this.closed) return Promise.reject(new Error("the import registry is closed"));
    this.folder ??= (async () => {
      const workDir = this.options.workDir ?? tmpdir();
      await removeAbandonedFolders(workDir);
      return createLifeFolder(workDir);
    })().catch((error: unknown) => {
      this.folder = undefined; // a failed start (folder not writable yet) is tried again by the next call
      throw error;
    });
    return this.folder;
  }

  /** A new folder (mode 0700) for one upload. Remove it, or hand it to `submit`, which removes it with the job. */
  async uploadDir(): Promise<string> {
    return mkdtemp(join(await this.open(), "upload-"));
  }

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
          try {
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
          } finally {
            // Before the job reports its end: whoever sees "completed" or "failed" finds the upload gone.
            await rm(input.file, { force: true });
          }
        }),
    };
    this.entries.set(job.id, entry);
    this.waiting.push(entry);
    // A queued job cancelled (job.cancel) never starts: take it out of the queue and drop its upload now,
    // not when a slot frees up behind long imports.
    void job
      .whenFinished()
      .then(() => this.dequeue(entry))
      .catch((error: unknown) => process.emitWarning(`removing a cancelled import's upload failed: ${error instanceof Error ? error.message : String(error)}`));
    this.pump();
    return job;
  }

  /**
   * Cancels the job; resolves once it stopped, its upload removed. A running job stops after the
   * batch being written; a queued one never starts.
   */
  async cancel(job: ImportJob): Promise<ImportJobStatus> {
    job.cancel();
    const entry = this.entries.get(job.id);
    if (entry) await this.dequeue(entry);
    return job.whenFinished();
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
    const folder = await this.folder?.catch(() => undefined);
    if (folder) await removeLifeFolder(folder);
  }

  /** A finished job still in the queue (cancelled while queued) leaves it and is treated as finished. */
  private async dequeue(entry: Entry): Promise<void> {
    const at = this.waiting.indexOf(entry);
    if (at < 0 || !entry.job.finished) return;
    this.waiting.splice(at, 1);
    await this.finished(entry);
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
    // Removed as the job ended already, except for a job cancelled while queued (it never ran); the
    // error report stays until the job expires.
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
