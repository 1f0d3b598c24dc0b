// The HTTP edge of the real API server (issue #10): rate limits that percent-encoding cannot dodge,
// failed credentials limited per IP and per API key prefix, records written charged against the
// principal's limit and capped per request, and the operational endpoints behind a token.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyStore, Engine, systemContext } from "@tessera/engine";
import { createApiServer, type ApiServerOptions } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "./support/crmDatabase.ts";

const A = "1e000000-0000-4000-8000-00000000000a";

let crm: CrmDatabase;
let engine: Engine;
let stateDir: string;
let apiKey: string;
const opened: { close(): Promise<unknown> }[] = [];

async function server(options: Partial<ApiServerOptions> = {}) {
  const api = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, tenantId: A, ...options });
  opened.push(api.app);
  return api;
}

const LIMITS = { perIp: 10_000, perPrincipal: 10_000, durationSeconds: 60 };
const companies = async (): Promise<number> => (await engine.model("Company").aggregate({ count: true }, systemContext(A))).count!;
const query = (url: string, headers: Record<string, string> = {}, remoteAddress = "127.0.0.1") => ({ method: "POST" as const, url, headers, remoteAddress, payload: { query: "{ companies { id } }" } });

beforeAll(async () => {
  crm = await openCrmDatabase([A]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  stateDir = mkdtempSync(join(tmpdir(), "tessera-edge-"));
  apiKey = (await new ApiKeyStore(crm.db).create({ tenantId: A, name: "writer", roles: ["admin"] })).key;
});

afterAll(async () => {
  for (const app of opened) await app.close();
  await crm?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("rate limits on the routed path", () => {
  it("counts /%67raphql as /graphql", async () => {
    const { app } = await server({ rateLimit: { ...LIMITS, perIp: 3 } });
    const statuses: number[] = [];
    for (const url of ["/%67raphql", "/%67raphql", "/graphql", "/%67%72aphql"]) statuses.push((await app.inject(query(url, { authorization: `Bearer ${apiKey}` }))).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await app.inject(query("/%67raphql", { authorization: `Bearer ${apiKey}` }));
    expect(refused.json()).toMatchObject({ errors: [{ extensions: { code: "RATE_LIMITED" } }] });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
  });
});

describe("failed credentials", () => {
  const wrongKey = (prefix: string) => `tsk_${prefix}_${"0".repeat(64)}`;

  it("refuses wrong API keys and bad bearer tokens from one IP with 429 after the limit, on encoded paths too, and leaves other IPs alone", async () => {
    const { app } = await server({ rateLimit: { ...LIMITS, failedCredentials: { perIp: 3, perKeyPrefix: 1_000, durationSeconds: 60 } } });
    const statuses: number[] = [];
    const attempts = [wrongKey("aaaaaaaaaaa1"), "not-a-jwt", wrongKey("aaaaaaaaaaa2"), wrongKey("aaaaaaaaaaa3"), "eyJhbGciOiJIUzI1NiJ9.e30.x"];
    for (const [i, credential] of attempts.entries()) {
      statuses.push((await app.inject(query(i % 2 ? "/%67raphql" : "/graphql", { authorization: `Bearer ${credential}` }, "10.0.0.1"))).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Refused unchecked, so even the right key learns nothing from this IP until the window ends.
    expect((await app.inject(query("/graphql", { authorization: `Bearer ${apiKey}` }, "10.0.0.1"))).statusCode).toBe(429);
    expect((await app.inject(query("/api/meta", { "x-api-key": wrongKey("aaaaaaaaaaa4") }, "10.0.0.1"))).statusCode).toBe(429);
    // Requests without a credential are not guesses; another IP is unaffected.
    expect((await app.inject({ method: "GET", url: "/auth/config", remoteAddress: "10.0.0.1" })).statusCode).toBe(200);
    expect((await app.inject(query("/graphql", { authorization: `Bearer ${apiKey}` }, "10.0.0.2"))).statusCode).toBe(200);
  });

  it("limits failed attempts against one API key prefix from many IPs", async () => {
    const { app } = await server({ rateLimit: { ...LIMITS, failedCredentials: { perIp: 1_000, perKeyPrefix: 3, durationSeconds: 60 } } });
    const target = apiKey.slice(4, 16);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.inject(query("/graphql", { "x-api-key": `tsk_${target}_${String(i).repeat(64)}` }, `10.1.0.${i}`))).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await app.inject(query("/graphql", { "x-api-key": wrongKey("bbbbbbbbbbbb") }, "10.1.0.9"))).statusCode).toBe(401);
  });
});

describe("records written count against the rate limit", () => {
  const creates = (n: number, tag: string) => ({ query: `mutation { ${Array.from({ length: n }, (_, i) => `c${i}: createCompany(data: { name: "${tag} ${i}" }) { id }`).join(" ")} }` });

  it("charges one point per record and refuses the request that would overspend, writing nothing", async () => {
    const { app } = await server({ rateLimit: { ...LIMITS, perPrincipal: 10 } });
    const send = (payload: { query: string }) => app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${apiKey}` }, payload });
    const before = await companies();
    expect((await send(creates(6, "Charged"))).statusCode).toBe(200);
    expect(await companies()).toBe(before + 6);
    // 6 points spent; 5 more records (plus the request) is over the 10.
    const refused = await send(creates(5, "Refused"));
    expect(refused.statusCode).toBe(429);
    expect(refused.json().errors[0].extensions).toMatchObject({ code: "RATE_LIMITED" });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(await companies()).toBe(before + 6);
  });

  it("caps records per request at maxWriteRecords, never above the per-principal limit", async () => {
    const { app } = await server({ rateLimit: { ...LIMITS, perPrincipal: 8 }, maxWriteRecords: 500 });
    const before = await companies();
    const response = await app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${apiKey}` }, payload: creates(9, "Over") });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ message: expect.stringMatching(/writes 9 records; the limit is 8 records per request/), extensions: { code: "VALIDATION_FAILED", limit: "maxWriteRecords", max: 8 } });
    expect(await companies()).toBe(before);
  });
});

