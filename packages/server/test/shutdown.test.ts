import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine, systemContext } from "@tessera/engine";
import { createApiServer, createServer } from "@tessera/server";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0f000000-0000-4000-8000-00000000000f";
let crm: CrmDatabase;
beforeAll(async () => {
  crm = await openCrmDatabase([TENANT]);
});
afterAll(async () => {
  await crm?.drop();
});

describe("graceful shutdown", () => {
  it("lets an in-flight request finish, then refuses new connections", async () => {
    let release: () => void = () => undefined;
    const app = await createServer({
      engine: new Engine({ schema: crm.schema, db: crm.db }),
      appName: "crm",
      register: async (server) => {
        server.get("/slow", async () => {
          await new Promise<void>((resolve) => (release = resolve));
          return { done: true };
        });
      },
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const inFlight = fetch(`${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = app.close();
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closing;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe("structured logs", () => {
  it("logs JSON lines with the request id, the principal and the tenant", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const stateDir = mkdtempSync(join(tmpdir(), "tessera-logs-"));
    const engine = new Engine({ schema: crm.schema, db: crm.db });
    const { app, devIssuer } = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: { level: "info", stream } as never });
    const system = systemContext(TENANT);
    const user = await engine.model("User").create({ email: "logs@example.com", name: "Log Reader" }, system);
    await engine.model("Membership").create({ userId: user.id, role: "admin" }, system);
    const token = await devIssuer!.issueDevToken({ sub: user.id as string, roles: ["admin"], tenantId: TENANT });
    await app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${token}`, "x-request-id": "req-42" }, payload: { query: "{ tags { name } }" } });
    const completed = lines.find((l) => l.reqId === "req-42" && l.msg === "request completed");
    expect(completed).toBeDefined();
    expect(completed).toMatchObject({ statusCode: 200, principal: user.id, tenant: TENANT });
    await app.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
});
