// Engine.write: a record with related records created, connected and disconnected in ONE
// transaction, on the driver under test. Every failure case counts rows and events before and
// after: a tree whose last part fails leaves nothing behind.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Engine, EngineError, systemContext, type RequestContext, type WriteData } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

// Counts validations per model and mode: each record of a tree must be validated exactly once.
const validations = vi.hoisted(() => [] as { model: string; mode: string; path: (string | number)[] }[]);
vi.mock(import("../src/validate/validateInput.ts"), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    validateInput: (...args: Parameters<typeof original.validateInput>) => {
      validations.push({ model: args[1].name, mode: args[3], path: args[4] ?? ["data"] });
      return original.validateInput(...args);
    },
  };
});

const TENANT = "0d000000-0000-4000-8000-0000000000d1";
const uid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const USERS = { sara: uid(11), otto: uid(12) };
const MISSING = uid(999);
const admin: RequestContext = { tenantId: TENANT, principal: { sub: USERS.sara, roles: ["admin"], kind: "user" } };
const sales: RequestContext = { tenantId: TENANT, principal: { sub: USERS.sara, roles: ["sales"], teams: [], kind: "user" } };
const system = systemContext(TENANT);

let crm: CrmDatabase;
let engine: Engine;

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  for (const [name, id] of Object.entries(USERS)) {
    await engine.model("User").create({ id, name, email: `${name}@example.com` }, system);
    await engine.model("Membership").create({ userId: id, role: "sales" }, system);
  }
  await engine.model("Contact").create({ firstName: "Taken", email: "taken@example.com" }, admin);
});
afterAll(async () => {
  await crm?.drop();
});
beforeEach(() => {
  validations.length = 0;
});

const COUNTED = ["Company", "Contact", "Deal", "Activity"];

