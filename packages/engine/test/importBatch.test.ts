// Repository.importBatch through the CRM schema: per-row outcomes, upsert by a unique key, events,
// references, row rules and tenancy, one statement per batch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine, EngineError, systemContext, type ImportRowResult, type Principal, type RequestContext } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0c000000-0000-4000-8000-0000000000b1";
const OTHER = "0c000000-0000-4000-8000-0000000000b2";
const uid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const USERS = { ana: uid(11), chloe: uid(12), sam: uid(13), dan: uid(14) };
const NORTH = uid(111);

const user = (sub: string, roles: string[], extra: Partial<Principal> = {}): RequestContext => ({ tenantId: TENANT, principal: { sub, roles, kind: "user", ...extra } });
const admin = user(USERS.ana, ["admin"]);
const chloe = user(USERS.chloe, ["sales"], { teams: [NORTH] });
const viewer = user(USERS.dan, ["viewer"]);
const system = systemContext(TENANT);

let crm: CrmDatabase;
let engine: Engine;
let otherCompany: string;
let samContactEmail: string;

const statuses = (results: ImportRowResult[]): string[] => results.map((r) => r.status);
const rejection = (result: ImportRowResult): { path: string; rule: string; message: string }[] =>
  result.status === "rejected" ? result.errors.map((e) => ({ path: e.path.join("."), rule: e.rule, message: e.message })) : [];

async function contactByEmail(email: string): Promise<Record<string, unknown> | null> {
  return engine.model("Contact").findUnique({ email }, admin);
}

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT, OTHER]);
  engine = new Engine({ schema: crm.schema, db: crm.db, cache: false });
  for (const [name, id] of Object.entries(USERS)) await engine.model("User").create({ id, name, email: `${name}@example.com` }, system);
  await engine.model("Team").create({ id: NORTH, name: "North" }, system);
  await engine.model("Membership").create({ userId: USERS.chloe, teamId: NORTH, role: "sales" }, system);
  for (const member of [USERS.ana, USERS.sam, USERS.dan]) await engine.model("Membership").create({ userId: member, role: "viewer" }, system);
  otherCompany = (await engine.model("Company").create({ name: "Elsewhere" }, systemContext(OTHER))).id as string;
  samContactEmail = "sam.contact@example.com";
  await engine.model("Contact").create({ firstName: "Sam's", email: samContactEmail, ownerId: USERS.sam }, system);
});

afterAll(async () => {
  await crm?.drop();
});

