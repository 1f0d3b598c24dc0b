// Authorisation through the CRM schema: role matrix, row rules (owner and team), field access and
// policies, on every read and write path, inside the one statement of each call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normaliseSchema, type RawSchema } from "@tessera/schema";
import { schema as crmSchema } from "@tessera/crm";
import { Engine, EngineError, systemContext, type Principal, type RequestContext } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0c000000-0000-4000-8000-0000000000a1";
const uid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const USERS = { ana: uid(1), bruno: uid(2), chloe: uid(3), chad: uid(4), sam: uid(5), dan: uid(6) };
const TEAMS = { north: uid(101), south: uid(102) };

const as = (principal: Principal | null): RequestContext => ({ tenantId: TENANT, principal });
const user = (sub: string, roles: string[], extra: Partial<Principal> = {}): RequestContext => as({ sub, roles, kind: "user", ...extra });
const admin = user(USERS.ana, ["admin"]);
const manager = user(USERS.bruno, ["Manager"]); // roles match case-insensitively
const chloe = user(USERS.chloe, ["sales"], { teams: [TEAMS.north] });
const sam = user(USERS.sam, ["sales"], { teams: [TEAMS.south] });
const viewer = user(USERS.dan, ["viewer"]);
const system = systemContext(TENANT);

let crm: CrmDatabase;
let engine: Engine;
const ids: Record<string, string> = {};

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  for (const [name, id] of Object.entries(USERS)) await engine.model("User").create({ id, name, email: `${name}@example.com` }, system);
  await engine.model("Team").create({ id: TEAMS.north, name: "North" }, system);
  await engine.model("Team").create({ id: TEAMS.south, name: "South" }, system);
  // Chloe and Chad share the North team; Sam is in the South team.
  for (const [userId, teamId] of [[USERS.chloe, TEAMS.north], [USERS.chad, TEAMS.north], [USERS.sam, TEAMS.south]]) {
    await engine.model("Membership").create({ userId, teamId, role: "sales" }, system);
  }
  const company = await engine.model("Company").create({ name: "Acme", ownerId: USERS.chloe, annualRevenue: 1_000_000 }, system);
  const contact = await engine.model("Contact").create({ firstName: "José", ownerId: USERS.chloe, notes: "likes golf" }, system);
  const samContact = await engine.model("Contact").create({ firstName: "Sam's contact", ownerId: USERS.sam }, system);
  const deal = (title: string, ownerId: string, extra: Record<string, unknown> = {}) =>
    engine.model("Deal").create({ title, value: 100, ownerId, contactId: contact.id, companyId: company.id, ...extra }, system);
  Object.assign(ids, {
    company: company.id,
    contact: contact.id,
    samContact: samContact.id,
    chloeDeal: (await deal("Chloe deal", USERS.chloe)).id,
    chadDeal: (await deal("Chad deal", USERS.chad)).id,
    samDeal: (await deal("Sam secret deal", USERS.sam, { value: 5000 })).id,
    wonDeal: (await deal("Won deal", USERS.bruno, { stage: "won", actualCloseDate: "2026-01-15" })).id,
  });
  await engine.model("Deal").update({ id: ids.samDeal }, { title: "Sam secret deal", stage: "qualified" }, system);
});
afterAll(async () => {
  await crm?.drop();
});

const titles = (nodes: readonly Record<string, unknown>[]): string[] => nodes.map((n) => String(n.title)).sort();

