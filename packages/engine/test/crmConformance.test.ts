// The CRM conformance walk of the platform-core issue, through the real CRM schema, on the driver
// under test (PGlite by default, the PostgreSQL server with DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine, EngineError, type RequestContext } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT_A = "0a000000-0000-4000-8000-00000000000a";
const TENANT_B = "0b000000-0000-4000-8000-00000000000b";
const ana: RequestContext = { tenantId: TENANT_A, principal: { sub: "ana", roles: ["admin"], kind: "user" } };

let crm: CrmDatabase;
let engine: Engine;

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT_A, TENANT_B]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
});
afterAll(async () => {
  await crm?.drop();
});

async function expectError(promise: Promise<unknown>, code: string): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(code);
  return error as EngineError;
}

async function eventCount(): Promise<number> {
  const { rows } = await crm.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tessera_events");
  return rows[0].n;
}

describe("CRM conformance walk", () => {
  const ids: Record<string, string> = {};

  it("creates a company, a contact at it and a deal whose stage round-trips as declared", async () => {
    const company = await engine.model("Company").create({ name: "Société Générale de Test", size: "medium", tags: ["bank"] }, ana);
    const contact = await engine.model("Contact").create({ firstName: "José", lastName: "García", email: "jose@example.com", companyId: company.id }, ana);
    const deal = await engine.model("Deal").create({ title: "Core banking", value: 50000, stage: "lead", position: 0, contactId: contact.id, companyId: company.id }, ana);
    Object.assign(ids, { company: company.id as string, contact: contact.id as string, deal: deal.id as string });
    expect(deal).toMatchObject({ title: "Core banking", value: "50000.0000", stage: "lead", position: 0, version: 1, currency: "EUR", deletedAt: null });
    expect(contact.tags).toEqual([]);
    expect(company.tags).toEqual(["bank"]);
    expect("tenantId" in deal).toBe(false);
  });

  it("updates the stage of exactly one deal", async () => {
    const other = await engine.model("Deal").create({ title: "Other", value: 10, contactId: ids.contact }, ana);
    const updated = await engine.model("Deal").update({ id: ids.deal }, { stage: "qualified" }, ana);
    expect(updated).toMatchObject({ stage: "qualified", version: 2, title: "Core banking" });
    const untouched = await engine.model("Deal").findUnique({ id: other.id }, ana);
    expect(untouched).toMatchObject({ stage: "lead", version: 1 });
    const history = await engine.model("Deal").history(ids.deal, ana);
    expect(history.at(-1)).toMatchObject({ type: "Updated", changes: { stage: { from: "lead", to: "qualified" } }, actor: "ana" });
    await engine.model("Deal").destroy({ id: other.id as string }, ana);
  });

  it("rejects a partial update that empties a required field, and accepts a stage-only update", async () => {
    const before = await eventCount();
    const error = await expectError(engine.model("Deal").update({ id: ids.deal }, { title: "" }, ana), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "title"], rule: "required" })]);
    expect(await eventCount()).toBe(before);
    const ok = await engine.model("Deal").update({ id: ids.deal }, { stage: "proposal" }, ana);
    expect(ok).toMatchObject({ stage: "proposal", title: "Core banking", version: 3 });
  });

  it("includes the company and the deals of a contact", async () => {
    const contact = await engine.model("Contact").findUnique({ id: ids.contact }, ana, { include: { company: true, deals: true } });
    expect(contact).toMatchObject({ firstName: "José", company: { name: "Société Générale de Test" }, deals: [{ title: "Core banking" }] });
  });

  it("orders by value descending: first 1, then skip 1", async () => {
    await engine.model("Deal").create({ title: "Big", value: 90000, contactId: ids.contact }, ana);
    await engine.model("Deal").create({ title: "Small", value: 100, contactId: ids.contact }, ana);
    const first = await engine.model("Deal").findMany({ orderBy: "value_DESC", first: 1 }, ana);
    const second = await engine.model("Deal").findMany({ orderBy: "value_DESC", first: 1, skip: 1 }, ana);
    expect(first.nodes.map((d) => d.title)).toEqual(["Big"]);
    expect(second.nodes.map((d) => d.title)).toEqual(["Core banking"]);
  });

  it("serves a different page 2 with the cache on, and a create invalidates the cached list", async () => {
    expect(engine.cache).toBeDefined();
    const page1 = await engine.model("Deal").findMany({ orderBy: ["value_DESC"], first: 2 }, ana);
    const page2 = await engine.model("Deal").findMany({ orderBy: ["value_DESC"], first: 2, after: page1.pageInfo.endCursor! }, ana);
    expect(page2.nodes.map((d) => d.id)).not.toEqual(page1.nodes.map((d) => d.id));
    expect(page2.nodes.some((d) => page1.nodes.some((p) => p.id === d.id))).toBe(false);
    const hitsBefore = engine.cache!.stats.hits;
    const again = await engine.model("Deal").findMany({ orderBy: ["value_DESC"], first: 2 }, ana);
    expect(engine.cache!.stats.hits).toBe(hitsBefore + 1);
    expect(again).toEqual(page1);
    await engine.model("Deal").create({ title: "Huge", value: 1_000_000, contactId: ids.contact }, ana);
    const after = await engine.model("Deal").findMany({ orderBy: ["value_DESC"], first: 2 }, ana);
    expect(after.nodes[0].title).toBe("Huge");
  });

  it("soft delete hides, trash shows, restore brings back", async () => {
    await engine.model("Deal").delete({ id: ids.deal }, ana);
    expect(await engine.model("Deal").findUnique({ id: ids.deal }, ana)).toBeNull();
    const list = await engine.model("Deal").findMany({ first: 100 }, ana);
    expect(list.nodes.some((d) => d.id === ids.deal)).toBe(false);
    const trash = await engine.model("Deal").findMany({ deleted: "only" }, ana);
    expect(trash.nodes.map((d) => d.id)).toEqual([ids.deal]);
    await expectError(engine.model("Deal").update({ id: ids.deal }, { stage: "won" }, ana), "NOT_FOUND");
    const restored = await engine.model("Deal").restore({ id: ids.deal }, ana);
    expect(restored.deletedAt).toBeNull();
    expect(await engine.model("Deal").findUnique({ id: ids.deal }, ana)).toMatchObject({ title: "Core banking" });
  });

  it("keeps the entity history with the record id, and replay rebuilds the record", async () => {
    const history = await engine.model("Deal").history(ids.deal, ana);
    expect(history.map((e) => e.type)).toEqual(["Created", "Updated", "Updated", "Deleted", "Restored"]);
    expect(new Set(history.map((e) => e.recordId))).toEqual(new Set([ids.deal]));
    expect(history.every((e, i) => i === 0 || e.seq > history[i - 1].seq)).toBe(true);
    const current = await engine.model("Deal").findUnique({ id: ids.deal }, ana);
    expect(await engine.model("Deal").replay(ids.deal, ana)).toEqual(current);
    // As it was after the first update:
    expect(await engine.model("Deal").replay(ids.deal, ana, { untilSeq: history[1].seq })).toMatchObject({ stage: "qualified", version: 2 });
  });

  it("destroy removes the row and records it", async () => {
    const deal = await engine.model("Deal").create({ title: "Doomed", contactId: ids.contact }, ana);
    const gone = await engine.model("Deal").destroy({ id: deal.id as string }, ana);
    expect(gone.title).toBe("Doomed");
    expect(await engine.model("Deal").findMany({ where: { id: deal.id }, deleted: "include" }, ana)).toMatchObject({ nodes: [] });
    const history = await engine.model("Deal").history(deal.id as string, ana);
    expect(history.map((e) => e.type)).toEqual(["Created", "Destroyed"]);
    expect(await engine.model("Deal").replay(deal.id as string, ana)).toBeNull();
  });
});

