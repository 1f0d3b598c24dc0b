// One CSV import as the API shows it: who started it, its state, progress counters and the first
// row errors. The work itself is `importRows`; the job only records what it reports, so the HTTP
// layer and tests observe the same thing.
import { randomUUID } from "node:crypto";
import { EngineError, type ErrorCode } from "@tessera/engine";
import type { CsvEncoding } from "./parseCsvStream.ts";

export type ImportJobState = "queued" | "running" | "completed" | "failed" | "cancelled";

export interface ImportProgress {
  /** Data rows of the file (counted before the import starts); null until known. */
  total: number | null;
  /** Rows handled so far, whatever their outcome. */
  processed: number;
  created: number;
  updated: number;
  /** Rows that matched an existing record by the key and would not change it. */
  unchanged: number;
  /** created + updated + unchanged: rows now in the database as the file says. */
  imported: number;
  rejected: number;
}

export interface ImportRowError {
  /** The row as a spreadsheet numbers it (the header is row 1). */
  row: number;
  /** The field the message is about, or null for the row as a whole. */
  field: string | null;
  message: string;
}

export interface ImportJobStatus {
  id: string;
  model: string;
  state: ImportJobState;
  upsertBy: string | null;
  /** CSV column → field (or relation looked up by its display field); null: ignored. */
  mapping: Record<string, string | null>;
  progress: ImportProgress;
  /** The first row errors (at most MAX_LISTED_ERRORS); the error report CSV has them all. */
  errors: ImportRowError[];
  errorsTruncated: boolean;
  /** Why the job failed (state "failed"). */
  failure: { code: ErrorCode; message: string } | null;
  /** How the file's bytes were read (detected: byte order mark, UTF-16 pattern, UTF-8, else windows-1252). */
  encoding: CsvEncoding;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ImportJobOwner {
  sub: string;
  tenantId: string | null;
}

export const MAX_LISTED_ERRORS = 100;

export type ProgressListener = (status: ImportJobStatus) => void;

export class ImportJob {
  readonly id = randomUUID();
  private state: ImportJobState = "queued";
  private readonly progress: ImportProgress = { total: null, processed: 0, created: 0, updated: 0, unchanged: 0, imported: 0, rejected: 0 };
  private readonly errors: ImportRowError[] = [];
  private errorsTruncated = false;
  private failure: ImportJobStatus["failure"] = null;
  private readonly createdAt = new Date();
  private startedAt: Date | null = null;
  private finishedAt: Date | null = null;
  private cancelRequested = false;
  private readonly listeners = new Set<ProgressListener>();
  private done: Promise<void> | undefined;
  private settle: (status: ImportJobStatus) => void = () => undefined;
  private readonly settled = new Promise<ImportJobStatus>((resolve) => {
    this.settle = resolve;
  });
  /** The cause of an INTERNAL failure, for the server log (never shown to clients). */
  internalError: unknown = undefined;

  constructor(
    readonly owner: ImportJobOwner,
    readonly model: string,
    readonly upsertBy: string | null,
    readonly mapping: Record<string, string | null>,
    readonly encoding: CsvEncoding = "utf-8",
  ) {}

  get cancelled(): boolean {
    return this.cancelRequested;
  }

  get finished(): boolean {
    return this.state === "completed" || this.state === "failed" || this.state === "cancelled";
  }

  /** When the job finished (null while it runs), for expiry. */
  get finishedAtMs(): number | null {
    return this.finishedAt?.getTime() ?? null;
  }

  /** Whether `owner` may see the job: the principal that started it, in the same tenant. */
  belongsTo(owner: ImportJobOwner): boolean {
    return owner.sub === this.owner.sub && owner.tenantId === this.owner.tenantId;
  }

  status(): ImportJobStatus {
    return {
      id: this.id,
      model: this.model,
      state: this.state,
      upsertBy: this.upsertBy,
      mapping: { ...this.mapping },
      progress: { ...this.progress },
      errors: [...this.errors],
      errorsTruncated: this.errorsTruncated,
      failure: this.failure,
      encoding: this.encoding,
      createdAt: this.createdAt.toISOString(),
      startedAt: this.startedAt?.toISOString() ?? null,
      finishedAt: this.finishedAt?.toISOString() ?? null,
    };
  }

  /** Called with a snapshot after every change of state or progress. Returns the remover. */
  onProgress(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the final status once the job completed, failed or was cancelled. */
  whenFinished(): Promise<ImportJobStatus> {
    return this.settled;
  }

  /** Asks the job to stop after the batch being written; a queued job never starts. */
  cancel(): void {
    this.cancelRequested = true;
    if (this.state === "queued") this.finish("cancelled");
  }

  setTotal(total: number): void {
    this.progress.total = total;
    this.emit();
  }

  /** Counts one written batch's outcomes and records its row errors. */
  record(outcome: { created: number; updated: number; unchanged: number; rejected: ImportRowError[][] }): void {
    const p = this.progress;
    p.created += outcome.created;
    p.updated += outcome.updated;
    p.unchanged += outcome.unchanged;
    p.rejected += outcome.rejected.length;
    p.imported = p.created + p.updated + p.unchanged;
    p.processed = p.imported + p.rejected;
    for (const errors of outcome.rejected) {
      for (const error of errors) {
        if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(error);
        else this.errorsTruncated = true;
      }
    }
    this.emit();
  }

  /**
   * Runs `work` once (later calls return the same promise): running → completed, or cancelled when
   * a cancel was asked for, or failed with the error's code. Never rejects.
   */
  run(work: (job: ImportJob) => Promise<void>): Promise<void> {
    this.done ??= (async () => {
      if (this.finished) return;
      this.state = "running";
      this.startedAt = new Date();
      this.emit();
      try {
        await work(this);
        if (!this.cancelRequested) this.progress.total = this.progress.processed;
        this.finish(this.cancelRequested ? "cancelled" : "completed");
      } catch (error) {
        this.failure = error instanceof EngineError && error.code !== "INTERNAL"
          ? { code: error.code, message: error.message }
          : { code: "INTERNAL", message: "the import stopped because of an internal error; rows written before it are kept" };
        if (this.failure.code === "INTERNAL") this.internalError = error;
        this.finish("failed");
      }
    })();
    return this.done;
  }

  private finish(state: ImportJobState): void {
    this.state = state;
    this.finishedAt = new Date();
    this.emit();
    this.settle(this.status());
  }

  private emit(): void {
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }
}
