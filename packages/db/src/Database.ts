// One interface over both drivers. Everything above the db package talks to PostgreSQL through it.
import { quoteLiteral } from "./quoteIdent.ts";
import { UUID_PATTERN } from "@tessera/schema";

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
  /** Transactions begun through `transaction` (committed or rolled back): a write is one, whatever its size. */
  transactions: number;
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

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/i;

/**
 * The statement that applies a TxContext; shared by both drivers so they behave the same.
 * (No `app.principal` setting: nothing in SQL read it, and leaving it out keeps the context free of
 * user-supplied text, so that `contextLiteralSql` can send it in the BEGIN round trip.)
 */
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
  return { sql: `SELECT ${parts.join(", ")}`, params };
}

/**
 * The same settings as `contextStatement`, as one parameter-free statement, so that it can travel in
 * the same simple-protocol round trip as BEGIN. Values are interpolated as literals, which is safe
 * only because they are validated first: the tenant id must be a UUID (hex digits and dashes) and the
 * role a plain identifier, and both still go through `quoteLiteral`. Anything else (a tenant id that
 * is not a UUID, an unusual role name) returns undefined and the caller falls back to the
 * parameterised statement. The tenant id is the only value that can come from a request.
 */
export function contextLiteralSql(context: TxContext | undefined, appRole: string): string | undefined {
  const role = context?.role === undefined ? appRole : context.role;
  const tenantId = context?.tenantId ?? "";
  if (tenantId !== "" && !UUID_PATTERN.test(tenantId)) return undefined;
  if (role && !ROLE_NAME.test(role)) return undefined;
  const parts: string[] = [];
  if (role) parts.push(`set_config('role', ${quoteLiteral(role)}, true)`);
  parts.push(`set_config('app.tenant_id', ${quoteLiteral(tenantId)}, true)`);
  return `SELECT ${parts.join(", ")}`;
}
