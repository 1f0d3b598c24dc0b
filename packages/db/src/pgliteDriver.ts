import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { contextStatement, DEFAULT_APP_ROLE, type Database, type DatabaseStats, type NotificationHandler, type StatementObserver, type Queryable, type QueryResult, type TxContext } from "./Database.ts";

export interface PgliteOptions {
  /** Folder for the data files; omit for an in-memory database. */
  dataDir?: string;
  appRole?: string;
}

const EXTENSIONS = { pg_trgm, unaccent };

/** Opens PGlite with the extensions the schema needs (they must be passed on every open). */
export async function openPglite(options: PgliteOptions = {}): Promise<Database> {
  // PGlite creates the data folder itself but not its parents (.tessera/ on a fresh clone).
  if (options.dataDir) mkdirSync(dirname(options.dataDir), { recursive: true });
  const pg = await PGlite.create(options.dataDir ? { dataDir: options.dataDir, extensions: EXTENSIONS } : { extensions: EXTENSIONS });
  return new PgliteDatabase(pg, options.appRole ?? DEFAULT_APP_ROLE);
}

/** Wraps an existing PGlite instance (tests clone one template instead of creating many). */
export function wrapPglite(pg: PGlite, appRole: string = DEFAULT_APP_ROLE): Database {
  return new PgliteDatabase(pg, appRole);
}

class PgliteDatabase implements Database {
  readonly kind = "pglite" as const;
  readonly stats: DatabaseStats = { statements: 0, transactions: 0 };
  // PGlite has a single connection: transactions are serialised here so that concurrent
  // callers never interleave statements inside another caller's transaction.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly pg: PGlite,
    readonly appRole: string,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return this.serial(() => this.rawQuery<R>(this.pg, sql, params));
  }

  private async rawQuery<R>(target: Pick<PGlite, "query">, sql: string, params: readonly unknown[]): Promise<QueryResult<R>> {
    this.stats.statements++;
    const started = performance.now();
    let ok = false;
    try {
      const result = await target.query<R>(sql, params as unknown[]);
      ok = true;
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    } finally {
      for (const o of this.observers) o({ durationMs: performance.now() - started, ok });
    }
  }

  private readonly observers = new Set<StatementObserver>();

  observe(observer: StatementObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>, context?: TxContext): Promise<T> {
    return this.serial(() => {
      this.stats.transactions++;
      return this.pg.transaction(async (tx) => {
        const ctx = contextStatement(context, this.appRole);
        if (ctx) await tx.query(ctx.sql, ctx.params);
        return fn({ query: <R>(sql: string, params: readonly unknown[] = []) => this.rawQuery<R>(tx, sql, params) });
      });
    });
  }

  exec(sql: string): Promise<void> {
    return this.serial(async () => {
      await this.pg.exec(sql);
    });
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    const unlisten = await this.pg.listen(channel, handler);
    return async () => {
      await unlisten();
    };
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.serial(() => this.pg.query("SELECT pg_notify($1, $2)", [channel, payload]));
  }

  async close(): Promise<void> {
    await this.queue;
    await this.pg.close();
  }
}