describe("importBatch", () => {
  it("writes the valid rows and reports each invalid one without blocking the others, in one statement", async () => {
    const before = crm.db.stats.statements;
    const results = await engine.model("Contact").importBatch(
      [
        { firstName: "Ada", email: "ada@import.test", lifecycleStage: "customer", tags: ["vip"] },
        { firstName: "Bad", email: "not-an-email" },
        { lastName: "Nameless", email: "nameless@import.test" },
        { firstName: "Grace", email: "grace@import.test", lifecycleStage: "wizard" },
        { firstName: "Linus", email: "linus@import.test", phone: null },
      ],
      admin,
    );
    expect(statuses(results)).toEqual(["created", "rejected", "rejected", "rejected", "created"]);
    expect(rejection(results[1])).toEqual([{ path: "email", rule: "email", message: "email must be an email address" }]);
    expect(rejection(results[2])).toEqual([{ path: "firstName", rule: "required", message: "firstName is required" }]);
    expect(rejection(results[3])[0]).toMatchObject({ path: "lifecycleStage", rule: "type" });
    expect(crm.db.stats.statements - before).toBe(1);
    const ada = await contactByEmail("ada@import.test");
    expect(ada).toMatchObject({ firstName: "Ada", lifecycleStage: "customer", tags: ["vip"], version: 1 });
    // Not given means the default, as for a single create.
    expect(await contactByEmail("linus@import.test")).toMatchObject({ lifecycleStage: "lead", tags: [], phone: null });
    const [created] = await engine.model("Contact").history(ada!.id as string, admin);
    expect(created).toMatchObject({ type: "Created", version: 1, actor: USERS.ana });
    expect(created.changes).toMatchObject({ firstName: { from: null, to: "Ada" }, email: { from: null, to: "ada@import.test" } });
    expect(created.data).toMatchObject({ firstName: "Ada", email: "ada@import.test" });
  });

  it("upserts by email: updates what matches (only the values given, version and event), creates the rest", async () => {
    const results = await engine.model("Contact").importBatch(
      [
        { firstName: "Ada", email: "ada@import.test", jobTitle: "Engineer" },
        { firstName: "Margaret", email: "margaret@import.test" },
        { email: "linus@import.test", firstName: "Linus" },
      ],
      admin,
      { upsertBy: "email" },
    );
    expect(statuses(results)).toEqual(["updated", "created", "unchanged"]);
    const ada = await contactByEmail("ada@import.test");
    expect(ada).toMatchObject({ firstName: "Ada", jobTitle: "Engineer", lifecycleStage: "customer", tags: ["vip"], version: 2 });
    expect(results[0]).toEqual({ status: "updated", id: ada!.id });
    const history = await engine.model("Contact").history(ada!.id as string, admin);
    expect(history.map((e) => e.type)).toEqual(["Created", "Updated"]);
    expect(history[1].changes).toEqual({ jobTitle: { from: null, to: "Engineer" } });
    expect((await contactByEmail("linus@import.test"))!.version).toBe(1);
    const { nodes } = await engine.model("Contact").findMany({ where: { email: "ada@import.test" } }, admin);
    expect(nodes).toHaveLength(1);
  });

  it("applies rows sharing a key in order: a later row updates what an earlier one created", async () => {
    const results = await engine.model("Contact").importBatch(
      [
        { firstName: "Twin", email: "twin@import.test", jobTitle: "First" },
        { firstName: "Twin", email: "twin@import.test", jobTitle: "Second" },
      ],
      admin,
      { upsertBy: "email" },
    );
    expect(statuses(results)).toEqual(["created", "updated"]);
    expect(await contactByEmail("twin@import.test")).toMatchObject({ jobTitle: "Second", version: 2 });
  });

  it("without a key, rejects a row whose unique value is taken (by the database or an earlier row)", async () => {
    const results = await engine.model("Contact").importBatch(
      [
        { firstName: "Again", email: "ada@import.test" },
        { firstName: "New", email: "fresh@import.test" },
        { firstName: "Dup", email: "fresh@import.test" },
      ],
      admin,
    );
    expect(statuses(results)).toEqual(["rejected", "created", "rejected"]);
    expect(rejection(results[0])).toEqual([{ path: "email", rule: "unique", message: "another Contact already has this email" }]);
    expect(rejection(results[2])).toEqual([{ path: "email", rule: "unique", message: "another Contact already has this email" }]);
    expect((await contactByEmail("ada@import.test"))!.firstName).toBe("Ada");
  });

  it("requires the required fields of a keyed row that turns out to be new", async () => {
    const results = await engine.model("Contact").importBatch([{ email: "keyed.new@import.test", jobTitle: "CEO" }], admin, { upsertBy: "email" });
    expect(rejection(results[0])).toEqual([{ path: "firstName", rule: "required", message: "firstName is required" }]);
    expect(await contactByEmail("keyed.new@import.test")).toBeNull();
  });

  it("checks references per row, in the tenant", async () => {
    const results = await engine.model("Contact").importBatch(
      [
        { firstName: "Foreign", companyId: otherCompany },
        { firstName: "Owned", ownerId: USERS.chloe, email: "owned@import.test" },
        { firstName: "Ghost", ownerId: uid(999) },
      ],
      admin,
    );
    expect(statuses(results)).toEqual(["rejected", "created", "rejected"]);
    expect(rejection(results[0])).toEqual([{ path: "companyId", rule: "exists", message: "companyId refers to a Company that does not exist" }]);
    expect(rejection(results[2])).toEqual([{ path: "ownerId", rule: "exists", message: "ownerId refers to a User that does not exist" }]);
  });

  it("applies row rules per row: sales write only their own rows and cannot see others' keys", async () => {
    const results = await engine.model("Contact").importBatch(
      [
        { firstName: "Mine", email: "mine@import.test", ownerId: USERS.chloe },
        { firstName: "Not mine", email: "notmine@import.test", ownerId: USERS.sam },
        { firstName: "Hijack", email: samContactEmail, ownerId: USERS.chloe },
      ],
      chloe,
      { upsertBy: "email" },
    );
    expect(statuses(results)).toEqual(["created", "rejected", "rejected"]);
    expect(rejection(results[1])).toEqual([
      { path: "", rule: "row_access", message: "crm.contact.create: the written Contact would be outside the rows this principal may change" },
    ]);
    expect(rejection(results[2])).toEqual([{ path: "email", rule: "unique", message: "another Contact already has this email" }]);
    expect(await contactByEmail("notmine@import.test")).toBeNull();
    expect((await contactByEmail(samContactEmail))!.firstName).toBe("Sam's");
  });

  it("rejects the single row a database constraint refuses and writes the rest of its batch", async () => {
    const ada = await contactByEmail("ada@import.test");
    const results = await engine.model("Contact").importBatch(
      [
        { id: ada!.id, email: "linus@import.test" },
        { firstName: "Bystander", email: "bystander@import.test" },
      ],
      admin,
      { upsertBy: "id" },
    );
    expect(statuses(results)).toEqual(["rejected", "created"]);
    expect(rejection(results[0])).toEqual([{ path: "email", rule: "unique", message: "another Contact already has this email" }]);
    expect((await contactByEmail("ada@import.test"))!.version).toBe(2);
  });

  it("refuses the whole call to a role without create access, and a key that is not unique", async () => {
    const before = crm.db.stats.statements;
    const error = await engine.model("Contact").importBatch([{ firstName: "Viewer" }], viewer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: "FORBIDDEN" });
    expect(crm.db.stats.statements).toBe(before);
    const badKey = await engine.model("Contact").importBatch([{ firstName: "X" }], admin, { upsertBy: "lastName" }).catch((e: unknown) => e);
    expect(badKey).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("use one of id, email") });
  });

  it("imports users through the system API (a global model: no tenant parameter in the statement)", async () => {
    const results = await engine.model("User").importBatch(
      [{ name: "Imported", email: "imported@example.com" }, { name: "Again", email: "ana@example.com" }],
      systemContext(null),
      { upsertBy: "email" },
    );
    expect(statuses(results)).toEqual(["created", "updated"]);
    const names = await crm.db.query<{ name: string }>("SELECT name FROM users WHERE email IN ('imported@example.com', 'ana@example.com') ORDER BY email");
    expect(names.rows.map((r) => r.name)).toEqual(["Again", "Imported"]);
  });

  it("refuses an import into User to a tenant's admin: platform data", async () => {
    const refused = await engine.model("User").importBatch([{ name: "Intruder", email: "intruder@example.com" }], admin).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("platform data") });
  });
});