describe("role matrix", () => {
  it("denies a viewer create and allows sales, naming the permission", async () => {
    const error = await failure(engine.model("Deal").create({ title: "x", contactId: ids.contact }, viewer));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe("crm.deal.create requires one of sales, manager, admin");
    const created = await engine.model("Deal").create({ title: "Chloe new", contactId: ids.contact, ownerId: USERS.chloe }, chloe);
    expect(created.title).toBe("Chloe new");
    await engine.model("Deal").destroy({ id: created.id as string }, admin);
  });

  it("denies sales delete and allows a manager", async () => {
    const doomed = await engine.model("Deal").create({ title: "Doomed", contactId: ids.contact, ownerId: USERS.chloe }, system);
    const error = await failure(engine.model("Deal").delete({ id: doomed.id as string }, chloe));
    expect(error).toMatchObject({ code: "FORBIDDEN", message: "crm.deal.delete requires one of manager, admin" });
    await failure(engine.model("Deal").deleteMany({ title: "Doomed" }, chloe));
    expect((await engine.model("Deal").delete({ id: doomed.id as string }, manager)).deletedAt).not.toBeNull();
  });

  it("requires a principal unless access is public, and honours explicit permissions", async () => {
    expect((await failure(engine.model("Deal").findMany({}, as(null)))).code).toBe("UNAUTHENTICATED");
    expect((await failure(engine.model("Deal").history(ids.chloeDeal, as(null)))).code).toBe("UNAUTHENTICATED");
    const apiKey = user(USERS.ana, ["admin"], { kind: "service", permissions: ["crm.deal.read", "crm.*.read"] });
    expect((await engine.model("Deal").findMany({}, apiKey)).nodes.length).toBeGreaterThan(0);
    const error = await failure(engine.model("Deal").update({ id: ids.chloeDeal }, { title: "x" }, apiKey));
    expect(error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("crm.deal.update") });
    const dealsOnly = user(USERS.ana, ["admin"], { permissions: ["crm.deal.*"] });
    expect((await failure(engine.model("Contact").findMany({}, dealsOnly))).code).toBe("FORBIDDEN");
  });
});

