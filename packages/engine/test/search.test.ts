// `_search` through the engine on a migrated CRM database (RLS, row rules, search indexes): every
// word must match some searched field, accents and case ignored, best matches first, pages stable.
// The Contact here is named by two display fields, and firstName is searched only as one of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normaliseSchema, type RawSchema } from "@tessera/schema";
import { schema as crmSchema } from "@tessera/crm";
import { Engine, EngineError, systemContext, type Page, type RecordData, type RequestContext } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0c000000-0000-4000-8000-0000000000b1";
const OTHER_TENANT = "0c000000-0000-4000-8000-0000000000b2";
const uid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const USERS = { ana: uid(1), chloe: uid(3), sam: uid(5) };
const TEAMS = { north: uid(101), south: uid(102) };

const admin: RequestContext = { tenantId: TENANT, principal: { sub: USERS.ana, roles: ["admin"], kind: "user" } };
const chloe: RequestContext = { tenantId: TENANT, principal: { sub: USERS.chloe, roles: ["sales"], kind: "user", teams: [TEAMS.north] } };
const otherAdmin: RequestContext = { tenantId: OTHER_TENANT, principal: { sub: USERS.ana, roles: ["admin"], kind: "user" } };

function contactVariant(): RawSchema {
  const raw = crmSchema.raw;
  const contact = raw.models.Contact;
  // firstName is not `searchable` here: it is searched because it names the record.
  return {
    ...raw,
    models: { ...raw.models, Contact: { ...contact, searchable: ["lastName", "email"], ui: { ...contact.ui, displayField: ["firstName", "lastName"] } } },
  };
}

let crm: CrmDatabase;
let engine: Engine;

/** Contacts in creation order: name → id. */
const ids: Record<string, string> = {};

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT, OTHER_TENANT], normaliseSchema(contactVariant()));
  engine = new Engine({ schema: crm.schema, db: crm.db, cache: false });
  const system = systemContext(TENANT);
  for (const [name, id] of Object.entries(USERS)) await engine.model("User").create({ id, name, email: `${name}@example.com` }, system);
  await engine.model("Team").create({ id: TEAMS.north, name: "North" }, system);
  await engine.model("Team").create({ id: TEAMS.south, name: "South" }, system);
  await engine.model("Membership").create({ userId: USERS.chloe, teamId: TEAMS.north, role: "sales" }, system);
  await engine.model("Membership").create({ userId: USERS.sam, teamId: TEAMS.south, role: "sales" }, system);
  const contact = async (key: string, firstName: string, lastName: string | null, extra: Record<string, unknown> = {}) => {
    ids[key] = (await engine.model("Contact").create({ firstName, lastName, ownerId: USERS.chloe, ...extra }, system)).id as string;
  };
  await contact("fuzzy", "José", "Garsia"); // "garcia" only by similarity
  await contact("contains", "Mariajosé", "Delagarcía"); // both words inside, neither at a word start
  await contact("exact", "José", "García", { email: "jgarcia@example.com" });
  await contact("prefix", "Josefina", "García Márquez"); // both words start a word
  await contact("samExact", "JOSE", "garcia", { ownerId: USERS.sam }); // sales in another team cannot see it
  await contact("unrelated", "Peter", "Gibbons", { email: "peter@globex.example" });
  await contact("zoe", "Zoe", "Bronte");
  await contact("deleted", "José", "García");
  await engine.model("Contact").delete({ id: ids.deleted }, system);
  await engine.model("Contact").create({ firstName: "José", lastName: "García" }, systemContext(OTHER_TENANT));
});
afterAll(async () => {
  await crm?.drop();
});

const keysOf = (page: Page<RecordData>): string[] => page.nodes.map((n) => Object.keys(ids).find((k) => ids[k] === n.id) ?? `?${String(n.firstName)}`);

