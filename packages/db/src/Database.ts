// One interface over both drivers. Everything above the db package talks to PostgreSQL through it.

export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /** One parameterised statement. Counted in `stats.statements`. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

/**
 * Who a transaction runs for. The driver applies it with transaction-local `set_config`, so it
 * cannot leak to the next user of a pooled connection.
 */
export interface TxContext {
  /** Bound to `app.tenant_id`; row-level-security policies compare `tenant_id` with it. */
  tenantId?: string | null;
  /** Bound to `app.principal` as JSON (sub, roles, kind) for auditing and policies. */
  principal?: { sub: string; roles: readonly string[]; kind: string } | null;
  /**
   * Run as this database role (`SET LOCAL ROLE`) so RLS applies even when the connection
   * belongs to the table owner or a superuser. Defaults to the driver's `appRole`.
   * Pass `false` to stay as the connecting role (migrations, the system API).
   */
  role?: string | false;
}

export interface DatabaseStats {
  /** Statements sent through `query` (context plumbing such as BEGIN and set_config excluded). */
  statements: number;
}

export type NotificationHandler = (payload: string) => void;

/** Told of every statement sent through `query` (metrics, tracing). Must not throw. */
export type StatementObserver = (event: { durationMs: number; ok: boolean }) => void;

export interface Database extends Queryable {
  readonly kind: "pglite" | "postgres";
  readonly stats: DatabaseStats;
  /** The non-superuser role RLS is enforced under; migrations grant it access. */
  readonly appRole: string;
  /** Runs `fn` in one transaction with the context applied; rolls back if `fn` throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, context?: TxContext): Promise<T>;
  /** Runs a script of several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
  /** Adds an observer of statement durations; returns the function that removes it. */
  observe(observer: StatementObserver): () => void;
}

export const DEFAULT_APP_ROLE = "tessera_app";

/** The statement that applies a TxContext; shared by both drivers so they behave the same. */
export function contextStatement(context: TxContext | undefined, appRole: string): { sql: string; params: unknown[] } | undefined {
  const role = context?.role === undefined ? appRole : context.role;
  const parts: string[] = [];
  const params: unknown[] = [];
  if (role) {
    params.push(role);
    parts.push(`set_config('role', $${params.length}, true)`);
  }
  params.push(context?.tenantId ?? "");
  parts.push(`set_config('app.tenant_id', $${params.length}, true)`);
  params.push(context?.principal ? JSON.stringify(context.principal) : "");
  parts.push(`set_config('app.principal', $${params.length}, true)`);
  return { sql: `SELECT ${parts.join(", ")}`, params };
}