describe("row rules: sales see their own and their team's deals only", () => {
  it("on lists, by id, and for a teammate's deal", async () => {
    expect(titles((await engine.model("Deal").findMany({}, chloe)).nodes)).toEqual(["Chad deal", "Chloe deal"]);
    expect(await engine.model("Deal").findUnique({ id: ids.samDeal }, chloe)).toBeNull();
    expect(await engine.model("Deal").findUnique({ id: ids.chadDeal }, chloe)).toMatchObject({ title: "Chad deal" });
    expect(titles((await engine.model("Deal").findMany({}, sam)).nodes)).toEqual(["Sam secret deal"]);
    // Without the teams claim, only her own deal.
    expect(titles((await engine.model("Deal").findMany({}, user(USERS.chloe, ["sales"]))).nodes)).toEqual(["Chloe deal"]);
  });

  it("managers, admins and viewers see every deal", async () => {
    const all = ["Chad deal", "Chloe deal", "Sam secret deal", "Won deal"];
    expect(titles((await engine.model("Deal").findMany({}, manager)).nodes)).toEqual(all);
    expect(titles((await engine.model("Deal").findMany({}, admin)).nodes)).toEqual(all);
    expect(titles((await engine.model("Deal").findMany({}, viewer)).nodes)).toEqual(all);
  });

  it("through includes from contact.deals and company.deals (and a hidden to-one is null)", async () => {
    const contact = await engine.model("Contact").findUnique({ id: ids.contact }, chloe, { include: { deals: true } });
    expect(titles(contact!.deals as Record<string, unknown>[])).toEqual(["Chad deal", "Chloe deal"]);
    const company = await engine.model("Company").findMany({ include: { deals: { orderBy: "title_ASC" } } }, chloe);
    expect(titles(company.nodes[0].deals as Record<string, unknown>[])).toEqual(["Chad deal", "Chloe deal"]);
    const samView = await engine.model("Deal").findUnique({ id: ids.samDeal }, sam, { include: { contact: true, company: true } });
    expect(samView).toMatchObject({ title: "Sam secret deal", contact: null, company: null });
  });

  it("through aggregate, groupBy, _search and relation filters", async () => {
    expect(await engine.model("Deal").aggregate({ count: true, sum: ["value"] }, chloe)).toEqual({ count: 2, sum: { value: "200.0000" } });
    const groups = await engine.model("Deal").groupBy({ by: ["stage"] }, chloe);
    expect(groups.map((g) => [g.key.stage, g.count])).toEqual([["lead", 2]]);
    expect((await engine.model("Deal").findMany({ where: { _search: "secret" } }, chloe)).nodes).toEqual([]);
    expect((await engine.model("Deal").findMany({ where: { _search: "secret" } }, manager)).nodes).toHaveLength(1);
    expect((await engine.model("Contact").findMany({ where: { deals_some: { title: "Sam secret deal" } } }, chloe)).nodes).toEqual([]);
    expect((await engine.model("Contact").findMany({ where: { deals_some: { title: "Sam secret deal" } } }, manager)).nodes).toHaveLength(1);
    expect((await engine.model("Company").findMany({ where: { deals_some: { value_gt: 1000 } } }, chloe)).nodes).toEqual([]);
    // A to-one filter cannot reach a contact outside the rules either.
    expect((await engine.model("Deal").findMany({ where: { contact: { firstName: "José" } } }, sam)).nodes).toEqual([]);
  });

  it("through history and replay", async () => {
    expect(await engine.model("Deal").history(ids.samDeal, chloe)).toEqual([]);
    expect(await engine.model("Deal").replay(ids.samDeal, chloe)).toBeNull();
    expect((await engine.model("Deal").history(ids.chadDeal, chloe)).map((e) => e.type)).toEqual(["Created"]);
    expect((await engine.model("Deal").history(ids.samDeal, manager)).map((e) => e.type)).toEqual(["Created", "Updated"]);
  });

  it("on writes: an unreadable row is NOT_FOUND, many-writes skip it, and new rows must stay inside the rules", async () => {
    expect((await failure(engine.model("Deal").update({ id: ids.samDeal }, { title: "mine" }, chloe))).code).toBe("NOT_FOUND");
    expect((await failure(engine.model("Deal").restore({ id: ids.samDeal }, manager))).code).toBe("NOT_FOUND");
    expect(await engine.model("Deal").updateMany({ value_gte: 0 }, { position: 7 }, chloe)).toEqual({ count: 2 });
    expect((await engine.model("Deal").findUnique({ id: ids.samDeal }, admin))!.position).toBe(0);
    // Creating a deal owned by someone outside her teams, or handing hers over, is refused.
    expect((await failure(engine.model("Deal").create({ title: "For Sam", contactId: ids.contact, ownerId: USERS.sam }, chloe))).code).toBe("FORBIDDEN");
    expect((await failure(engine.model("Deal").createMany([{ title: "Batch", contactId: ids.contact, ownerId: USERS.sam }], chloe))).code).toBe("FORBIDDEN");
    expect((await failure(engine.model("Deal").update({ id: ids.chloeDeal }, { ownerId: USERS.sam }, chloe))).code).toBe("FORBIDDEN");
    expect((await failure(engine.model("Deal").updateMany({ title: "Chloe deal" }, { ownerId: USERS.sam }, chloe))).code).toBe("FORBIDDEN");
    expect((await engine.model("Deal").findUnique({ id: ids.chloeDeal }, admin))!.ownerId).toBe(USERS.chloe);
    // A teammate may be the owner.
    const forChad = await engine.model("Deal").create({ title: "For Chad", contactId: ids.contact, ownerId: USERS.chad }, chloe);
    expect(await engine.model("Deal").createMany([{ title: "Batch ok", contactId: ids.contact, ownerId: USERS.chloe }], chloe)).toEqual({ count: 1 });
    await engine.model("Deal").deleteMany({ title_in: ["For Chad", "Batch ok"] }, admin);
    // A reference to a row the principal cannot read counts as missing (no linking to, or probing, hidden rows).
    const hidden = await failure(engine.model("Deal").create({ title: "Sam's", contactId: ids.contact, ownerId: USERS.sam }, sam));
    expect(hidden).toMatchObject({ code: "VALIDATION_FAILED", fieldErrors: [expect.objectContaining({ path: ["data", "contactId"], rule: "exists" })] });
    expect((await failure(engine.model("Deal").createMany([{ title: "Sam's", contactId: ids.contact, ownerId: USERS.sam }], sam))).code).toBe("VALIDATION_FAILED");
    expect((await engine.model("Deal").create({ title: "Sam's", contactId: ids.samContact, ownerId: USERS.sam }, sam)).title).toBe("Sam's");
    await engine.model("Deal").destroy({ id: (await engine.model("Deal").findMany({ where: { title: "Sam's" } }, admin)).nodes[0].id as string }, admin);
    expect(forChad.ownerId).toBe(USERS.chad);
  });
});