/** Rows of the tree's tables and of the event log, read as the owner (no tenant, no RLS). */
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of COUNTED) {
    const table = crm.schema.models.find((m) => m.name === name)!.tableName;
    out[name] = (await crm.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n;
  }
  out.events = (await crm.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tessera_events")).rows[0].n;
  return out;
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

/** Asserts the write fails with `code` and leaves every table and the event log as they were. */
async function failsWholly(write: () => Promise<unknown>, code: string): Promise<EngineError> {
  const before = await counts();
  const error = await failure(write());
  expect(error.code, error.message).toBe(code);
  expect(await counts()).toEqual(before);
  return error;
}

/** A deal with a new contact at a new company and two activities; `last` overrides the second activity. */
function dealTree(last: WriteData = {}, contact: WriteData = {}, owner?: string): WriteData {
  const owned = owner ? { ownerId: owner } : {};
  return {
    title: "Tree deal",
    value: 1200,
    ...owned,
    contact: { create: { firstName: "Nia", email: `nia.${Math.random().toString(16).slice(2, 8)}@example.com`, ...owned, company: { create: { name: "Initech", ...owned } }, ...contact } },
    activities: {
      create: [
        { type: "call", title: "Intro call", ...(owner ? { assignedToId: owner } : {}) },
        { type: "meeting", title: "Demo", ...(owner ? { assignedToId: owner } : {}), ...last },
      ],
    },
  };
}

describe("a nested create", () => {
  it("writes a deal, a new contact, a new company and two activities in ONE transaction and reads the selection back", async () => {
    const before = await counts();
    const { statements, transactions } = crm.db.stats;
    const deal = await engine.write(
      { model: "Deal", create: dealTree(), select: { fields: ["title"], include: { contact: { fields: ["firstName"], include: { company: { fields: ["name"] } } }, activities: { fields: ["title"], orderBy: "title_ASC" } } } },
      admin,
    );
    expect(deal).toEqual({ title: "Tree deal", contact: { firstName: "Nia", company: { name: "Initech" } }, activities: [{ title: "Demo" }, { title: "Intro call" }] });
    expect(crm.db.stats.transactions - transactions).toBe(1);
    // One statement per record (each with its event), then the read-back.
    expect(crm.db.stats.statements - statements).toBe(6);
    expect(await counts()).toEqual({ Company: before.Company + 1, Contact: before.Contact + 1, Deal: before.Deal + 1, Activity: before.Activity + 2, events: before.events + 5 });
  });

  it("validates each record of the tree exactly once", async () => {
    await engine.write({ model: "Deal", create: dealTree() }, admin);
    const byModel = validations.map((v) => `${v.model}:${v.mode}:${v.path.join(".")}`).sort();
    expect(byModel).toEqual([
      "Activity:create:data.activities.create.0",
      "Activity:create:data.activities.create.1",
      "Company:create:data.contact.create.company.create",
      "Contact:create:data.contact.create",
      "Deal:create:data",
    ]);
  });

  it("returns the written record without a selection, in one transaction of one statement per record", async () => {
    const { statements, transactions } = crm.db.stats;
    const deal = await engine.write({ model: "Deal", create: dealTree() }, admin);
    expect(deal).toMatchObject({ title: "Tree deal", version: 1, stage: "lead" });
    expect(crm.db.stats.transactions - transactions).toBe(1);
    expect(crm.db.stats.statements - statements).toBe(5);
  });

  it("reports a required field missing deep in the tree before any statement", async () => {
    const sent = { statements: 0, transactions: 0 };
    const error = await failsWholly(async () => {
      const { statements, transactions } = crm.db.stats;
      try {
        return await engine.write({ model: "Deal", create: dealTree({ type: undefined }) }, admin);
      } finally {
        Object.assign(sent, { statements: crm.db.stats.statements - statements, transactions: crm.db.stats.transactions - transactions });
      }
    }, "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "activities", "create", 1, "type"], rule: "required" })]);
    expect(sent).toEqual({ statements: 0, transactions: 0 });
  });

  it("leaves nothing when the last activity refers to a missing record", async () => {
    const error = await failsWholly(() => engine.write({ model: "Deal", create: dealTree({ ticketId: MISSING }) }, admin), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "activities", "create", 1, "ticketId"], rule: "exists" })]);
  });

  it("leaves nothing when the contact's email is taken", async () => {
    const error = await failsWholly(() => engine.write({ model: "Deal", create: dealTree({}, { email: "taken@example.com" }) }, admin), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "contact", "create", "email"], rule: "unique" })]);
  });

  it("leaves nothing when the second of two new contacts clashes with the first", async () => {
    const company = { name: "Twins", contacts: { create: [{ firstName: "A", email: "twin@example.com" }, { firstName: "B", email: "twin@example.com" }] } };
    const error = await failsWholly(() => engine.write({ model: "Company", create: company }, admin), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "contacts", "create", 1, "email"], rule: "unique" })]);
  });

  it("leaves nothing when a connect by a unique field finds no record, after a related record was created", async () => {
    const tree = { title: "Lookup", company: { create: { name: "Created first" } }, contact: { connect: { email: "nobody@example.com" } } };
    const error = await failsWholly(() => engine.write({ model: "Deal", create: tree }, admin), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "contact", "connect"], rule: "exists" })]);
  });

  it("leaves nothing when a row rule refuses the last activity (assigned to another user)", async () => {
    // The same tree, all owned by the sales user, is allowed.
    await engine.write({ model: "Deal", create: dealTree({}, {}, USERS.sara) }, sales);
    const error = await failsWholly(() => engine.write({ model: "Deal", create: dealTree({ assignedToId: USERS.otto }, {}, USERS.sara) }, sales), "FORBIDDEN");
    expect(error.message).toMatch(/crm\.activity\.create: the written Activity would be outside the rows this principal may change/);
  });

  it("connects an existing contact by email and by id in the same transaction", async () => {
    const contact = await engine.model("Contact").findUnique({ email: "taken@example.com" }, admin);
    const byEmail = await engine.write({ model: "Deal", create: { title: "By email", contact: { connect: { email: "taken@example.com" } } } }, admin);
    const byId = await engine.write({ model: "Deal", create: { title: "By id", contact: { connect: { id: contact!.id } } } }, admin);
    expect([byEmail!.contactId, byId!.contactId]).toEqual([contact!.id, contact!.id]);
  });

  it("refuses an id chosen by a tenant principal anywhere in the tree, and lets the system API choose one", async () => {
    const chosen = uid(4242);
    const error = await failsWholly(() => engine.write({ model: "Deal", create: { title: "Mine", contact: { create: { id: chosen, firstName: "Chosen" } } } }, admin), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "contact", "create", "id"], rule: "server_assigned" })]);
    const deal = await engine.write({ model: "Deal", create: { title: "System", contact: { create: { id: chosen, firstName: "Chosen" } } } }, system);
    expect(deal!.contactId).toBe(chosen);
  });

  it("refuses a field the principal may not write anywhere in the tree, before any statement", async () => {
    const tree = { firstName: "Owner", ownerId: USERS.sara, company: { create: { name: "Rich", ownerId: USERS.sara, annualRevenue: 5 } } };
    const error = await failsWholly(() => engine.write({ model: "Contact", create: tree }, sales), "FORBIDDEN");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "company", "create", "annualRevenue"], rule: "field_access" })]);
  });

  it("answers a tree that is neither a create nor an update with a typed error", async () => {
    const error = await failure(engine.write({ model: "Deal" } as never, admin));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.message).toMatch(/give create: data, or update: \{ where, data \}/);
  });

  it("reports every error of the tree at once, with the path of each input", async () => {
    const tree = { title: "", contact: { create: { firstName: "X", email: "not-an-email", company: { create: { name: "" } } } }, activities: { create: [{ title: "No type" }], disconnect: [] } };
    const error = await failsWholly(() => engine.write({ model: "Deal", create: tree }, admin), "VALIDATION_FAILED");
    expect(error.fieldErrors.map((e) => `${e.path.join(".")}:${e.rule}`).sort()).toEqual([
      "data.activities.create.0.type:required",
      "data.activities.disconnect:unknown_field",
      "data.contact.create.company.create.name:required",
      "data.contact.create.email:email",
      "data.title:required",
    ]);
  });
});

