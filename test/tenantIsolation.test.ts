// Break-in tests for what a tenant shares with others: platform data (users) that no tenant role
// may list across tenants or change, record ids that must not reveal other tenants' records, and
// rules that must hold across several mutations of one request. Real HTTP, real tokens, the CRM.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { FieldIR, ModelIR } from "@tessera/schema";
import { Engine, systemContext } from "@tessera/engine";
import { modelNames } from "@tessera/graphql";
import { createApiServer } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "./support/crmDatabase.ts";

const A = "2a000000-0000-4000-8000-00000000000a";
const B = "2b000000-0000-4000-8000-00000000000b";
const ROLES = ["viewer", "sales", "manager", "admin"] as const;

let crm: CrmDatabase;
let engine: Engine;
let app: FastifyInstance;
let stateDir: string;
/** `<role>A` / `<role>B`: one member of each role in each tenant. */
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

interface GraphQLAnswer {
  data: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; fieldErrors?: { path: (string | number)[]; message: string }[] } }[];
}

async function gql(who: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
  const response = await app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${tokens[who]}` }, payload: { query, variables } });
  return response.json() as GraphQLAnswer;
}

const codes = (answer: GraphQLAnswer): (string | undefined)[] => (answer.errors ?? []).map((e) => e.extensions?.code);

/** Every root field of a refused request answered nothing: null data, or null per field. */
function expectNoData(answer: GraphQLAnswer): void {
  if (answer.data !== null) for (const [field, value] of Object.entries(answer.data)) expect(value, `${field}: ${JSON.stringify(answer)}`).toBeNull();
}

async function rows(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await crm.db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS x`, params)).rows[0].n);
}

async function exportCsv(who: string, model: string): Promise<{ status: number; body: string }> {
  const response = await app.inject({ method: "GET", url: `/api/export/${model}.csv`, headers: { authorization: `Bearer ${tokens[who]}` } });
  return { status: response.statusCode, body: response.body };
}

/** Values that pass a field's rules, for a row of any global model created through the system API. */
function sampleValue(field: FieldIR, n: number): unknown {
  const rule = (kind: string) => field.rules.some((r) => r.kind === kind);
  switch (field.type) {
    case "string":
    case "text":
      if (rule("email")) return `probe-${n}@probe.example`;
      if (rule("url")) return `https://probe.example/${n}`;
      return `probe ${n}`;
    case "int":
    case "float":
    case "decimal":
    case "money":
      return 1;
    case "boolean":
      return true;
    case "date":
      return "2026-01-01";
    case "datetime":
      return "2026-01-01T00:00:00Z";
    case "json":
      return {};
    case "array":
      return [];
    case "enum":
      return crm.schema.enums.find((e) => e.name === field.enum)?.values[0];
    default:
      return undefined;
  }
}

function sampleRow(model: ModelIR, n: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const field of model.fields) {
    if (field.system || field.type === "id") continue;
    const value = sampleValue(field, n);
    if (value !== undefined) row[field.name] = value;
  }
  return row;
}

const globalModels = (): ModelIR[] => crm.schema.models.filter((m) => !m.tenantScoped);

beforeAll(async () => {
  crm = await openCrmDatabase([A, B]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  stateDir = mkdtempSync(join(tmpdir(), "tessera-isolation-"));
  const server = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, rateLimit: { perIp: 100_000, perPrincipal: 100_000, durationSeconds: 60 } });
  app = server.app;
  for (const [tenant, suffix] of [[A, "A"], [B, "B"]] as const) {
    for (const role of ROLES) {
      const name = `${role}${suffix}`;
      const user = await engine.model("User").create({ email: `${name.toLowerCase()}@example.com`, name }, systemContext(tenant));
      ids[name] = user.id as string;
      await engine.model("Membership").create({ userId: user.id, role }, systemContext(tenant));
      tokens[name] = await server.devIssuer!.issueDevToken({ sub: user.id as string, roles: [role], tenantId: tenant, teams: [] });
    }
  }
  const contact = await engine.model("Contact").create({ firstName: "Ada", ownerId: ids.salesA }, systemContext(A));
  ids.contactA = contact.id as string;
  const deal = await engine.model("Deal").create({ title: "Won deal", stage: "won", actualCloseDate: "2026-02-20", contactId: contact.id, ownerId: ids.salesA }, systemContext(A));
  ids.wonDealA = deal.id as string;
  const contactB = await engine.model("Contact").create({ firstName: "Bea" }, systemContext(B));
  const dealB = await engine.model("Deal").create({ title: "B's deal", contactId: contactB.id }, systemContext(B));
  ids.dealB = dealB.id as string;
});