describe("field access", () => {
  it("leaves a hidden field out of every record (the key is absent)", async () => {
    const company = await engine.model("Company").findUnique({ id: ids.company }, chloe);
    expect(company).toMatchObject({ name: "Acme" });
    expect("annualRevenue" in company!).toBe(false);
    const explicit = await engine.model("Company").findMany({ fields: ["name", "annualRevenue"] }, chloe);
    expect(explicit.nodes).toEqual([{ name: "Acme" }]);
    const viaInclude = await engine.model("Deal").findUnique({ id: ids.chloeDeal }, chloe, { include: { company: true } });
    expect("annualRevenue" in (viaInclude!.company as Record<string, unknown>)).toBe(false);
    const history = await engine.model("Company").history(ids.company, chloe);
    expect("annualRevenue" in history[0].data!).toBe(false);
    expect((await engine.model("Company").findUnique({ id: ids.company }, manager))!.annualRevenue).toBe("1000000.0000");
    // Contact notes are hidden from viewers only.
    expect("notes" in (await engine.model("Contact").findUnique({ id: ids.contact }, viewer))!).toBe(false);
    expect((await engine.model("Contact").findUnique({ id: ids.contact }, chloe))!.notes).toBe("likes golf");
  });

  it("refuses filtering, ordering, aggregating and grouping on it", async () => {
    for (const call of [
      () => engine.model("Company").findMany({ where: { annualRevenue_gt: 0 } }, chloe),
      () => engine.model("Company").findMany({ orderBy: "annualRevenue_DESC" }, chloe),
      () => engine.model("Company").aggregate({ sum: ["annualRevenue"] }, chloe),
      () => engine.model("Company").groupBy({ by: ["annualRevenue"] }, chloe),
      () => engine.model("Deal").findMany({ where: { company: { annualRevenue_gt: 0 } } }, chloe),
      () => engine.model("Contact").findMany({ include: { deals: { where: { company: { annualRevenue_gt: 0 } } } } }, chloe),
      () => engine.model("Company").findMany({ aggregate: { max: ["annualRevenue"] } }, chloe),
      () => engine.model("Contact").findMany({ where: { notes_contains: "golf" } }, viewer),
    ]) {
      const error = await failure(call());
      expect(error.code).toBe("FORBIDDEN");
      expect(error.fieldErrors[0]?.rule).toBe("field_access");
    }
  });

  it("refuses writing it, naming the field path", async () => {
    const error = await failure(engine.model("Company").create({ name: "Rich", annualRevenue: 5 }, chloe));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "annualRevenue"], rule: "field_access" })]);
  });

});