describe("concurrency", () => {
  it("rejects an update with a stale version with CONFLICT and writes nothing", async () => {
    const contact = await engine.model("Contact").create({ firstName: "Zoë" }, ana);
    await engine.model("Contact").update({ id: contact.id as string }, { lastName: "One" }, ana, { expectedVersion: 1 });
    const before = await eventCount();
    const error = await expectError(engine.model("Contact").update({ id: contact.id as string }, { lastName: "Two" }, ana, { expectedVersion: 1 }), "CONFLICT");
    expect(error.message).toMatch(/version 2/);
    expect(await eventCount()).toBe(before);
    expect(await engine.model("Contact").findUnique({ id: contact.id as string }, ana)).toMatchObject({ lastName: "One", version: 2 });
  });
});

describe("bad input", () => {
  it("reports wrong types, unknown fields, oversize strings and bad enums with paths, writing nothing", async () => {
    const before = await eventCount();
    const error = await expectError(
      engine.model("Deal").create({ title: "x".repeat(256), value: "lots", stage: "LEAD", bogus: 1, contactId: "not-a-uuid" }, ana),
      "VALIDATION_FAILED",
    );
    const byPath = Object.fromEntries(error.fieldErrors.map((e) => [e.path.join("."), e.rule]));
    expect(byPath).toEqual({ "data.title": "max", "data.value": "type", "data.stage": "type", "data.bogus": "unknown_field", "data.contactId": "type" });
    expect(await eventCount()).toBe(before);
  });

  it("reports unknown filter operators and fields", async () => {
    const error = await expectError(engine.model("Deal").findMany({ where: { value_bigger: 5, nope: 1 } }, ana), "VALIDATION_FAILED");
    expect(error.fieldErrors.map((e) => e.path.join("."))).toEqual(expect.arrayContaining(["where.value_bigger", "where.nope"]));
  });

  it("reports a duplicate unique email as a validation error on the field, not a database error", async () => {
    await engine.model("Contact").create({ firstName: "Ana", email: "dup@example.com" }, ana);
    const error = await expectError(engine.model("Contact").create({ firstName: "Ana 2", email: "dup@example.com" }, ana), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "email"], rule: "unique" })]);
  });

  it("reports a reference to a missing record as a validation error", async () => {
    const error = await expectError(engine.model("Deal").create({ title: "Orphan", contactId: "00000000-0000-4000-8000-00000000dead" }, ana), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "contactId"], rule: "exists" })]);
  });

  it("rejects a whole createMany batch when one row is invalid", async () => {
    const before = await engine.model("Tag").aggregate({ count: true }, ana);
    const error = await expectError(engine.model("Tag").createMany([{ name: "ok" }, { name: "bad", color: "red" }], ana), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", 1, "color"], rule: "regex" })]);
    expect(await engine.model("Tag").aggregate({ count: true }, ana)).toEqual(before);
  });
});

