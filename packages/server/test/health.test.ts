import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "@tessera/engine";
import { createServer } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

let crm: CrmDatabase;
beforeAll(async () => {
  crm = await openCrmDatabase();
});
afterAll(async () => {
  await crm?.drop();
});

describe("health endpoints", () => {
  it("answers /healthz and /readyz when the database is up, and 503 on /readyz when it is gone", async () => {
    const engine = new Engine({ schema: crm.schema, db: crm.db });
    const app = await createServer({ engine, appName: "crm" });
    expect((await app.inject({ url: "/healthz" })).json()).toMatchObject({ status: "ok", app: "crm" });
    expect((await app.inject({ url: "/readyz" })).json()).toEqual({ status: "ready", database: crm.db.kind });
    const broken = new Engine({ schema: crm.schema, db: { ...crm.db, kind: crm.db.kind, query: () => Promise.reject(new Error("down")) } as typeof crm.db });
    const down = await createServer({ engine: broken, appName: "crm" });
    const response = await down.inject({ url: "/readyz" });
    expect(response.statusCode).toBe(503);
    await app.close();
    await down.close();
  });
});