afterAll(async () => {
  await app?.close();
  await crm?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("global models (platform data) are never listed across tenants nor changed by a tenant's roles", () => {
  // Generic: every global model of the schema, whatever the app; rows are made from the fields' rules.
  it("the CRM has global models to check (User at least)", () => {
    expect(globalModels().map((m) => m.name)).toContain("User");
  });

  it("hides a global row linked to no tenant from every role of a tenant: list, by id, count, history, export", async () => {
    for (const [i, model] of globalModels().entries()) {
      const names = modelNames(model);
      const row = await engine.model(model.name).create(sampleRow(model, 1000 + i), systemContext(null));
      const probe = (id: string) =>
        `{ ${names.plural}(first: 100) { id } ${names.single}(where: { id: "${id}" }) { id } ${names.connection} { aggregate { count } } ${names.history}(id: "${id}") { seq } }`;
      for (const role of ROLES) {
        const who = `${role}B`;
        const answer = await gql(who, probe(String(row.id)));
        expect(answer.errors, `${model.name} as ${who}`).toBeUndefined();
        const listed = (answer.data?.[names.plural] as { id: string }[]).map((r) => r.id);
        expect(listed, `${model.name} as ${who}`).not.toContain(row.id);
        expect(answer.data?.[names.single], `${model.name} as ${who}`).toBeNull();
        expect(answer.data?.[names.history], `${model.name} as ${who}`).toEqual([]);
        // Only the tenant's own members are counted: the four of tenant B for User.
        expect((answer.data?.[names.connection] as { aggregate: { count: number } }).aggregate.count).toBe(listed.length);
        // The control: a row this tenant does see (listed above) comes back by the same query, so the
        // nulls and empty lists above are the hidden row's, not a query that finds nothing.
        expect(listed.length, `${model.name} as ${who}: nothing to compare with`).toBeGreaterThan(0);
        const visible = await gql(who, probe(listed[0]));
        expect(visible.errors, `${model.name} as ${who}`).toBeUndefined();
        expect(visible.data?.[names.single], `${model.name} as ${who}`).toEqual({ id: listed[0] });
        expect((visible.data?.[names.history] as unknown[]).length, `${model.name} as ${who}`).toBeGreaterThan(0);
        const exported = await exportCsv(who, model.name);
        expect(exported.status, exported.body).toBe(200);
        expect(exported.body).not.toContain(String(row.id));
        expect(exported.body).toContain(listed[0]);
      }
    }
  });

  it("refuses create, update, upsert, delete, restore and destroy of a global row to every role, and changes nothing", async () => {
    for (const [i, model] of globalModels().entries()) {
      const names = modelNames(model);
      const row = await engine.model(model.name).create(sampleRow(model, 2000 + i), systemContext(null));
      const before = await rows(`SELECT * FROM ${model.tableName} WHERE id = $1 AND version = 1 AND deleted_at IS NULL`, [row.id]);
      expect(before).toBe(1);
      const total = await rows(`SELECT * FROM ${model.tableName}`);
      for (const role of ROLES) {
        for (const tenant of ["A", "B"]) {
          const who = `${role}${tenant}`;
          const where = `where: { id: "${String(row.id)}" }`;
          const attempts = [
            [`mutation($data: ${names.createInput}!) { ${names.create}(data: $data) { id } }`, { data: sampleRow(model, 3000 + i) }],
            [`mutation($data: ${names.updateInput}!) { ${names.update}(${where}, data: $data) { id } }`, { data: sampleRow(model, 4000 + i) }],
            [`mutation { ${names.delete}(${where}) { id } }`, {}],
            [`mutation { ${names.restore}(${where}) { id } }`, {}],
            [`mutation { ${names.destroy}(${where}) { id } }`, {}],
            [`mutation($data: ${names.updateManyInput}!) { ${names.updateMany}(where: {}, data: $data) { count } }`, { data: {} }],
            [`mutation { ${names.deleteMany}(where: {}) { count } }`, {}],
          ] as const;
          for (const [query, variables] of attempts) {
            const answer = await gql(who, query, variables);
            expect(codes(answer), `${query} as ${who}`).toEqual(["FORBIDDEN"]);
            // Refused as platform data, not for a reason the probe did not mean (role matrix, input).
            expect(answer.errors?.[0].message, `${query} as ${who}`).toContain("platform data");
            expectNoData(answer);
          }
        }
      }
      expect(await rows(`SELECT * FROM ${model.tableName} WHERE id = $1 AND version = 1 AND deleted_at IS NULL`, [row.id])).toBe(1);
      expect(await rows(`SELECT * FROM ${model.tableName}`)).toBe(total);
    }
  });

  it("refuses a CSV import into a global model with a clear FORBIDDEN", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/import?model=User",
      headers: { authorization: `Bearer ${tokens.adminB}`, "content-type": "text/csv" },
      payload: "name,email\nIntruder,intruder@example.com\n",
    });
    expect(response.statusCode, response.body).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect(response.body).toContain("platform data");
    expect(await rows(`SELECT * FROM users WHERE email = 'intruder@example.com'`)).toBe(0);
    // The control: the same admin, request and CSV form into a tenant model is accepted.
    const accepted = await app.inject({
      method: "POST",
      url: "/api/import?model=Tag",
      headers: { authorization: `Bearer ${tokens.adminB}`, "content-type": "text/csv" },
      payload: "name\nImported by B\n",
    });
    expect(accepted.statusCode, accepted.body).toBe(202);
    const jobId = (accepted.json() as { jobId: string }).jobId;
    for (;;) {
      const status = (await app.inject({ method: "GET", url: `/api/import/${jobId}`, headers: { authorization: `Bearer ${tokens.adminB}` } })).json() as { state: string };
      if (["completed", "failed", "cancelled"].includes(status.state)) {
        expect(status.state, JSON.stringify(status)).toBe("completed");
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await rows(`SELECT * FROM tags WHERE name = 'Imported by B' AND tenant_id = $1`, [B])).toBe(1);
  });
});