describe("operational endpoints", () => {
  const TOKEN = "m".repeat(40);

  it("answer only the metrics token when one is set, and everyone otherwise", async () => {
    const { app } = await server({ metricsToken: TOKEN, rateLimit: LIMITS });
    for (const url of ["/metrics", "/realtime/health"]) {
      const anonymous = await app.inject({ url });
      expect(anonymous.statusCode, url).toBe(401);
      expect(anonymous.headers["www-authenticate"]).toBe('Bearer realm="metrics"');
      expect(anonymous.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
      expect((await app.inject({ url, headers: { authorization: "Bearer wrong" } })).statusCode).toBe(401);
      expect((await app.inject({ url, headers: { authorization: `Bearer ${apiKey}` } })).statusCode).toBe(401);
      expect((await app.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
      expect((await app.inject({ url: url.replace("m", "%6d"), headers: { authorization: "Bearer wrong" } })).statusCode).toBe(401);
    }
    expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
    const open = (await server({ rateLimit: LIMITS })).app;
    expect((await open.inject({ url: "/metrics" })).statusCode).toBe(200);
    expect((await open.inject({ url: "/realtime/health" })).statusCode).toBe(200);
  });

  it("limit guesses of the metrics token like any failed credential", async () => {
    const { app } = await server({ metricsToken: TOKEN, rateLimit: { ...LIMITS, failedCredentials: { perIp: 2, perKeyPrefix: 100, durationSeconds: 60 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.inject({ url: "/metrics", headers: { authorization: `Bearer guess${i}` }, remoteAddress: "10.2.0.1" })).statusCode);
    expect(statuses).toEqual([401, 401, 429]);
  });
});