describe("closing a deal (issue #13)", () => {
  it("lets sales lose their own deal with a reason and a close date, and says which one is missing", async () => {
    const mine = await engine.model("Deal").create({ title: "Chloe loses", value: 100, ownerId: USERS.chloe, contactId: ids.contact }, system);
    const noReason = await failure(engine.model("Deal").update({ id: mine.id }, { stage: "lost", actualCloseDate: "2026-02-01" }, chloe));
    expect(noReason).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(noReason.fieldErrors).toEqual([{ path: ["data", "lostReason"], message: "lostReason is required when stage is lost", rule: "required_if" }]);
    const noDate = await failure(engine.model("Deal").update({ id: mine.id }, { stage: "won" }, chloe));
    expect(noDate.fieldErrors).toEqual([{ path: ["data", "actualCloseDate"], message: "actualCloseDate is required when stage is won or lost", rule: "required_if" }]);
    const lost = await engine.model("Deal").update({ id: mine.id }, { stage: "lost", actualCloseDate: "2026-02-01", lostReason: "Went with a competitor" }, chloe);
    expect(lost).toMatchObject({ stage: "lost", lostReason: "Went with a competitor", version: 2 });
    // Clearing the reason of a lost deal would leave it unexplained.
    expect((await failure(engine.model("Deal").update({ id: mine.id }, { lostReason: null }, chloe))).fieldErrors[0].path).toEqual(["data", "lostReason"]);
    await engine.model("Deal").destroy({ id: mine.id }, admin); // other tests count Chloé's deals
  });

  it("still keeps a won deal out of sales' and managers' hands, whatever the input (FORBIDDEN, not a validation error)", async () => {
    const won = await engine.model("Deal").create({ title: "Chloe won", ownerId: USERS.chloe, contactId: ids.contact, stage: "won", actualCloseDate: "2026-02-01" }, system);
    for (const who of [chloe, manager]) {
      const error = await failure(engine.model("Deal").update({ id: won.id }, { stage: "lost" }, who));
      expect(error.code).toBe("FORBIDDEN");
    }
    await engine.model("Deal").destroy({ id: won.id }, admin);
  });
});

describe("policies, deny-overrides", () => {
  it("a deny on crm.deal.delete when the stage is won blocks a manager, not for a lead deal, not for an admin", async () => {
    const error = await failure(engine.model("Deal").delete({ id: ids.wonDeal }, manager));
    expect(error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("crm.deal.delete") });
    expect(await engine.model("Deal").deleteMany({ stage: "won" }, manager)).toEqual({ count: 0 });
    const lead = await engine.model("Deal").create({ title: "Lead deal", contactId: ids.contact }, system);
    expect((await engine.model("Deal").delete({ id: lead.id as string }, manager)).deletedAt).not.toBeNull();
    expect((await engine.model("Deal").delete({ id: ids.wonDeal }, admin)).deletedAt).not.toBeNull();
    await engine.model("Deal").restore({ id: ids.wonDeal }, admin);
  });

  it("an allow policy grants viewers a read the matrix does not; an unconditional deny overrides it", async () => {
    const variant = (policies: NonNullable<RawSchema["config"]>["policies"]): Engine => {
      const raw: RawSchema = { ...crmSchema.raw, config: { ...crmSchema.raw.config, policies } };
      raw.models = { ...raw.models, Tag: { ...raw.models.Tag, access: { ...raw.models.Tag.access, read: "sales|manager|admin" } } };
      return new Engine({ schema: normaliseSchema(raw), db: crm.db, cache: false });
    };
    const vip = await engine.model("Tag").create({ name: "vip" }, system);
    await crm.db.transaction((tx) => tx.query("INSERT INTO contact_tags (contact_id, tag_id, tenant_id) VALUES ($1::uuid, $2::uuid, $3::uuid)", [ids.contact, vip.id, TENANT]), { role: false });
    expect((await failure(variant([]).model("Tag").findMany({}, viewer))).message).toBe("crm.tag.read requires one of sales, manager, admin");
    // A relation whose target the principal may not read is empty, not an error; filters through it match nothing.
    const contact = await variant([]).model("Contact").findUnique({ id: ids.contact }, viewer, { include: { labels: true } });
    expect(contact!.labels).toEqual([]);
    expect((await variant([]).model("Contact").findMany({ where: { labels_some: { name: "vip" } } }, viewer)).nodes).toEqual([]);
    expect((await variant([]).model("Contact").findUnique({ id: ids.contact }, manager, { include: { labels: true } }))!.labels).toMatchObject([{ name: "vip" }]);
    const allowed = variant([{ effect: "allow", actions: ["read"], resources: ["crm.tag"], roles: "viewer" }]);
    expect((await allowed.model("Tag").findMany({}, viewer)).nodes.map((t) => t.name)).toEqual(["vip"]);
    const conditional = variant([{ effect: "allow", actions: ["read"], resources: ["crm.tag"], roles: "viewer", when: { name: "other" } }]);
    expect((await conditional.model("Tag").findMany({}, viewer)).nodes).toEqual([]);
    const denied = variant([
      { effect: "allow", actions: ["*"], resources: ["crm.tag"], roles: "viewer" },
      { effect: "deny", actions: ["read"], resources: ["crm.tag.read"] },
    ]);
    expect((await failure(denied.model("Tag").findMany({}, viewer))).message).toBe("crm.tag.read is denied by a policy");
    const hidden = variant([{ effect: "deny", actions: ["read"], resources: ["crm.tag"], when: { name: "vip" } }]);
    expect((await hidden.model("Tag").findMany({}, admin)).nodes).toEqual([]);
  });
});

