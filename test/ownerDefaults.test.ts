// A salesperson creates records without picking herself as owner: owner fields declared with
// `default: "$principal.sub"` become the creating user on every create path (GraphQL, nested
// creates, upserts, CSV import), and the row rules then see her as the owner. Real HTTP, the CRM.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ApiKeyStore, Engine, systemContext } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "./support/crmDatabase.ts";

const A = "5a000000-0000-4000-8000-00000000000a";

let crm: CrmDatabase;
let engine: Engine;
let app: FastifyInstance;
let stateDir: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

async function gql(who: string, query: string, headers: Record<string, string> = {}) {
  const auth = who.startsWith("tsk_") ? { "x-api-key": who } : { authorization: `Bearer ${tokens[who]}` };
  const response = await app.inject({ method: "POST", url: "/graphql", headers: { ...auth, ...headers }, payload: { query } });
  return response.json() as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

beforeAll(async () => {
  crm = await openCrmDatabase([A]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  const sys = systemContext(A);
  const north = (await engine.model("Team").create({ name: "North" }, sys)).id as string;
  const south = (await engine.model("Team").create({ name: "South" }, sys)).id as string;
  stateDir = mkdtempSync(join(tmpdir(), "tessera-owner-"));
  const server = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, rateLimit: { perIp: 100_000, perPrincipal: 100_000, durationSeconds: 60 } });
  app = server.app;
  for (const [name, role, team] of [["chloe", "sales", north], ["mate", "sales", north], ["stranger", "sales", south]] as const) {
    const user = await engine.model("User").create({ email: `${name}@example.com`, name }, systemContext(null));
    ids[name] = user.id as string;
    await engine.model("Membership").create({ userId: user.id, role, teamId: team }, sys);
    tokens[name] = await server.devIssuer!.issueDevToken({ sub: ids[name], roles: [role], tenantId: A });
  }
});

afterAll(async () => {
  await app?.close();
  await crm?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("owner fields default to the creating user", () => {
  it("lets a salesperson create a contact and a deal without naming an owner, and owns them", async () => {
    const created = await gql(
      "chloe",
      `mutation { createDeal(data: { title: "First deal", contact: { create: { firstName: "Ada" } }, activities: { create: [{ type: note, title: "Met Ada" }] } }) { id ownerId contact { ownerId } activities { assignedToId } } }`,
    );
    expect(created.errors, JSON.stringify(created)).toBeUndefined();
    expect(created.data?.createDeal).toMatchObject({ ownerId: ids.chloe, contact: { ownerId: ids.chloe }, activities: [{ assignedToId: ids.chloe }] });
    const mine = await gql("chloe", `{ deals { title } contacts { firstName } }`);
    expect(mine.data).toEqual({ deals: [{ title: "First deal" }], contacts: [{ firstName: "Ada" }] });
  });

  it("keeps an owner she names: a teammate is allowed, someone outside her teams is refused", async () => {
    const handed = await gql("chloe", `mutation { createCompany(data: { name: "For my mate", ownerId: "${ids.mate}" }) { ownerId } }`);
    expect(handed.errors).toBeUndefined();
    expect(handed.data?.createCompany).toEqual({ ownerId: ids.mate });
    const outside = await gql("chloe", `mutation { createCompany(data: { name: "Not mine to give", ownerId: "${ids.stranger}" }) { id } }`);
    expect(outside.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("owns every contact of her CSV import", async () => {
    const csv = ["firstName,email", ...Array.from({ length: 20 }, (_, i) => `Imported ${i},imported${i}@example.com`)].join("\n");
    const started = await app.inject({ method: "POST", url: "/api/import?model=Contact", headers: { authorization: `Bearer ${tokens.chloe}`, "content-type": "text/csv" }, payload: csv });
    expect(started.statusCode, started.body).toBe(202);
    const jobId = (started.json() as { jobId: string }).jobId;
    let status: { state: string; progress: { created: number; rejected: number } };
    for (;;) {
      status = (await app.inject({ method: "GET", url: `/api/import/${jobId}`, headers: { authorization: `Bearer ${tokens.chloe}` } })).json() as typeof status;
      if (["completed", "failed", "cancelled"].includes(status.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(status.state).toBe("completed");
    expect(status.progress).toMatchObject({ created: 20, rejected: 0 });
    const owners = await crm.db.query<{ owner_id: string; n: string }>(`SELECT owner_id::text, count(*)::text AS n FROM contacts WHERE first_name LIKE 'Imported %' GROUP BY owner_id`);
    expect(owners.rows).toEqual([{ owner_id: ids.chloe, n: "20" }]);
  });

  it("leaves the owner unset for a caller that is no user (an API key)", async () => {
    const { key } = await new ApiKeyStore(crm.db).create({ tenantId: A, name: "importer", roles: ["sales"] });
    const answer = await gql(key, `mutation { createCompany(data: { name: "By a machine" }) { ownerId } }`);
    // The key's sales role cannot create a row outside the sales row rules; a manager key can.
    expect(answer.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const manager = await new ApiKeyStore(crm.db).create({ tenantId: A, name: "manager", roles: ["manager"] });
    const made = await gql(manager.key, `mutation { createCompany(data: { name: "By a machine" }) { ownerId } }`);
    expect(made.errors).toBeUndefined();
    expect(made.data?.createCompany).toEqual({ ownerId: null });
  });
});

describe("notes others logged on her records", () => {
  it("shows a salesperson the activities on a contact she may read, logged by anyone, without letting her change them", async () => {
    const sys = systemContext(A);
    const contact = (await engine.model("Contact").create({ firstName: "Story", ownerId: ids.chloe }, sys)).id as string;
    const otherContact = (await engine.model("Contact").create({ firstName: "Elsewhere", ownerId: ids.stranger }, sys)).id as string;
    const byStranger = (await engine.model("Activity").create({ type: "note", title: "Stranger's note on Chloe's contact", contactId: contact, assignedToId: ids.stranger }, sys)).id as string;
    await engine.model("Activity").create({ type: "call", title: "Unassigned call", contactId: contact }, sys);
    await engine.model("Activity").create({ type: "note", title: "Not hers", contactId: otherContact, assignedToId: ids.stranger }, sys);

    const timeline = await gql("chloe", `{ contact(where: { id: "${contact}" }) { activities(orderBy: title_ASC) { title } } }`);
    expect(timeline.errors).toBeUndefined();
    expect(timeline.data?.contact).toEqual({ activities: [{ title: "Stranger's note on Chloe's contact" }, { title: "Unassigned call" }] });
    const all = await gql("chloe", `{ activities(where: { contactId_in: ["${contact}", "${otherContact}"] }) { title } }`);
    expect((all.data?.activities as { title: string }[]).map((a) => a.title)).not.toContain("Not hers");
    // A teammate of the contact's owner reads them too; someone outside the team does not.
    const mate = await gql("mate", `{ activities(where: { contactId: "${contact}" }) { title } }`);
    expect(mate.data?.activities).toHaveLength(2);
    // Reading is not changing: the note stays its author's.
    const edit = await gql("chloe", `mutation { updateActivity(where: { id: "${byStranger}" }, data: { title: "Edited" }) { id } }`);
    expect(edit.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });
});