describe("one SQL statement per engine call", () => {
  it("reads three levels of includes in one statement", async () => {
    const before = crm.db.stats.statements;
    const page = await engine.model("Company").findMany(
      { first: 5, include: { contacts: { first: 3, include: { deals: { where: { value_gte: 0 }, include: { activities: true } } } } } },
      { ...ana, principal: { sub: "nocache", roles: ["admin"], kind: "user" } },
    );
    expect(crm.db.stats.statements - before).toBe(1);
    expect(page.nodes.length).toBeGreaterThan(0);
  });

  it("writes a row and its event in one statement", async () => {
    const before = crm.db.stats.statements;
    await engine.model("Tag").create({ name: "one-statement" }, ana);
    expect(crm.db.stats.statements - before).toBe(1);
  });
});

describe("aggregates and group-by", () => {
  it("totals the Kanban columns by stage", async () => {
    const groups = await engine.model("Deal").groupBy({ by: ["stage"], sum: ["value"] }, ana);
    const lead = groups.find((g) => g.key.stage === "lead");
    expect(lead?.count).toBeGreaterThan(0);
    const all = await engine.model("Deal").aggregate({ count: true, sum: ["value"], max: ["value"] }, ana);
    expect(all.count).toBe(groups.reduce((n, g) => n + g.count, 0));
    expect(Number(all.max!.value)).toBe(1_000_000);
  });
});

