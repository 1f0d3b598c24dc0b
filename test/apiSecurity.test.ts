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
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; fieldErrors?: { path: (string | number)[]; rule: string }[] } }[];
}

async function gql(who: string | null, query: string, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const auth: Record<string, string> = who === null ? {} : who.startsWith("tsk_") ? { authorization: `Bearer ${who}` } : { authorization: `Bearer ${tokens[who]}` };
  const response = await app.inject({ method: "POST", url: "/graphql", headers: { ...auth, ...headers }, payload: { query } });
  const body = response.json() as { data?: Record<string, unknown> | null; errors?: GraphQLResponse["errors"] };
  return { status: response.statusCode, data: body.data ?? null, errors: body.errors };
}

/**
 * A refusal exactly: the HTTP status, one error with this code (and path, for a root field) and no
 * data. Checking the code alone would let a probe pass that fails for another reason: a typo in the
 * query is refused too (400, VALIDATION_FAILED), and so is a malformed argument.
 */
function expectRefused(response: GraphQLResponse, expected: { status?: number; code: string; field?: string; message?: string }): void {
  const { status = 200, code, field, message } = expected;
  const context = JSON.stringify(response);
  expect(response.status, context).toBe(status);
  expect(response.errors?.map((e) => e.extensions?.code), context).toEqual([code]);
  if (message !== undefined) expect(response.errors?.[0].message, context).toContain(message);
  if (field === undefined) {
    expect(response.data, context).toBeNull();
  } else {
    expect(response.errors?.[0].path, context).toEqual([field]);
    // A nullable root field answers null; a non-null one (a list) nulls the whole data.
    if (response.data !== null) expect(response.data, context).toEqual({ [field]: null });
  }
}

/** An answer exactly: no error at all, and this data. */
function expectAnswer(response: GraphQLResponse, data: Record<string, unknown>): void {
  expect({ status: response.status, errors: response.errors, data: response.data }).toEqual({ status: 200, errors: undefined, data });
}