describe("users: a tenant's admin sees its members only and manages memberships, not identities", () => {
  it("tenant B's admin cannot list, read, export, rename, re-address or destroy tenant A's users", async () => {
    const victim = ids.salesA;
    const listed = await gql("adminB", `{ users(first: 100) { id email } user(where: { id: "${victim}" }) { id } own: user(where: { id: "${ids.salesB}" }) { id } }`);
    expect(listed.errors).toBeUndefined();
    const emails = (listed.data?.users as { email: string }[]).map((u) => u.email).sort();
    expect(emails).toEqual(["adminb@example.com", "managerb@example.com", "salesb@example.com", "viewerb@example.com"]);
    expect(listed.data?.user).toBeNull();
    expect(listed.data?.own).toEqual({ id: ids.salesB });
    const exported = await exportCsv("adminB", "User");
    expect(exported.body).not.toContain("salesa@example.com");
    expect(exported.body).toContain("salesb@example.com");

    for (const mutation of [
      `mutation { updateUser(where: { id: "${victim}" }, data: { email: "owned@evil.example" }) { id } }`,
      `mutation { destroyUser(where: { id: "${victim}" }) { id } }`,
    ]) {
      const refused = await gql("adminB", mutation);
      expect(codes(refused), mutation).toEqual(["FORBIDDEN"]);
      expect(refused.errors?.[0].message, mutation).toContain("platform data");
      expectNoData(refused);
    }
    // Nor through a membership: B's admin cannot reach A's membership rows, and reaches B's.
    const memberships = await gql("adminB", `{ theirs: memberships(where: { userId: "${victim}" }) { id } ours: memberships(where: { userId: "${ids.salesB}" }) { userId } }`);
    expect(memberships).toEqual({ data: { theirs: [], ours: [{ userId: ids.salesB }] } });

    expect(await rows(`SELECT * FROM users WHERE id = $1 AND email = 'salesa@example.com'`, [victim])).toBe(1);
    expect(await rows(`SELECT * FROM memberships WHERE user_id = $1 AND tenant_id = $2`, [victim, A])).toBe(1);
  });

  it("tenant A's admin sees A's members, cannot change their identity, and removes one from the tenant through the membership", async () => {
    const listed = await gql("adminA", `{ users(first: 100, orderBy: email_ASC) { email } }`);
    expect(listed.errors).toBeUndefined();
    expect((listed.data?.users as { email: string }[]).map((u) => u.email)).toEqual(["admina@example.com", "managera@example.com", "salesa@example.com", "viewera@example.com"]);
    const rename = await gql("adminA", `mutation { updateUser(where: { id: "${ids.viewerA}" }, data: { name: "Renamed" }) { id } }`);
    expect(codes(rename)).toEqual(["FORBIDDEN"]);
    expect(rename.errors?.[0].message).toContain("platform data");
    expectNoData(rename);
    expect(await rows(`SELECT * FROM users WHERE id = $1 AND name = 'viewerA'`, [ids.viewerA])).toBe(1);

    const membership = await gql("adminA", `{ memberships(where: { userId: "${ids.viewerA}" }) { id } }`);
    expect(membership.errors).toBeUndefined();
    const membershipId = (membership.data?.memberships as { id: string }[])[0].id;
    const removed = await gql("adminA", `mutation { destroyMembership(where: { id: "${membershipId}" }) { id } }`);
    expect(removed.errors).toBeUndefined();
    const after = await gql("adminA", `{ users(first: 100, orderBy: email_ASC) { email } user(where: { id: "${ids.viewerA}" }) { id } }`);
    expect(after).toEqual({ data: { users: [{ email: "admina@example.com" }, { email: "managera@example.com" }, { email: "salesa@example.com" }], user: null } });
    // The user still exists on the platform; only the membership went, with its event.
    expect(await rows(`SELECT * FROM users WHERE id = $1`, [ids.viewerA])).toBe(1);
    expect(await rows(`SELECT * FROM tessera_events WHERE model = 'Membership' AND record_id = $1 AND type = 'Destroyed' AND tenant_id = $2`, [membershipId, A])).toBe(1);
  });

  it("cannot hand a record to a user of another tenant (the reference does not exist for it)", async () => {
    const handTo = (owner: string) => gql("adminA", `mutation { updateContact(where: { id: "${ids.contactA}" }, data: { ownerId: "${owner}" }) { ownerId } }`);
    const answer = await handTo(ids.salesB);
    expect(codes(answer)).toEqual(["VALIDATION_FAILED"]);
    expect(answer.errors?.[0].message).toContain("does not exist");
    expect(answer.errors?.[0].extensions?.fieldErrors?.map((e) => e.path)).toEqual([["data", "ownerId"]]);
    expectNoData(answer);
    expect(await rows(`SELECT * FROM contacts WHERE id = $1 AND owner_id = $2`, [ids.contactA, ids.salesA])).toBe(1);
    // The control: handing it to a member of its own tenant (and back) works.
    expect(await handTo(ids.managerA)).toEqual({ data: { updateContact: { ownerId: ids.managerA } } });
    expect(await handTo(ids.salesA)).toEqual({ data: { updateContact: { ownerId: ids.salesA } } });
  });
});

