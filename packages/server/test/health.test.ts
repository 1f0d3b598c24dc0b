import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "@tessera/engine";
import type { Database } from "@tessera/db";
import { createServer } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

let crm: CrmDatabase;
beforeAll(async () => {
  crm = await openCrmDatabase();
});
afterAll(async () => {
  await crm?.drop();
});

/** The CRM database with `query` failing, as when the server is unreachable. */
function unreachable(db: Database): Database {
  return new Proxy(db, { get: (target, key) => (key === "query" ? () => Promise.reject(new Error("down")) : Reflect.get(target, key)) });
}

describe("operations endpoints", () => {
  it("answers /healthz and /readyz when the database is up, and 503 on /readyz when it is gone", async () => {
    const app = await createServer({ engine: new Engine({ schema: crm.schema, db: crm.db }), appName: "crm" });
    expect((await app.inject({ url: "/healthz" })).json()).toMatchObject({ status: "ok", app: "crm" });
    expect((await app.inject({ url: "/readyz" })).json()).toEqual({ status: "ready", database: crm.db.kind });
    const down = await createServer({ engine: new Engine({ schema: crm.schema, db: unreachable(crm.db) }), appName: "crm" });
    expect((await down.inject({ url: "/readyz" })).statusCode).toBe(503);
    await app.close();
    await down.close();
  });

  it("echoes a caller's request id and makes one up otherwise", async () => {
    const app = await createServer({ engine: new Engine({ schema: crm.schema, db: crm.db }), appName: "crm" });
    expect((await app.inject({ url: "/healthz", headers: { "x-request-id": "abc-123" } })).headers["x-request-id"]).toBe("abc-123");
    expect((await app.inject({ url: "/healthz", headers: { "x-request-id": "bad id with spaces" } })).headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    await app.close();
  });

  it("exports request and SQL durations at /metrics", async () => {
    const engine = new Engine({ schema: crm.schema, db: crm.db });
    const app = await createServer({ engine, appName: "crm" });
    await app.inject({ url: "/readyz" });
    const text = (await app.inject({ url: "/metrics" })).body;
    expect(text).toMatch(/tessera_http_request_duration_seconds_count\{method="GET",route="\/readyz",status="200"\} 1/);
    expect(text).toMatch(/tessera_sql_statement_duration_seconds_count\{ok="true"\} [1-9]/);
    expect(text).toMatch(/tessera_event_dispatch_lag_seconds \d/);
    expect(text).toMatch(/tessera_http_open_connections \d/);
    await app.close();
  });

  it("refuses the request past the per-IP burst with 429 and Retry-After, GraphQL-shaped on /graphql", async () => {
    const app = await createServer({
      engine: new Engine({ schema: crm.schema, db: crm.db }),
      appName: "crm",
      rateLimit: { perIp: 3, perPrincipal: 100, durationSeconds: 60 },
      register: async (server) => {
        server.post("/graphql", async () => ({ data: { ok: true } }));
      },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.inject({ method: "POST", url: "/graphql", payload: { query: "{ ok }" } })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await app.inject({ method: "POST", url: "/graphql", payload: { query: "{ ok }" } });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ errors: [{ extensions: { code: "RATE_LIMITED" } }] });
    // Health checks stay reachable for orchestrators.
    expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
    await app.close();
  });

  it("rejects an oversized body with 413", async () => {
    const app = await createServer({
      engine: new Engine({ schema: crm.schema, db: crm.db }),
      appName: "crm",
      bodyLimitBytes: 1024,
      register: async (server) => {
        server.post("/graphql", async () => ({ data: null }));
      },
    });
    const response = await app.inject({ method: "POST", url: "/graphql", payload: { query: "x".repeat(5000) } });
    expect(response.statusCode).toBe(413);
    await app.close();
  });
});