describe("tenant isolation", () => {
  const bob: RequestContext = { tenantId: TENANT_B, principal: { sub: "bob", roles: ["admin"], kind: "user" } };

  it("never shows tenant A's rows to tenant B through the engine", async () => {
    const secret = await engine.model("Company").create({ name: "A only" }, ana);
    expect(await engine.model("Company").findUnique({ id: secret.id as string }, bob)).toBeNull();
    expect((await engine.model("Company").findMany({ where: { name: "A only" } }, bob)).nodes).toEqual([]);
    expect((await engine.model("Company").aggregate({ count: true }, bob)).count).toBe(0);
    await expectError(engine.model("Company").update({ id: secret.id as string }, { name: "stolen" }, bob), "NOT_FOUND");
    await expectError(engine.model("Company").destroy({ id: secret.id as string }, bob), "NOT_FOUND");
    expect(await engine.model("Company").history(secret.id as string, bob)).toEqual([]);
  });

  it("refuses a reference to another tenant's record", async () => {
    const contactOfA = (await engine.model("Contact").findMany({ first: 1 }, ana)).nodes[0];
    const error = await expectError(engine.model("Deal").create({ title: "Cross", contactId: contactOfA.id }, bob), "VALIDATION_FAILED");
    expect(error.fieldErrors[0]).toMatchObject({ path: ["data", "contactId"], rule: "exists" });
  });

  it("hides tenant A's rows from raw SQL under the application role in tenant B's context", async () => {
    const rows = await crm.db.transaction(async (tx) => (await tx.query("SELECT id FROM companies")).rows, { tenantId: TENANT_B });
    expect(rows).toEqual([]);
    const own = await crm.db.transaction(async (tx) => (await tx.query("SELECT id FROM companies")).rows, { tenantId: TENANT_A });
    expect(own.length).toBeGreaterThan(0);
    const none = await crm.db.transaction(async (tx) => (await tx.query("SELECT id FROM companies")).rows, { tenantId: null });
    expect(none).toEqual([]);
    const events = await crm.db.transaction(async (tx) => (await tx.query("SELECT seq FROM tessera_events WHERE tenant_id IS NOT NULL")).rows, { tenantId: TENANT_B });
    expect(events).toEqual([]);
  });

  it("refuses raw inserts into another tenant under the application role", async () => {
    const attempt = crm.db.transaction((tx) => tx.query(`INSERT INTO companies (name, tenant_id) VALUES ('x', $1::uuid)`, [TENANT_A]), { tenantId: TENANT_B });
    await expect(attempt).rejects.toThrow(/row-level security/);
  });

  it("requires a tenant for tenant-scoped models", async () => {
    await expectError(engine.model("Deal").findMany({}, { tenantId: null, principal: ana.principal }), "FORBIDDEN");
  });
});

describe("trash by unique fields", () => {
  it("restores a soft-deleted record by a unique field, and reads it from the trash by id", async () => {
    const contact = await engine.model("Contact").create({ firstName: "Inês", email: "ines.trash@example.com" }, ana);
    await engine.model("Contact").delete({ email: "ines.trash@example.com" }, ana);
    expect(await engine.model("Contact").findUnique({ id: contact.id as string }, ana)).toBeNull();
    expect(await engine.model("Contact").findUnique({ id: contact.id as string }, ana, { deleted: "only" })).toMatchObject({ firstName: "Inês" });
    const restored = await engine.model("Contact").restore({ email: "ines.trash@example.com" }, ana);
    expect(restored).toMatchObject({ id: contact.id, deletedAt: null });
  });

  it("groups with an empty orderBy in the default order instead of failing", async () => {
    const groups = await engine.model("Deal").groupBy({ by: ["stage"], orderBy: [] }, ana);
    expect(groups.length).toBeGreaterThan(0);
  });
});
