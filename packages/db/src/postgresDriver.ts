import pg from "pg";
import { DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION, PreparedStatements } from "./preparedStatements.ts";
import { contextLiteralSql, contextStatement, DEFAULT_APP_ROLE, type Database, type DatabaseStats, type NotificationHandler, type StatementObserver, type Queryable, type QueryResult, type TxContext } from "./Database.ts";

export interface PostgresOptions {
  connectionString: string;
  appRole?: string;
  maxConnections?: number;
  /**
   * Prepared statements kept per connection (least recently used ones are deallocated); default
   * 200. `0` turns preparing off: every statement is parsed and planned each time.
   */
  preparedStatementsPerConnection?: number;
}

// Keep numeric/bigint as strings (precision) and dates as text; JSON is parsed by the driver.
// The engine builds API values in SQL, so these only matter for raw queries.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 1082 || oid === 1114 || oid === 1184) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as "text");
  },
};

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10, types });
  // An idle client whose server connection drops (restart, failover, DROP DATABASE … FORCE) emits
  // 'error' on the pool; without a listener that would crash the process. The pool replaces it.
  pool.on("error", (error) => process.emitWarning(`PostgreSQL pool: ${error.message}`));
  // Fail fast with a clear message rather than on the first request.
  const client = await pool.connect();
  client.release();
  const prepared = new PreparedStatements(options.preparedStatementsPerConnection ?? DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION);
  return new PostgresDatabase(pool, options.connectionString, options.appRole ?? DEFAULT_APP_ROLE, prepared);
}

class PostgresDatabase implements Database {
  readonly kind = "postgres" as const;
  readonly stats: DatabaseStats = { statements: 0, transactions: 0 };
  private listener: pg.Client | undefined;
  private handlers = new Map<string, Set<NotificationHandler>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    readonly appRole: string,
    private readonly prepared: PreparedStatements,
  ) {}

  private readonly observers = new Set<StatementObserver>();

  observe(observer: StatementObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private async timed<T>(run: () => Promise<T>): Promise<T> {
    this.stats.statements++;
    const started = performance.now();
    let ok = false;
    try {
      const result = await run();
      ok = true;
      return result;
    } finally {
      for (const o of this.observers) o({ durationMs: performance.now() - started, ok });
    }
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const client = await this.pool.connect();
    try {
      const result = await this.timed(() => this.prepared.query(client, sql, params));
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    } finally {
      await this.prepared.flush(client);
      client.release();
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, context?: TxContext): Promise<T> {
    const client = await this.pool.connect();
    this.stats.transactions++;
    try {
      // One round trip for BEGIN and the context when the context can be written as validated
      // literals (see contextLiteralSql); otherwise BEGIN, then the parameterised set_config.
      const literal = contextLiteralSql(context, this.appRole);
      if (literal) {
        await client.query(`BEGIN; ${literal}`);
      } else {
        await client.query("BEGIN");
        const ctx = contextStatement(context, this.appRole);
        if (ctx) await client.query(ctx.sql, ctx.params);
      }
      const result = await fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) => {
          const r = await this.timed(() => this.prepared.query(client, sql, params));
          return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
        },
      });
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      await this.prepared.flush(client);
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (!this.listener) {
      // LISTEN needs one dedicated connection for the life of the process, outside the pool.
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on("error", (error) => process.emitWarning(`PostgreSQL listener: ${error.message}`));
      await client.connect();
      client.on("notification", (msg) => {
        for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? "");
      });
      this.listener = client;
    }
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      await this.listener.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
    };
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.pool.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  async close(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
