// Tries to break in through the real HTTP API: real tokens from the dev issuer, real memberships,
// the CRM's role matrix, row rules, field rules and tenancy.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { ApiKeyStore, Engine, systemContext } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "./support/crmDatabase.ts";

const A = "1a000000-0000-4000-8000-00000000000a";
const B = "1b000000-0000-4000-8000-00000000000b";

let crm: CrmDatabase;
let app: FastifyInstance;
let stateDir: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

interface GraphQLResponse {
  status: number;
  data: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function gql(who: string | null, query: string, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const auth: Record<string, string> = who === null ? {} : who.startsWith("tsk_") ? { authorization: `Bearer ${who}` } : { authorization: `Bearer ${tokens[who]}` };
  const response = await app.inject({ method: "POST", url: "/graphql", headers: { ...auth, ...headers }, payload: { query } });
  const body = response.json() as { data?: Record<string, unknown> | null; errors?: GraphQLResponse["errors"] };
  return { status: response.statusCode, data: body.data ?? null, errors: body.errors };
}

function codeOf(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}

beforeAll(async () => {
  crm = await openCrmDatabase([A, B]);
  const engine = new Engine({ schema: crm.schema, db: crm.db });
  const sysA = systemContext(A);
  const sysB = systemContext(B);
  const teamNorth = await engine.model("Team").create({ name: "North" }, sysA);
  const teamSouth = await engine.model("Team").create({ name: "South" }, sysA);
  const people: [string, string, string | null, string][] = [
    ["sales1", "sales", teamNorth.id as string, A],
    ["sales2", "sales", teamSouth.id as string, A],
    ["mate", "sales", teamNorth.id as string, A],
    ["viewer", "viewer", null, A],
    ["manager", "manager", null, A],
    ["outsider", "admin", null, B],
  ];
  stateDir = mkdtempSync(join(tmpdir(), "tessera-security-"));
  const server = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, rateLimit: { perIp: 10_000, perPrincipal: 10_000, durationSeconds: 60 }, credentialRecheckMs: 100 });
  app = server.app;
  for (const [name, role, team, tenant] of people) {
    const user = await engine.model("User").create({ email: `${name}@example.com`, name }, systemContext(tenant));
    ids[name] = user.id as string;
    await engine.model("Membership").create({ userId: user.id, role, ...(team ? { teamId: team } : {}) }, systemContext(tenant));
    tokens[name] = await server.devIssuer!.issueDevToken({ sub: user.id as string, roles: [role], tenantId: tenant, teams: team ? [team] : [] });
  }
  const company = await engine.model("Company").create({ name: "Acme", annualRevenue: "1000000" }, sysA);
  const contact = await engine.model("Contact").create({ firstName: "José", companyId: company.id, ownerId: ids.sales1 }, sysA);
  const deal = await engine.model("Deal").create({ title: "Secret deal", value: 5000, contactId: contact.id, companyId: company.id, ownerId: ids.sales1 }, sysA);
  Object.assign(ids, { company: company.id as string, contact: contact.id as string, deal: deal.id as string });
  await engine.model("Company").create({ name: "Tenant B Corp" }, sysB);
});