async function search(text: string, ctx: RequestContext = admin, args: Record<string, unknown> = {}): Promise<Page<RecordData>> {
  const before = crm.db.stats.statements;
  const page = await engine.model("Contact").findMany({ where: { _search: text }, ...(args.last === undefined ? { first: 50 } : {}), ...args }, ctx);
  // One statement per read stays true with the relevance order.
  expect(crm.db.stats.statements - before).toBe(1);
  return page;
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe("_search: words across fields", () => {
  it("matches a full name when every word matches some field, in any order", async () => {
    expect(keysOf(await search("jose garcia"))).toEqual(["exact", "samExact", "prefix", "contains", "fuzzy"]);
    expect(keysOf(await search("garcia jose")).sort()).toEqual(["contains", "exact", "fuzzy", "prefix", "samExact"]);
  });

  it("requires every word (AND across words), not any", async () => {
    expect(keysOf(await search("jose gibbons"))).toEqual([]);
    expect(keysOf(await search("peter gibbons"))).toEqual(["unrelated"]);
  });

  it("searches display fields that are not searchable, and searchable ones that are not displayed", async () => {
    expect(keysOf(await search("mariajosé"))).toEqual(["contains"]);
    // Short names are similar to each other: José comes too, but only after the match itself.
    expect(keysOf(await search("josefina"))[0]).toBe("prefix");
    expect(keysOf(await search("jgarcia@example.com jose"))).toEqual(["exact"]);
    expect(keysOf(await search("globex peter"))).toEqual(["unrelated"]);
  });

  it("ignores case and accents on both sides", async () => {
    const expected = keysOf(await search("jose garcia"));
    expect(keysOf(await search("JOSÉ GARCÍA"))).toEqual(expected);
    expect(keysOf(await search("José  García "))).toEqual(expected);
    expect(keysOf(await search("zoë brontë"))).toEqual(["zoe"]);
    expect(keysOf(await search("GARCÍA jo")).slice(0, 3).sort()).toEqual(["exact", "prefix", "samExact"]);
  });

  it("treats a blank query as no search and refuses more than 16 words", async () => {
    const all = await engine.model("Contact").findMany({ first: 50 }, admin);
    expect(keysOf(await search("   "))).toEqual(keysOf(all));
    const error = await failure(search(Array.from({ length: 17 }, (_, i) => `w${i}`).join(" ")));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["where", "_search"], rule: "max" })]);
  });

  it("works inside relation filters", async () => {
    const deal = await engine.model("Deal").create({ title: "Garcia deal", contactId: ids.exact }, systemContext(TENANT));
    const found = await engine.model("Deal").findMany({ where: { contact: { _search: "jose garcia" } } }, admin);
    expect(found.nodes.map((n) => n.id)).toEqual([deal.id]);
    await engine.model("Deal").destroy({ id: deal.id as string }, admin);
  });
});

describe("_search: relevance", () => {
  it("orders exact > prefix > contains > fuzzy, then by creation", async () => {
    // exact: the display name is the query; samExact too (created later); prefix: each word starts a
    // word; contains: each word is inside a field; fuzzy: "garcia" is only similar to "Garsia".
    expect(keysOf(await search("jose garcia"))).toEqual(["exact", "samExact", "prefix", "contains", "fuzzy"]);
  });

  it("finds typos by similarity, after the records matching every word", async () => {
    expect(keysOf(await search("jose garsia"))).toEqual(["fuzzy", "exact", "samExact"]);
    expect(keysOf(await search("gibons"))).toEqual(["unrelated"]);
  });

  it("an exact match of a single field ranks first", async () => {
    expect(keysOf(await search("garcia")).slice(0, 2)).toEqual(["exact", "samExact"]);
  });

  it("an explicit orderBy replaces the relevance order", async () => {
    const newestFirst = await search("jose garcia", admin, { orderBy: "createdAt_DESC" });
    expect(keysOf(newestFirst)).toEqual(["samExact", "prefix", "exact", "contains", "fuzzy"]);
  });
});

describe("_search: pages in relevance order", () => {
  it("page 2 continues after page 1's last row, and pages backwards too", async () => {
    const all = keysOf(await search("jose garcia"));
    const first = await search("jose garcia", admin, { first: 2 });
    expect(keysOf(first)).toEqual(all.slice(0, 2));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await search("jose garcia", admin, { first: 2, after: first.pageInfo.endCursor });
    expect(keysOf(second)).toEqual(all.slice(2, 4));
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const third = await search("jose garcia", admin, { first: 2, after: second.pageInfo.endCursor });
    expect(keysOf(third)).toEqual(all.slice(4));
    expect(third.pageInfo.hasNextPage).toBe(false);
    const back = await search("jose garcia", admin, { last: 2, before: third.pageInfo.startCursor });
    expect(keysOf(back)).toEqual(all.slice(2, 4));
    expect(keysOf(await search("jose garcia", admin, { last: 2 }))).toEqual(all.slice(3));
  });

  it("refuses a cursor made for another search", async () => {
    const first = await search("jose garcia", admin, { first: 1 });
    const error = await failure(search("garcia", admin, { first: 1, after: first.pageInfo.endCursor }));
    expect(error.fieldErrors).toEqual([expect.objectContaining({ path: ["after"], rule: "cursor", message: expect.stringContaining("different orderBy") })]);
  });
});

describe("_search: access", () => {
  it("keeps row rules: a salesperson does not find another team's contact", async () => {
    expect(keysOf(await search("jose garcia", chloe))).toEqual(["exact", "prefix", "contains", "fuzzy"]);
  });

  it("keeps tenancy and soft deletes", async () => {
    const other = await search("jose garcia", otherAdmin);
    expect(other.nodes.map((n) => [n.firstName, n.lastName])).toEqual([["José", "García"]]);
    expect(keysOf(await search("jose garcia"))).not.toContain("deleted");
  });
});