describe("one statement per read with authorisation on", () => {
  it("keeps list, by-id, aggregate and group-by at exactly one statement for a sales user", async () => {
    const nocache = user(USERS.chloe, ["sales"], { teams: [TEAMS.north], sub: USERS.chloe });
    const fresh = new Engine({ schema: crm.schema, db: crm.db, cache: false });
    const count = async (call: () => Promise<unknown>): Promise<number> => {
      const before = crm.db.stats.statements;
      await call();
      return crm.db.stats.statements - before;
    };
    expect(await count(() => fresh.model("Company").findMany({ include: { contacts: { include: { deals: { include: { activities: true } } } } }, aggregate: { count: true } }, nocache))).toBe(1);
    expect(await count(() => fresh.model("Deal").findUnique({ id: ids.chloeDeal }, nocache, { include: { company: true, contact: true } }))).toBe(1);
    expect(await count(() => fresh.model("Deal").aggregate({ count: true }, nocache))).toBe(1);
    expect(await count(() => fresh.model("Deal").groupBy({ by: ["stage"] }, nocache))).toBe(1);
    expect(await count(() => fresh.model("Deal").history(ids.chloeDeal, nocache))).toBe(1);
  });
});

describe("findMany aggregate", () => {
  it("aggregates every matching row the principal may read, ignoring paging, in the same statement", async () => {
    const page = await engine.model("Deal").findMany({ first: 1, aggregate: { count: true, sum: ["value"], max: ["value"] } }, chloe);
    expect(page.nodes).toHaveLength(1);
    expect(page.aggregate).toEqual({ count: 2, sum: { value: "200.0000" }, max: { value: "100.0000" } });
    const all = await engine.model("Deal").findMany({ first: 1, where: { stage_not: "won" }, aggregate: { count: true, avg: ["value"] } }, manager);
    expect(all.aggregate!.count).toBe(3);
    expect((await failure(engine.model("Deal").findMany({ aggregate: { count: true, median: ["value"] } as never }, manager))).code).toBe("VALIDATION_FAILED");
  });
});

describe("the read cache keeps principals apart", () => {
  it("does not serve a result computed for other teams or permissions", async () => {
    const withTeam = await engine.model("Deal").findMany({}, chloe);
    const withoutTeam = await engine.model("Deal").findMany({}, user(USERS.chloe, ["sales"], { teams: [] }));
    expect(titles(withTeam.nodes)).toEqual(["Chad deal", "Chloe deal"]);
    expect(titles(withoutTeam.nodes)).toEqual(["Chloe deal"]);
    expect(engine.cache!.key(chloe, ["Deal"], "x", {})).not.toBe(engine.cache!.key(user(USERS.chloe, ["sales"], { teams: [TEAMS.north], permissions: ["*"] }), ["Deal"], "x", {}));
  });
});