describe("a nested update", () => {
  it("leaves nothing when the root's version is stale, though its new contact was written first", async () => {
    const deal = await engine.write({ model: "Deal", create: dealTree() }, admin);
    await engine.model("Deal").update({ id: deal!.id }, { title: "Moved on" }, admin);
    const update = { where: { id: deal!.id }, data: { title: "Stale", contact: { create: { firstName: "Late" } }, activities: { create: [{ type: "note", title: "Late note" }] } }, expectedVersion: 1 };
    const error = await failsWholly(() => engine.write({ model: "Deal", update }, admin), "CONFLICT");
    expect(error.message).toMatch(/is at version 2, not 1: reload it/);
  });

  it("connects and disconnects to-many records in one transaction, and undoes the connect when a disconnect fails", async () => {
    const company = await engine.write({ model: "Company", create: { name: "Hub", contacts: { create: [{ firstName: "Stays" }] } } }, admin);
    const loose = await engine.model("Contact").create({ firstName: "Loose" }, admin);
    const elsewhere = await engine.model("Contact").create({ firstName: "Elsewhere" }, admin);
    const error = await failsWholly(
      () => engine.write({ model: "Company", update: { where: { id: company!.id }, data: { contacts: { connect: [{ id: loose.id }], disconnect: [{ id: elsewhere.id }] } } } }, admin),
      "NOT_FOUND",
    );
    expect(error.message).toMatch(/is not connected to Company/);
    const { transactions } = crm.db.stats;
    const updated = await engine.write(
      { model: "Company", update: { where: { id: company!.id }, data: { contacts: { connect: [{ id: loose.id }] } } }, select: { include: { contacts: { fields: ["firstName"], orderBy: "firstName_ASC" } } } },
      admin,
    );
    expect(updated!.contacts).toEqual([{ firstName: "Loose" }, { firstName: "Stays" }]);
    expect(crm.db.stats.transactions - transactions).toBe(1);
    // Only to-many inputs: the company itself is not changed (no version bump, no event).
    expect(updated!.version).toBe(1);
  });

  it("refuses many-to-many inputs with a message naming the relationship", async () => {
    const error = await failsWholly(() => engine.write({ model: "Contact", create: { firstName: "Tagged", labels: { connect: [{ id: MISSING }] } } }, admin), "VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "labels"], rule: "unsupported" })]);
  });
});