describe("record ids do not reveal other tenants' records", () => {
  it("a create with another tenant's id answers exactly as with a free id, and writes nothing", async () => {
    const attempt = (id: string) => gql("salesA", `mutation { createContact(data: { id: "${id}", firstName: "Probe", ownerId: "${ids.salesA}" }) { id } }`);
    const foreign = await attempt(ids.dealB);
    const free = await attempt(randomUUID());
    const own = await attempt(ids.contactA);
    const strip = (a: GraphQLAnswer) => JSON.stringify(a).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>");
    expect(codes(foreign)).toEqual(["VALIDATION_FAILED"]);
    expect(strip(foreign)).toBe(strip(free));
    expect(strip(own)).toBe(strip(free));
    expect(foreign.errors?.[0].message).toContain("assigned by the server");
    expectNoData(foreign);
    expect(await rows(`SELECT * FROM contacts WHERE first_name = 'Probe'`)).toBe(0);
    // The control: the same create without an id is accepted, so the id alone was refused.
    const control = await gql("salesA", `mutation { createContact(data: { firstName: "Control", ownerId: "${ids.salesA}" }) { firstName } }`);
    expect(control).toEqual({ data: { createContact: { firstName: "Control" } } });
  });

  it("a CSV import row with another tenant's id is rejected exactly as one with a free id", async () => {
    const free = randomUUID();
    const rejected = async (upsertBy: string | null) => {
      const query = new URLSearchParams({ model: "Contact", ...(upsertBy ? { upsertBy } : {}) }).toString();
      const response = await app.inject({
        method: "POST",
        url: `/api/import?${query}`,
        headers: { authorization: `Bearer ${tokens.adminA}`, "content-type": "text/csv" },
        payload: `id,firstName\n${ids.dealB},Foreign\n${free},Free\n`,
      });
      expect(response.statusCode, response.body).toBe(202);
      const jobId = (response.json() as { jobId: string }).jobId;
      for (;;) {
        const status = (await app.inject({ method: "GET", url: `/api/import/${jobId}`, headers: { authorization: `Bearer ${tokens.adminA}` } })).json() as {
          state: string;
          errors?: { row: number; errors: { field: string; message: string }[] }[];
          counts?: Record<string, number>;
        };
        if (["completed", "failed", "cancelled"].includes(status.state)) return status;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    for (const upsertBy of [null, "id"]) {
      const status = await rejected(upsertBy);
      const report = JSON.stringify(status);
      const messages = [...report.matchAll(/"message":"([^"]*)"/g)].map((m) => m[1]);
      expect(messages.length, report).toBeGreaterThanOrEqual(2);
      // One message for both rows, the same whatever the id, and it is about the id.
      expect(new Set(messages).size, report).toBe(1);
      expect(messages[0], report).toContain("assigned by the server");
    }
    expect(await rows(`SELECT * FROM contacts WHERE first_name IN ('Foreign', 'Free')`)).toBe(0);
  });
});

describe("a won deal is changed or deleted only by an admin, also in two steps of one request", () => {
  it("refuses a manager's 'set to lost, then delete' in one request and leaves the deal as it was", async () => {
    const answer = await gql(
      "managerA",
      `mutation { lose: updateDeal(where: { id: "${ids.wonDealA}" }, data: { stage: lost }) { id stage } drop: deleteDeal(where: { id: "${ids.wonDealA}" }) { id } }`,
    );
    expect(codes(answer)).toEqual(["FORBIDDEN", "FORBIDDEN"]);
    expect(answer.data).toEqual({ lose: null, drop: null });
    expect(await rows(`SELECT * FROM deals WHERE id = $1 AND stage = 'won' AND deleted_at IS NULL AND version = 1`, [ids.wonDealA])).toBe(1);
    const renamed = await gql("salesA", `mutation { updateDeal(where: { id: "${ids.wonDealA}" }, data: { title: "Renamed" }) { id } }`);
    expect(codes(renamed)).toEqual(["FORBIDDEN"]);
    expect(renamed.data).toEqual({ updateDeal: null });
    // A bulk update skips the rows it may not change: none counted, none changed.
    expect(await gql("managerA", `mutation { updateManyDealsConnection(where: { id: "${ids.wonDealA}" }, data: { stage: lost }) { count } }`)).toEqual({ data: { updateManyDealsConnection: { count: 0 } } });
    expect(await rows(`SELECT * FROM deals WHERE id = $1 AND stage = 'won'`, [ids.wonDealA])).toBe(1);
  });

  it("still lets sales win a deal, and an admin change a won one", async () => {
    const created = await gql("salesA", `mutation { createDeal(data: { title: "To win", contactId: "${ids.contactA}", ownerId: "${ids.salesA}" }) { id } }`);
    const id = (created.data?.createDeal as { id: string }).id;
    const won = await gql("salesA", `mutation { updateDeal(where: { id: "${id}" }, data: { stage: won, actualCloseDate: "2026-02-20" }) { stage } }`);
    expect(won.errors).toBeUndefined();
    expect(won.data?.updateDeal).toEqual({ stage: "won" });
    expect(codes(await gql("salesA", `mutation { updateDeal(where: { id: "${id}" }, data: { stage: lost }) { stage } }`))).toEqual(["FORBIDDEN"]);
    const admin = await gql("adminA", `mutation { lose: updateDeal(where: { id: "${id}" }, data: { stage: lost, lostReason: "Budget" }) { stage } drop: deleteDeal(where: { id: "${id}" }) { id } }`);
    expect(admin).toEqual({ data: { lose: { stage: "lost" }, drop: { id } } });
  });
});