async function rows(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await crm.db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS x`, params)).rows[0].n);
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
  // sales2 owns the company and the contact "Sam", and sees them; sales1 does not. On them sit sales1's
  // secret deal, which sales2 must not see, and sales2's own open deal, which sales2 must see: the
  // parent rows are visible, so only the deal's row rule can hide the secret deal from includes and
  // relation filters. sales1's contact "José" is where the role-matrix tests create deals.
  const company = await engine.model("Company").create({ name: "Acme", annualRevenue: "1000000", ownerId: ids.sales2 }, sysA);
  const contact = await engine.model("Contact").create({ firstName: "José", companyId: company.id, ownerId: ids.sales1 }, sysA);
  const shared = await engine.model("Contact").create({ firstName: "Sam", companyId: company.id, ownerId: ids.sales2 }, sysA);
  const deal = await engine.model("Deal").create({ title: "Secret deal", value: 5000, stage: "lead", contactId: shared.id, companyId: company.id, ownerId: ids.sales1 }, sysA);
  const own = await engine.model("Deal").create({ title: "Open deal", value: 70, stage: "qualified", contactId: shared.id, companyId: company.id, ownerId: ids.sales2 }, sysA);
  Object.assign(ids, { company: company.id as string, contact: contact.id as string, shared: shared.id as string, deal: deal.id as string, own: own.id as string });
  await engine.model("Company").create({ name: "Tenant B Corp" }, sysB);
});

afterAll(async () => {
  await app?.close();
  await crm?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("role matrix through the API", () => {
  it("denies a viewer create and allows sales", async () => {
    const mutation = (title: string, owner: string) => `mutation { createDeal(data: { title: "${title}", contactId: "${ids.contact}", ownerId: "${owner}" }) { title } }`;
    expectRefused(await gql("viewer", mutation("By the viewer", ids.viewer)), { code: "FORBIDDEN", field: "createDeal", message: "crm.deal.create requires one of" });
    expect(await rows(`SELECT 1 FROM deals WHERE title = 'By the viewer'`)).toBe(0);
    expectAnswer(await gql("sales1", mutation("By sales", ids.sales1)), { createDeal: { title: "By sales" } });
    expect(await rows(`SELECT 1 FROM deals WHERE title = 'By sales'`)).toBe(1);
  });

  it("denies sales delete and allows a manager", async () => {
    const scratch = await gql("manager", `mutation { createDeal(data: { title: "Scratch", contactId: "${ids.contact}", ownerId: "${ids.sales1}" }) { id } }`);
    const id = (scratch.data!.createDeal as { id: string }).id;
    const live = `SELECT 1 FROM deals WHERE id = $1 AND deleted_at IS NULL`;
    // sales1 owns the deal, so only the role matrix refuses the delete.
    expectRefused(await gql("sales1", `mutation { deleteDeal(where: { id: "${id}" }) { id } }`), { code: "FORBIDDEN", field: "deleteDeal", message: "crm.deal.delete requires one of" });
    expect(await rows(live, [id])).toBe(1);
    expectAnswer(await gql("manager", `mutation { deleteDeal(where: { id: "${id}" }) { id } }`), { deleteDeal: { id } });
    expect(await rows(live, [id])).toBe(0);
  });

  it("answers 401 without a token and with a forged one, and answers the same query with the real token", async () => {
    const query = `{ deals(where: { id: "${ids.deal}" }) { id } }`;
    expectRefused(await gql(null, query), { status: 401, code: "UNAUTHENTICATED", field: "deals" });
    tokens.forged = tokens.sales1.slice(0, -4) + (tokens.sales1.endsWith("AAAA") ? "BBBB" : "AAAA");
    const forged = await gql("forged", query);
    expect(forged.status, JSON.stringify(forged)).toBe(401);
    expect(forged.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    expect(JSON.stringify(forged)).not.toContain(ids.deal.slice(9));
    expectAnswer(await gql("sales1", query), { deals: [{ id: ids.deal }] });
  });
});

describe("row rules: a sales user cannot see another sales user's deal", () => {
  const nodeId = (model: string, id: string) => Buffer.from(`${model}:${id}`).toString("base64");
  /**
   * Each read path, asked by someone the row rules hide a row from (the answer: no error, the row is
   * simply not there) and, as the control, the same query by someone allowed, which must return it.
   * Without the control a probe passes when the path returns nothing for anybody (an include that
   * never works, a filter that matches nothing).
   */
  const probes = (): Record<string, { query: string; hidden: [string, Record<string, unknown>]; allowed: [string, Record<string, unknown>] }> => ({
    list: {
      query: `{ deals(where: { contactId: "${ids.shared}" }, orderBy: title_ASC) { id } }`,
      hidden: ["sales2", { deals: [{ id: ids.own }] }],
      allowed: ["sales1", { deals: [{ id: ids.deal }] }],
    },
    byId: {
      query: `{ deal(where: { id: "${ids.deal}" }) { id } }`,
      hidden: ["sales2", { deal: null }],
      allowed: ["sales1", { deal: { id: ids.deal } }],
    },
    node: {
      query: `{ node(id: "${nodeId("Deal", ids.deal)}") { ... on Deal { id } } }`,
      hidden: ["sales2", { node: null }],
      allowed: ["sales1", { node: { id: ids.deal } }],
    },
    history: {
      query: `{ dealHistory(id: "${ids.deal}") { type } }`,
      hidden: ["sales2", { dealHistory: [] }],
      allowed: ["sales1", { dealHistory: [{ type: "CREATED" }] }],
    },
    // sales2 sees the contact and the company, so the include shows sales2's own deal and must leave
    // out the secret one; a manager sees both through the same include.
    include: {
      query: `{ contacts(where: { id: "${ids.shared}" }) { deals(orderBy: title_ASC) { id } } companies(where: { id: "${ids.company}" }) { deals(orderBy: title_ASC) { id } } }`,
      hidden: ["sales2", { contacts: [{ deals: [{ id: ids.own }] }], companies: [{ deals: [{ id: ids.own }] }] }],
      allowed: ["manager", { contacts: [{ deals: [{ id: ids.own }, { id: ids.deal }] }], companies: [{ deals: [{ id: ids.own }, { id: ids.deal }] }] }],
    },
    // The other way: sales1 reads the secret deal but not sales2's contact and company behind it.
    includeParent: {
      query: `{ deal(where: { id: "${ids.deal}" }) { contact { id } company { id } } }`,
      hidden: ["sales1", { deal: { contact: null, company: null } }],
      allowed: ["manager", { deal: { contact: { id: ids.shared }, company: { id: ids.company } } }],
    },
    aggregate: {
      query: `{ dealsConnection(where: { contactId: "${ids.shared}" }) { aggregate { count sum { value } } } }`,
      hidden: ["sales2", { dealsConnection: { aggregate: { count: 1, sum: { value: "70.0000" } } } }],
      allowed: ["sales1", { dealsConnection: { aggregate: { count: 1, sum: { value: "5000.0000" } } } }],
    },
    groupBy: {
      query: `{ dealsGroupBy(by: [stage], where: { contactId: "${ids.shared}" }) { key { stage } count } }`,
      hidden: ["sales2", { dealsGroupBy: [{ key: { stage: "qualified" }, count: 1 }] }],
      allowed: ["sales1", { dealsGroupBy: [{ key: { stage: "lead" }, count: 1 }] }],
    },
    search: {
      query: `{ deals(where: { _search: "secret" }) { id } }`,
      hidden: ["sales2", { deals: [] }],
      allowed: ["sales1", { deals: [{ id: ids.deal }] }],
    },
    // The contact is visible to sales2 (the open deal finds it); the secret deal must not.
    relationFilter: {
      query: `{ secret: contacts(where: { deals_some: { title: "Secret deal" } }) { id } open: contacts(where: { deals_some: { title: "Open deal" } }) { id } }`,
      hidden: ["sales2", { secret: [], open: [{ id: ids.shared }] }],
      allowed: ["manager", { secret: [{ id: ids.shared }], open: [{ id: ids.shared }] }],
    },
    // Filtering by a related row the principal cannot read must not reveal it either.
    parentFilter: {
      query: `{ deals(where: { id: "${ids.deal}", contact: { firstName: "Sam" } }) { id } }`,
      hidden: ["sales1", { deals: [] }],
      allowed: ["manager", { deals: [{ id: ids.deal }] }],
    },
  });

  // Only the names are read here, before beforeAll has made the records.
  it.each(Object.keys(probes()))("hides it on the %s path, which shows it to someone allowed", async (path) => {
    const probe = probes()[path];
    const [hiddenFrom, hiddenAnswer] = probe.hidden;
    const [allowed, allowedAnswer] = probe.allowed;
    expectAnswer(await gql(hiddenFrom, probe.query), hiddenAnswer);
    expectAnswer(await gql(allowed, probe.query), allowedAnswer);
  });

  it("shows it to a teammate and to a manager", async () => {
    for (const who of ["mate", "manager"]) {
      expectAnswer(await gql(who, `{ deal(where: { id: "${ids.deal}" }) { title } }`), { deal: { title: "Secret deal" } });
    }
  });

  it("refuses an update of it as not found, and lets its owner update it", async () => {
    const update = (title: string) => `mutation { updateDeal(where: { id: "${ids.deal}" }, data: { title: "${title}" }) { title } }`;
    expectRefused(await gql("sales2", update("mine now")), { code: "NOT_FOUND", field: "updateDeal", message: "was not found" });
    expect(await rows(`SELECT 1 FROM deals WHERE id = $1 AND title = 'Secret deal' AND version = 1`, [ids.deal])).toBe(1);
    expectAnswer(await gql("sales1", update("Secret deal")), { updateDeal: { title: "Secret deal" } });
    expect(await rows(`SELECT 1 FROM deals WHERE id = $1 AND version = 2`, [ids.deal])).toBe(1);
  });
});

describe("field rules", () => {
  it("never shows a hidden field and refuses filtering on it", async () => {
    expectAnswer(await gql("viewer", `{ companies { name annualRevenue } }`), { companies: [{ name: "Acme", annualRevenue: null }] });
    expectAnswer(await gql("manager", `{ companies { annualRevenue } }`), { companies: [{ annualRevenue: "1000000.0000" }] });
    const filter = `{ companies(where: { annualRevenue_gt: "1" }) { name } }`;
    const refused = await gql("viewer", filter);
    expectRefused(refused, { code: "FORBIDDEN", field: "companies" });
    expect(refused.errors?.[0].extensions?.fieldErrors).toEqual([expect.objectContaining({ path: ["where", "annualRevenue_gt"], rule: "field_access" })]);
    expectAnswer(await gql("manager", filter), { companies: [{ name: "Acme" }] });
  });
});

describe("tenancy", () => {
  it("keeps tenant B's admin out of tenant A", async () => {
    const query = `{ companies { name } }`;
    expectAnswer(await gql("outsider", query), { companies: [{ name: "Tenant B Corp" }] });
    const claimed = await gql("outsider", query, { "x-tenant-id": A });
    expectRefused(claimed, { status: 403, code: "FORBIDDEN", message: "another tenant" });
    expect(JSON.stringify(claimed)).not.toContain("Acme");
    // The same header from a member of tenant A is accepted: the refusal is about the outsider.
    expectAnswer(await gql("manager", query, { "x-tenant-id": A }), { companies: [{ name: "Acme" }] });
  });
});

describe("API keys", () => {
  it("act with their roles in their tenant only, and stop working when revoked", async () => {
    const store = new ApiKeyStore(crm.db);
    const { key, record } = await store.create({ tenantId: A, name: "reporting", roles: ["viewer"] });
    const query = `{ companies { name } }`;
    expectAnswer(await gql(key, query), { companies: [{ name: "Acme" }] });
    expectAnswer(await gql(key, query, { "x-tenant-id": A }), { companies: [{ name: "Acme" }] });
    expectRefused(await gql(key, `mutation { createTag(data: { name: "by the key" }) { id } }`), { code: "FORBIDDEN", field: "createTag", message: "crm.tag.create requires one of" });
    expect(await rows(`SELECT 1 FROM tags WHERE name = 'by the key'`)).toBe(0);
    expectRefused(await gql(key, query, { "x-tenant-id": B }), { status: 403, code: "FORBIDDEN", message: "another tenant" });
    await store.revoke(A, record.id);
    const revoked = await gql(key, query);
    expect(revoked.status, JSON.stringify(revoked)).toBe(401);
    expect(revoked.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    expect(revoked.data).toBeNull();
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
