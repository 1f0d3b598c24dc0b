import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@tessera/db";
import { compileFindMany } from "../src/compiler/index.ts";
import type { RecordData, Where } from "../src/queryTypes.ts";
import { ctxA, ctxB, deals, fixtureDatabase, ids, model, pageOptions, run, schema, type DealFixture } from "./compilerFixtures.ts";

let db: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ db, drop } = await fixtureDatabase());
});
afterAll(async () => drop());

async function find(modelName: string, where: Where, ctx = ctxA): Promise<RecordData[]> {
  const { result, statements } = await run(db, compileFindMany(schema, model(modelName), { where, first: 100 }, ctx, pageOptions));
  expect(statements).toBe(1);
  return result.nodes;
}

async function dealIds(where: Where): Promise<string[]> {
  return (await find("Deal", where)).map((n) => n.id as string).sort();
}

function expected(predicate: (d: DealFixture, i: number) => boolean): string[] {
  return deals.filter(predicate).map((d) => d.id).sort();
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

describe("compileWhere: scalar operators", () => {
  it("treats a bare field as equality and null as IS NULL", async () => {
    expect(await dealIds({ value: null })).toEqual(expected((d) => d.value === null));
    expect(await dealIds({ value: "100" })).toEqual(expected((d) => num(d.value) === 100));
    expect(await dealIds({ value: 100 })).toEqual(expected((d) => num(d.value) === 100));
    expect(await dealIds({ stage: "won" })).toEqual(expected((d) => d.stage === "won"));
    expect(await dealIds({ id: deals[5].id })).toEqual([deals[5].id]);
  });

  it("_not is the exact complement, NULLs included", async () => {
    expect(await dealIds({ value_not: null })).toEqual(expected((d) => d.value !== null));
    expect(await dealIds({ value_not: "100" })).toEqual(expected((d) => num(d.value) !== 100));
  });

  it("_in and _not_in take lists", async () => {
    expect(await dealIds({ stage_in: ["won", "lost"] })).toEqual(expected((d) => ["won", "lost"].includes(d.stage)));
    expect(await dealIds({ value_in: ["100", 250.5] })).toEqual(expected((d) => [100, 250.5].includes(num(d.value) ?? -1)));
    expect(await dealIds({ value_not_in: ["100"] })).toEqual(expected((d) => num(d.value) !== 100));
    expect(await dealIds({ stage_in: [] })).toEqual([]);
    expect(await dealIds({ id_in: [deals[0].id, deals[1].id] })).toEqual([deals[0].id, deals[1].id].sort());
  });

  it("compares numbers, dates and date-times with _lt/_lte/_gt/_gte", async () => {
    expect(await dealIds({ value_lt: 100 })).toEqual(expected((d) => d.value !== null && Number(d.value) < 100));
    expect(await dealIds({ value_lte: "100" })).toEqual(expected((d) => d.value !== null && Number(d.value) <= 100));
    expect(await dealIds({ value_gt: 250.5 })).toEqual(expected((d) => d.value !== null && Number(d.value) > 250.5));
    expect(await dealIds({ value_gte: 250.5 })).toEqual(expected((d) => d.value !== null && Number(d.value) >= 250.5));
    expect(await dealIds({ expectedCloseDate_gte: "2025-05-01" })).toEqual(
      expected((d) => d.expectedCloseDate !== null && d.expectedCloseDate >= "2025-05-01"),
    );
    expect(await dealIds({ createdAt_gt: "2025-01-02T00:00:00Z" })).toEqual(expected((d) => d.createdAt > "2025-01-02"));
    expect(await dealIds({ createdAt_lte: new Date("2025-01-01T10:00:00.5Z") })).toEqual(expected((d) => d.createdAt < "2025-01-02"));
    const acts = await find("Activity", { durationMinutes_gte: 30, occurredAt_lt: "2025-02-03T13:00:00Z" });
    // Demo happened at 14:00+02:00 = 12:00Z.
    expect(acts.map((a) => a.title)).toEqual(["Intro call", "Demo"]);
  });

  it("string operators match literally, escaping % _ and \\", async () => {
    const special = deals[3].id;
    expect(await dealIds({ title_contains: "0%_" })).toEqual([special]);
    expect(await dealIds({ title_contains: "\\ s" })).toEqual([special]);
    expect(await dealIds({ title_contains: "deal" })).toEqual([]); // case-sensitive
    expect(await dealIds({ title_not_contains: "%" })).toEqual(expected((d) => !d.title.includes("%")));
    expect(await dealIds({ title_starts_with: "Deal 1" })).toEqual(expected((d) => d.title.startsWith("Deal 1")));
    expect(await dealIds({ title_not_starts_with: "Deal 1" })).toEqual(expected((d) => !d.title.startsWith("Deal 1")));
    expect(await dealIds({ title_ends_with: "7" })).toEqual(expected((d) => d.title.endsWith("7")));
    expect(await dealIds({ title_not_ends_with: "7" })).toEqual(expected((d) => !d.title.endsWith("7")));
    expect(await dealIds({ title_starts_with: "_" })).toEqual([]);
  });

  it("array operators use @> and &&, and lists with commas and quotes survive", async () => {
    const names = async (where: Where) => (await find("Company", where)).map((c) => c.name);
    expect(await names({ tags_contains_all: ["b2b", "saas"] })).toEqual(["Acme"]);
    expect(await names({ tags_contains_some: ["saas", "nope"] })).toEqual(["Acme"]);
    expect(await names({ tags_contains_none: ["b2b"] })).toEqual(["Initech"]);
    expect(await names({ tags: ["b2b"] })).toEqual(["Globex"]);
    expect(await names({ tags_contains_all: [] })).toEqual(["Acme", "Globex", "Initech"]);
    const contacts = await find("Contact", { tags_contains_some: ["with,comma", 'a"quote'] });
    expect(contacts.map((c) => c.firstName)).toEqual(["José"]);
  });

  it("filters booleans, json and enums", async () => {
    expect((await find("User", { active: true })).map((u) => u.name)).toEqual(["Ana"]);
    expect(await find("User", { active_not: true })).toEqual([]);
    expect((await find("Contact", { socialHandles: { twitter: "@jose" } })).map((c) => c.firstName)).toEqual(["José"]);
    expect((await find("Contact", { socialHandles_not: null })).map((c) => c.firstName)).toEqual(["José"]);
    expect((await find("Company", { size_not_in: ["medium"] })).map((c) => c.name)).toEqual(["Globex", "Initech"]);
  });
});

describe("compileWhere: AND / OR / NOT", () => {
  it("combines conditions", async () => {
    expect(await dealIds({ AND: [{ stage: "won" }, { value_not: null }] })).toEqual(expected((d) => d.stage === "won" && d.value !== null));
    expect(await dealIds({ OR: [{ stage: "won" }, { value: null }] })).toEqual(expected((d) => d.stage === "won" || d.value === null));
    expect(await dealIds({ OR: [] })).toEqual([]);
    expect(await dealIds({ AND: [] })).toEqual(expected(() => true));
    expect(await dealIds({ NOT: { value_gt: 100 } })).toEqual(expected((d) => !(d.value !== null && Number(d.value) > 100)));
    expect(await dealIds({ NOT: [{ stage: "won" }, { value: "100" }] })).toEqual(expected((d) => !(d.stage === "won" && num(d.value) === 100)));
    expect(await dealIds({ stage_in: ["won", "lead"], OR: [{ value: null }, { NOT: { value_lt: 1000 } }] })).toEqual(
      expected((d) => ["won", "lead"].includes(d.stage) && (d.value === null || Number(d.value) >= 1000)),
    );
  });
});

describe("compileWhere: relationships", () => {
  const firstNames = async (where: Where, ctx = ctxA) => (await find("Contact", where, ctx)).map((c) => c.firstName).sort();
  const companyNames = async (where: Where, ctx = ctxA) => (await find("Company", where, ctx)).map((c) => c.name).sort();

  it("filters by a to-one relation with a nested where (EXISTS), and by its absence", async () => {
    expect(await firstNames({ company: { name: "Acme" } })).toEqual(["José", "Maria"]);
    expect(await firstNames({ company: null })).toEqual(["Zoë"]);
    expect(await dealIds({ contact: { company: { industry: "Manufacturing" } } })).toEqual(expected((d) => d.contactId === ids.peter));
  });

  it("filters hasMany with _some, _every and _none, ignoring soft-deleted related rows", async () => {
    expect(await companyNames({ contacts_some: { firstName: "José" } })).toEqual(["Acme"]);
    expect(await companyNames({ contacts_some: { firstName: "Ghost" } })).toEqual([]);
    expect(await companyNames({ contacts_none: {} })).toEqual(["Initech"]);
    expect(await companyNames({ contacts_every: { email_ends_with: "@acme.test" } })).toEqual(["Acme", "Initech"]);
    expect(await companyNames({ contacts_every: { lastName_not: null }, contacts_some: {} })).toEqual(["Acme", "Globex"]);
  });

  it("filters manyToMany through the join table", async () => {
    expect(await firstNames({ labels_some: { name: "hot" } })).toEqual(["José", "Maria"]);
    expect(await firstNames({ labels_none: { name: "vip" } })).toEqual(["Maria", "Peter", "Zoë"]);
    expect(await firstNames({ labels_every: { name: "hot" } })).toEqual(["Maria", "Peter", "Zoë"]);
  });

  it("keeps relation filters inside the tenant", async () => {
    expect(await companyNames({ contacts_some: { firstName: "José" } }, ctxB)).toEqual(["Beta Corp"]);
    expect(await firstNames({ labels_some: { name: "vip" } }, ctxB)).toEqual(["José"]);
    // Tenant B's deal points at tenant A's José: invisible from A's side of the relation.
    expect(await companyNames({ deals_some: { title: "Tenant B deal" } })).toEqual([]);
  });
});

describe("compileWhere: _search", () => {
  const search = async (text: string, modelName = "Contact") => (await find(modelName, { _search: text })).map((r) => r.firstName ?? r.title).sort();

  it("is accent- and case-insensitive over searchable fields", async () => {
    expect(await search("jose")).toEqual(["José"]);
    expect(await search("GARCIA")).toEqual(["José"]);
    expect(await search("zoe")).toEqual(["Zoë"]);
    expect(await search("@acme")).toEqual(["José", "Maria"]);
    expect(await search("JOSÉ")).toEqual(["José"]);
  });

  it("escapes LIKE metacharacters", async () => {
    expect(await search("%")).toEqual([]);
    expect(await search("0%_o", "Deal")).toEqual(["Deal 100%_off \\ special"]);
  });
});
