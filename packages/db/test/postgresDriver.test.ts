// The node-postgres driver's round-trip savings: prepared statements per connection (bounded) and
// the transaction context sent with BEGIN. Server runs only (DATABASE_URL); PGlite has neither.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { contextLiteralSql, contextStatement, openPostgres, type Database } from "@tessera/db";
import { serverUrl } from "../../../test/support/testDatabase.ts";

const TENANT = "00000000-0000-4000-8000-0000000000aa";

describe("TxContext statements (both drivers)", () => {
  it("writes the context as validated literals only", () => {
    expect(contextLiteralSql({ tenantId: TENANT }, "tessera_app")).toBe(
      `SELECT set_config('role', 'tessera_app', true), set_config('app.tenant_id', '${TENANT}', true)`,
    );
    expect(contextLiteralSql({ tenantId: null, role: false }, "tessera_app")).toBe("SELECT set_config('app.tenant_id', '', true)");
    // Anything that is not a UUID (or a plain role name) is never interpolated: the caller binds it.
    expect(contextLiteralSql({ tenantId: "x', true); DROP TABLE t; --" }, "tessera_app")).toBeUndefined();
    expect(contextLiteralSql({ tenantId: TENANT, role: "weird'role" }, "tessera_app")).toBeUndefined();
    expect(contextStatement({ tenantId: "not-a-uuid" }, "tessera_app")?.params).toEqual(["tessera_app", "not-a-uuid"]);
  });
});

describe.skipIf(!serverUrl)("postgres driver", () => {
  let db: Database;
  let small: Database;
  let name: string;

  beforeAll(async () => {
    name = `tessera_t_drv_${Math.random().toString(16).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    // One connection each, so that every statement runs in the session we inspect.
    db = await openPostgres({ connectionString: url.toString(), maxConnections: 1 });
    small = await openPostgres({ connectionString: url.toString(), maxConnections: 1, preparedStatementsPerConnection: 3 });
    await db.exec(`DO $$ BEGIN CREATE ROLE tessera_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  });

  afterAll(async () => {
    await db?.close();
    await small?.close();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  /** This session's prepared statements whose text contains `marker`, with how often each ran. */
  async function preparedWith(target: Database, marker: string): Promise<{ statement: string; runs: number }[]> {
    const { rows } = await target.transaction((tx) =>
      tx.query<{ statement: string; runs: number }>(
        "SELECT statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE position($1 in statement) > 0 AND position('pg_prepared_statements' in statement) = 0",
        [marker],
      ),
    { role: false });
    return rows;
  }

  it("prepares a statement once per connection and reuses it", async () => {
    const sql = "SELECT $1::int + 1 AS n /* prepare-once */";
    for (let i = 0; i < 3; i++) {
      const { rows } = await db.transaction((tx) => tx.query<{ n: number }>(sql, [i]), { tenantId: TENANT });
      expect(rows[0].n).toBe(i + 1);
    }
    expect((await db.query<{ n: number }>(sql, [41])).rows[0].n).toBe(42);
    // Without preparing, pg_prepared_statements would have no row for it.
    expect(await preparedWith(db, "prepare-once")).toEqual([{ statement: sql, runs: 4 }]);
  });

  it("keeps at most the configured number of statements per connection", async () => {
    for (let i = 0; i < 8; i++) {
      await small.transaction((tx) => tx.query(`SELECT $1::int AS n /* bounded-${i} */`, [i]), { tenantId: TENANT });
    }
    const left = (await preparedWith(small, "bounded-")).map((r) => r.statement).sort();
    expect(left.length).toBeLessThanOrEqual(3);
    // The most recent shapes are the ones kept, and an evicted one still runs (prepared again).
    expect(left.some((s) => s.includes("bounded-7"))).toBe(true);
    const again = await small.transaction((tx) => tx.query<{ n: number }>("SELECT $1::int AS n /* bounded-0 */", [5]), { tenantId: TENANT });
    expect(again.rows[0].n).toBe(5);
  });

  it("a statement that fails to parse does not break the connection's later statements", async () => {
    await expect(db.transaction((tx) => tx.query("SELECT $1::int FROM no_such_table /* broken */", [1]))).rejects.toThrow(/no_such_table/);
    const { rows } = await db.transaction((tx) => tx.query<{ n: number }>("SELECT $1::int AS n /* after-broken */", [7]), { tenantId: TENANT });
    expect(rows[0].n).toBe(7);
  });

  it("applies the context in the BEGIN round trip, transaction-local", async () => {
    const seen = await db.transaction(
      (tx) => tx.query<{ role: string; tenant: string }>("SELECT current_user AS role, current_setting('app.tenant_id') AS tenant WHERE $1::int = 1", [1]),
      { tenantId: TENANT },
    );
    expect(seen.rows[0]).toEqual({ role: "tessera_app", tenant: TENANT });
    // Nothing of it survives the transaction on the pooled connection.
    const after = await db.query<{ role: string; tenant: string | null }>("SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant WHERE $1::int = 1", [1]);
    expect(after.rows[0].role).not.toBe("tessera_app");
    expect(after.rows[0].tenant ?? "").toBe("");
    // A tenant id that is not a UUID still works, bound as a parameter.
    const odd = await db.transaction((tx) => tx.query<{ tenant: string }>("SELECT current_setting('app.tenant_id') AS tenant WHERE $1::int = 1", [1]), { tenantId: "it's-odd" });
    expect(odd.rows[0].tenant).toBe("it's-odd");
  });
});
