// Per-connection prepared statements for the node-postgres driver. A statement is named by a hash of
// its SQL text, so each pooled connection parses and plans one query shape once and afterwards only
// binds and executes it (PostgreSQL spends most of a one-row read in parse + plan). The engine puts
// every value in a parameter, so identical query shapes have identical SQL text.
//
// The number of statements kept per connection is bounded: least recently used ones are forgotten
// and DEALLOCATEd at the connection's next idle point (after COMMIT/ROLLBACK, before it returns to
// the pool), so callers producing ever new shapes cannot grow server memory without bound.
import { createHash } from "node:crypto";
import type pg from "pg";
import { quoteIdent } from "./quoteIdent.ts";

export const DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION = 200;

/** node-postgres' own record of the statements a connection has parsed (not in its typings). */
interface PgConnectionInternals {
  connection?: { parsedStatements?: Record<string, string> };
}

// Only parameterised DML/queries are prepared: they are the repeated shapes. DDL, one-off scripts
// and statements without parameters keep the unnamed statement (and so never outlive a schema change
// in a cached plan).
const PREPARABLE = /^\s*(select|with|insert|update|delete)\b/i;

const names = new Map<string, string>();

/** The statement name of a SQL text: `t_` + 20 base64url characters of its SHA-1 (memoised, bounded). */
export function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `t_${createHash("sha1").update(sql).digest("base64url").slice(0, 20)}`;
    if (names.size >= 10_000) names.clear();
    names.set(sql, name);
  }
  return name;
}

export class PreparedStatements {
  /** Per connection: the names sent to it, least recently used first, and the ones to DEALLOCATE. */
  private readonly perClient = new WeakMap<pg.ClientBase, { lru: Map<string, true>; evicted: Set<string> }>();

  constructor(readonly maxPerConnection: number) {}

  /** Runs one statement on `client`, prepared when it is worth it. */
  async query(client: pg.ClientBase, sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    if (this.maxPerConnection <= 0 || params.length === 0 || !PREPARABLE.test(sql)) return client.query(sql, params as unknown[]);
    const name = statementName(sql);
    let state = this.perClient.get(client);
    if (!state) {
      state = { lru: new Map(), evicted: new Set() };
      this.perClient.set(client, state);
    }
    state.lru.delete(name);
    state.lru.set(name, true);
    state.evicted.delete(name);
    if (state.lru.size > this.maxPerConnection) {
      const oldest = state.lru.keys().next().value as string;
      state.lru.delete(oldest);
      state.evicted.add(oldest);
    }
    try {
      return await client.query({ name, text: sql, values: params as unknown[] });
    } finally {
      // A statement that failed to parse was never created; do not DEALLOCATE it later.
      if (parsed(client)?.[name] === undefined) state.lru.delete(name);
    }
  }

  /** DEALLOCATEs what was evicted; call only between transactions. Errors are ignored (the client is discarded then). */
  async flush(client: pg.ClientBase): Promise<void> {
    const state = this.perClient.get(client);
    if (!state || state.evicted.size === 0) return;
    const names = [...state.evicted];
    state.evicted.clear();
    for (const name of names) {
      // Forget it in node-postgres too, or it would Bind to a statement that no longer exists.
      const record = parsed(client);
      if (record) delete record[name];
      await client.query(`DEALLOCATE ${quoteIdent(name)}`).catch(() => undefined);
    }
  }
}

function parsed(client: pg.ClientBase): Record<string, string> | undefined {
  return (client as unknown as PgConnectionInternals).connection?.parsedStatements;
}