afterAll(async () => {
  await app?.close();
  await crm?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("role matrix through the API", () => {
  it("denies a viewer create and allows sales", async () => {
    const mutation = (owner: string) => `mutation { createDeal(data: { title: "New", contactId: "${ids.contact}", ownerId: "${owner}" }) { id } }`;
    expect(codeOf(await gql("viewer", mutation(ids.viewer)))).toBe("FORBIDDEN");
    const ok = await gql("sales1", mutation(ids.sales1));
    expect(ok.errors).toBeUndefined();
  });

  it("denies sales delete and allows a manager", async () => {
    const scratch = await gql("manager", `mutation { createDeal(data: { title: "Scratch", contactId: "${ids.contact}", ownerId: "${ids.sales1}" }) { id } }`);
    const id = (scratch.data!.createDeal as { id: string }).id;
    expect(codeOf(await gql("sales1", `mutation { deleteDeal(where: { id: "${id}" }) { id } }`))).toBe("FORBIDDEN");
    expect((await gql("manager", `mutation { deleteDeal(where: { id: "${id}" }) { deletedAt } }`)).errors).toBeUndefined();
  });

  it("answers 401 without a token and with a forged one", async () => {
    expect((await gql(null, "{ deals { id } }")).status).toBe(401);
    tokens.forged = tokens.sales1.slice(0, -4) + (tokens.sales1.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await gql("forged", "{ deals { id } }")).status).toBe(401);
  });
});

describe("row rules: a sales user cannot see another sales user's deal", () => {
  it("hides it from the list, by id, includes, aggregates, group-by and search", async () => {
    const probes: Record<string, string> = {
      list: `{ deals { id } }`,
      byId: `{ deal(where: { id: "${ids.deal}" }) { id } }`,
      include: `{ contacts { deals { id } } companies { deals { id } } }`,
      aggregate: `{ dealsConnection { aggregate { count sum { value } } } }`,
      groupBy: `{ dealsGroupBy(by: [stage]) { count } }`,
      search: `{ deals(where: { _search: "secret" }) { id } }`,
      relationFilter: `{ contacts(where: { deals_some: { title: "Secret deal" } }) { id } }`,
    };
    for (const [path, query] of Object.entries(probes)) {
      const outsider = JSON.stringify((await gql("sales2", query)).data);
      const owner = JSON.stringify((await gql("sales1", query)).data);
      expect(outsider, path).not.toContain(ids.deal);
      expect(outsider, path).not.toMatch(/"count":[1-9]/);
      if (path !== "include" && path !== "relationFilter") expect(owner, path).toMatch(new RegExp(`${ids.deal}|"count":[1-9]`));
    }
  });

  it("shows it to a teammate and to a manager", async () => {
    for (const who of ["mate", "manager"]) {
      const response = await gql(who, `{ deal(where: { id: "${ids.deal}" }) { title } }`);
      expect(response.data?.deal, who).toEqual({ title: "Secret deal" });
    }
  });

  it("refuses an update of it as not found", async () => {
    expect(codeOf(await gql("sales2", `mutation { updateDeal(where: { id: "${ids.deal}" }, data: { title: "mine now" }) { id } }`))).toBe("NOT_FOUND");
  });
});

describe("field rules", () => {
  it("never shows a hidden field and refuses filtering on it", async () => {
    const asViewer = await gql("viewer", `{ companies { name annualRevenue } }`);
    expect(asViewer.data?.companies).toEqual([{ name: "Acme", annualRevenue: null }]);
    expect(codeOf(await gql("viewer", `{ companies(where: { annualRevenue_gt: "1" }) { name } }`))).toBe("FORBIDDEN");
    const asManager = await gql("manager", `{ companies { annualRevenue } }`);
    expect(asManager.data?.companies).toEqual([{ annualRevenue: "1000000.0000" }]);
  });
});

describe("tenancy", () => {
  it("keeps tenant B's admin out of tenant A", async () => {
    const own = await gql("outsider", `{ companies { name } }`);
    expect(own.data?.companies).toEqual([{ name: "Tenant B Corp" }]);
    const claimed = await gql("outsider", `{ companies { name } }`, { "x-tenant-id": A });
    expect(claimed.status).toBe(403);
    expect(JSON.stringify(claimed)).not.toContain("Acme");
  });
});

describe("API keys", () => {
  it("act with their roles in their tenant only, and stop working when revoked", async () => {
    const store = new ApiKeyStore(crm.db);
    const { key, record } = await store.create({ tenantId: A, name: "reporting", roles: ["viewer"] });
    const read = await gql(key, `{ companies { name } }`);
    expect(read.data?.companies).toEqual([{ name: "Acme" }]);
    expect(codeOf(await gql(key, `mutation { createTag(data: { name: "x" }) { id } }`))).toBe("FORBIDDEN");
    expect((await gql(key, `{ companies { name } }`, { "x-tenant-id": B })).status).toBe(403);
    await store.revoke(A, record.id);
    expect((await gql(key, `{ companies { name } }`)).status).toBe(401);
  });

  it("close the WebSockets opened with a key once it is revoked (graphql-ws and realtime)", async () => {
    const store = new ApiKeyStore(crm.db);
    const { key, record } = await store.create({ tenantId: A, name: "dashboard", roles: ["viewer"] });
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const base = address.replace("http", "ws");
    const graphqlWs = new WebSocket(`${base}/graphql/ws`, "graphql-transport-ws");
    const graphqlClosed = closeOf(graphqlWs);
    await new Promise((resolve) => graphqlWs.once("open", resolve));
    graphqlWs.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${key}` } }));
    expect(JSON.parse(String(await new Promise((resolve) => graphqlWs.once("message", resolve))))).toEqual({ type: "connection_ack" });
    const realtimeWs = new WebSocket(`${base}/realtime/ws?token=${encodeURIComponent(key)}`);
    const realtimeClosed = closeOf(realtimeWs);
    expect(JSON.parse(String(await new Promise((resolve) => realtimeWs.once("message", resolve))))).toMatchObject({ type: "welcome", tenantId: A });

    await store.revoke(A, record.id);
    expect(await graphqlClosed).toMatchObject({ code: 4401 });
    expect(await realtimeClosed).toMatchObject({ code: 4401 });
  });
});

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
}
