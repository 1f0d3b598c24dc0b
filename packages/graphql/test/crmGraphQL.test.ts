// Hygraph-convention conformance of the GraphQL API over the CRM schema, executed with graphql's
// execute (executeGraphQL) against a real database on the driver under test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_TENANT, admin, dataOf, openHarness, type Harness } from "./harness.ts";
import { executeGraphQL, type GraphQLResponse } from "../src/index.ts";

let h: Harness;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await openHarness();
  // Fixture: 2 companies, 3 contacts, 6 deals, written through GraphQL.
  const acme = dataOf(await h.gql(`mutation { createCompany(data: { name: "Acme", size: medium, tags: ["b2b", "eu"], annualRevenue: "1000000" }) { id } }`));
  const globex = dataOf(await h.gql(`mutation { createCompany(data: { name: "Globex", size: large, tags: ["b2c"] }) { id } }`));
  ids.acme = acme.createCompany.id;
  ids.globex = globex.createCompany.id;
  const ana = dataOf(await h.gql(`mutation($c: ID!) { createContact(data: { firstName: "Ana", lastName: "Álvarez", email: "ana@acme.test", company: { connect: { id: $c } } }) { id companyId } }`, { c: ids.acme }));
  expect(ana.createContact.companyId).toBe(ids.acme);
  ids.ana = ana.createContact.id;
  const ben = dataOf(await h.gql(`mutation($c: ID!) { createContact(data: { firstName: "Ben", lastName: "Brown", email: "ben@globex.test", companyId: $c }) { id } }`, { c: ids.globex }));
  ids.ben = ben.createContact.id;
  const cleo = dataOf(await h.gql(`mutation { createContact(data: { firstName: "Cléo", email: "cleo@free.test" }) { id } }`));
  ids.cleo = cleo.createContact.id;
  const deals: [string, string, string, string, string | null][] = [
    ["Alpha", "100", "lead", ids.ana, ids.acme],
    ["Beta", "250.5", "qualified", ids.ana, ids.acme],
    ["Gamma", "900", "won", ids.ben, ids.globex],
    ["Delta", "50", "lead", ids.ben, null],
    ["Epsilon", "0", "lost", ids.ben, ids.globex],
    ["Zeta", "700", "proposal", ids.ana, null],
  ];
  // A closed deal needs its close date, a lost one its reason too (required_if in the CRM schema).
  const closing = (stage: string) => ({ ...(stage === "won" || stage === "lost" ? { actualCloseDate: "2026-02-20" } : {}), ...(stage === "lost" ? { lostReason: "Budget" } : {}) });
  for (const [title, value, stage, contactId, companyId] of deals) {
    const r = dataOf(
      await h.gql(`mutation($d: DealCreateInput!) { createDeal(data: $d) { id } }`, { d: { title, value, stage, contactId, companyId, expectedCloseDate: "2026-03-01", ...closing(stage) } }),
    );
    ids[title] = r.createDeal.id;
  }
});
afterAll(async () => {
  await h?.close();
});

const titles = (list: { title: string }[]) => list.map((d) => d.title);
const sorted = (list: string[]) => [...list].sort();

function errorOf(response: GraphQLResponse, code: string) {
  expect(response.errors?.length, JSON.stringify(response)).toBeGreaterThan(0);
  const error = response.errors![0];
  expect(error.extensions?.code, JSON.stringify(error)).toBe(code);
  return error as typeof error & { extensions: { code: string; fieldErrors?: { path: (string | number)[]; rule: string; message: string }[] } };
}

describe("names", () => {
  it("uses plurals, relationship names, foreign keys as scalars and enum values as declared", async () => {
    const r = dataOf(await h.gql(`{
      companies(orderBy: name_ASC) { name size }
      deals(where: { title: "Alpha" }) { stage contactId contact { firstName } company { name } owner { name } }
      __type(name: "DealStage") { enumValues { name } }
      contact: __type(name: "Contact") { fields { name } }
    }`));
    expect(r.companies).toEqual([{ name: "Acme", size: "medium" }, { name: "Globex", size: "large" }]);
    expect(r.deals).toEqual([{ stage: "lead", contactId: ids.ana, contact: { firstName: "Ana" }, company: { name: "Acme" }, owner: null }]);
    expect(r.__type.enumValues.map((v: { name: string }) => v.name)).toEqual(["lead", "qualified", "proposal", "negotiation", "won", "lost"]);
    const fields = r.contact.fields.map((f: { name: string }) => f.name);
    expect(fields).toEqual(expect.arrayContaining(["owner", "ownerId", "company", "companyId", "labels", "deals", "nodeId", "version", "createdAt", "updatedAt", "deletedAt"]));
    expect(fields).not.toContain("user");
    expect(fields).not.toContain("tenantId");
  });

  it("round-trips an enum value through a variable and a filter", async () => {
    const r = dataOf(await h.gql(`query($s: DealStage!) { deals(where: { stage: $s }, orderBy: title_ASC) { title stage } }`, { s: "lead" }));
    expect(r.deals).toEqual([{ title: "Alpha", stage: "lead" }, { title: "Delta", stage: "lead" }]);
  });
});

describe("filters", () => {
  const cases: [string, string[]][] = [
    [`{ title: "Beta" }`, ["Beta"]],
    [`{ title_not: "Beta" }`, ["Alpha", "Delta", "Epsilon", "Gamma", "Zeta"]],
    [`{ stage_in: [lead, won] }`, ["Alpha", "Delta", "Gamma"]],
    [`{ stage_not_in: [lead, won] }`, ["Beta", "Epsilon", "Zeta"]],
    [`{ value_lt: "100" }`, ["Delta", "Epsilon"]],
    [`{ value_lte: "100" }`, ["Alpha", "Delta", "Epsilon"]],
    [`{ value_gt: "700" }`, ["Gamma"]],
    [`{ value_gte: "700" }`, ["Gamma", "Zeta"]],
    [`{ title_contains: "et" }`, ["Beta", "Zeta"]],
    [`{ title_not_contains: "a" }`, ["Epsilon"]],
    [`{ title_starts_with: "G" }`, ["Gamma"]],
    [`{ title_not_starts_with: "G" }`, ["Alpha", "Beta", "Delta", "Epsilon", "Zeta"]],
    [`{ title_ends_with: "lon" }`, ["Epsilon"]],
    [`{ title_not_ends_with: "a" }`, ["Epsilon"]],
    [`{ companyId: null }`, ["Delta", "Zeta"]],
    [`{ expectedCloseDate_gte: "2026-03-01", value_gt: 600 }`, ["Gamma", "Zeta"]],
    [`{ AND: [{ stage: lead }, { value_gt: "60" }] }`, ["Alpha"]],
    [`{ OR: [{ title: "Alpha" }, { title: "Zeta" }] }`, ["Alpha", "Zeta"]],
    [`{ NOT: { stage: lead } }`, ["Beta", "Epsilon", "Gamma", "Zeta"]],
    [`{ NOT: [{ stage: lead }, { value_gt: 60 }] }`, ["Beta", "Delta", "Epsilon", "Gamma", "Zeta"]],
    [`{ contact: { firstName: "Ben" } }`, ["Delta", "Epsilon", "Gamma"]],
    [`{ company: { tags_contains_some: ["b2c"] } }`, ["Epsilon", "Gamma"]],
    [`{ company: null }`, ["Delta", "Zeta"]],
    [`{ _search: "ALPH" }`, ["Alpha"]],
  ];
  for (const [where, expected] of cases) {
    it(`deals(where: ${where})`, async () => {
      const r = dataOf(await h.gql(`{ deals(where: ${where}) { title } }`));
      expect(sorted(titles(r.deals))).toEqual(expected);
    });
  }

  it("filters arrays with _contains_all, _contains_some, _contains_none and equality", async () => {
    const r = dataOf(await h.gql(`{
      all: companies(where: { tags_contains_all: ["b2b", "eu"] }) { name }
      some: companies(where: { tags_contains_some: ["eu", "b2c"] }, orderBy: name_ASC) { name }
      none: companies(where: { tags_contains_none: ["eu"] }) { name }
      eq: companies(where: { tags: ["b2c"] }) { name }
    }`));
    expect(r).toEqual({ all: [{ name: "Acme" }], some: [{ name: "Acme" }, { name: "Globex" }], none: [{ name: "Globex" }], eq: [{ name: "Globex" }] });
  });

  it("filters to-many relationships with _some, _every and _none", async () => {
    const r = dataOf(await h.gql(`{
      some: contacts(where: { deals_some: { stage: won } }) { firstName }
      every: contacts(where: { deals_every: { value_gte: "100" } }, orderBy: firstName_ASC) { firstName }
      none: contacts(where: { deals_none: { stage: lead } }) { firstName }
    }`));
    expect(r.some).toEqual([{ firstName: "Ben" }]);
    expect(r.every).toEqual([{ firstName: "Ana" }, { firstName: "Cléo" }]);
    expect(r.none).toEqual([{ firstName: "Cléo" }]);
  });

  it("searches accent-insensitively in searchable fields", async () => {
    const r = dataOf(await h.gql(`{ contacts(where: { _search: "alvarez" }) { firstName } cleo: contacts(where: { _search: "CLEO" }) { firstName } }`));
    expect(r).toEqual({ contacts: [{ firstName: "Ana" }], cleo: [{ firstName: "Cléo" }] });
  });

  it("reports a bad filter value with its path", async () => {
    const error = errorOf(await h.gql(`{ deals(where: { OR: [{ title: "x" }, { expectedCloseDate: "2026-02-30" }] }) { title } }`), "VALIDATION_FAILED");
    expect(error.extensions.fieldErrors).toEqual([expect.objectContaining({ path: ["where", "OR", 1, "expectedCloseDate"] })]);
  });
});

describe("ordering and pagination", () => {
  it("orders by several keys, by a single value or a list", async () => {
    const r = dataOf(await h.gql(`{
      multi: deals(orderBy: [stage_ASC, value_DESC]) { title }
      single: deals(orderBy: value_DESC, first: 2) { title }
    }`));
    expect(titles(r.multi)).toEqual(["Alpha", "Delta", "Beta", "Zeta", "Gamma", "Epsilon"]);
    expect(titles(r.single)).toEqual(["Gamma", "Zeta"]);
  });

  it("walks forward with first/after and backward with last/before, with pageInfo", async () => {
    const query = `query($first: Int, $after: String, $last: Int, $before: String) {
      dealsConnection(orderBy: [value_ASC], first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { title } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor pageSize }
      }
    }`;
    const forward: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const c = dataOf(await h.gql(query, { first: 4, after })).dealsConnection;
      forward.push(...c.edges.map((e: { node: { title: string } }) => e.node.title));
      expect(c.pageInfo.pageSize).toBe(c.edges.length);
      expect(c.pageInfo.hasPreviousPage).toBe(pages > 0);
      expect(c.pageInfo.endCursor).toBe(c.edges.at(-1).cursor);
      pages++;
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(pages).toBe(2);
    expect(forward).toEqual(["Epsilon", "Delta", "Alpha", "Beta", "Zeta", "Gamma"]);

    const backward: string[] = [];
    let before: string | undefined;
    for (;;) {
      const c = dataOf(await h.gql(query, { last: 4, before })).dealsConnection;
      backward.unshift(...c.edges.map((e: { node: { title: string } }) => e.node.title));
      expect(c.pageInfo.hasNextPage).toBe(before !== undefined);
      if (!c.pageInfo.hasPreviousPage) break;
      before = c.pageInfo.startCursor;
    }
    expect(backward).toEqual(forward);
  });

  it("skips, and rejects first with before and a page over the maximum", async () => {
    const r = dataOf(await h.gql(`{ deals(orderBy: value_ASC, skip: 4) { title } }`));
    expect(titles(r.deals)).toEqual(["Zeta", "Gamma"]);
    const page = dataOf(await h.gql(`{ dealsConnection(first: 1) { pageInfo { endCursor } } }`));
    const conflict = errorOf(await h.gql(`query($b: String) { deals(first: 1, before: $b) { title } }`, { b: page.dealsConnection.pageInfo.endCursor }), "VALIDATION_FAILED");
    expect(conflict.extensions.fieldErrors![0].path).toEqual(["before"]);
    const tooBig = errorOf(await h.gql(`{ deals(first: 101) { title } }`), "VALIDATION_FAILED");
    expect(tooBig.extensions.fieldErrors![0]).toMatchObject({ path: ["first"], rule: "max" });
  });

  it("pages and filters included to-many relationships", async () => {
    const r = dataOf(await h.gql(`{ contact(where: { email: "ben@globex.test" }) { deals(orderBy: value_DESC, first: 2, where: { value_gt: 0 }) { title } } }`));
    expect(titles(r.contact.deals)).toEqual(["Gamma", "Delta"]);
  });
});

describe("aggregates and group-by", () => {
  it("aggregates a connection over every matching record, ignoring paging", async () => {
    const r = dataOf(await h.gql(`{ dealsConnection(first: 1, where: { stage_in: [lead, qualified, won] }) {
      edges { node { title } }
      aggregate { count sum { value } avg { value position } min { value title stage } max { value expectedCloseDate } }
    } }`));
    const agg = r.dealsConnection.aggregate;
    expect(r.dealsConnection.edges).toHaveLength(1);
    expect(agg.count).toBe(4);
    expect(Number(agg.sum.value)).toBe(1300.5);
    expect(Number(agg.avg.value)).toBeCloseTo(325.125);
    expect(agg.avg.position).toBe(0);
    expect(agg.min).toMatchObject({ title: "Alpha", stage: "lead" });
    expect(Number(agg.min.value)).toBe(50);
    expect(agg.max.expectedCloseDate).toBe("2026-03-01");
  });

  it("groups deals by stage for Kanban columns, with counts and sums", async () => {
    const r = dataOf(await h.gql(`{ dealsGroupBy(by: [stage]) { key { stage } count sum { value } } }`));
    expect(r.dealsGroupBy.map((g: { key: { stage: string } }) => g.key.stage)).toEqual(["lead", "qualified", "proposal", "won", "lost"]);
    expect(r.dealsGroupBy[0]).toEqual({ key: { stage: "lead" }, count: 2, sum: { value: "150.0000" } });
    const filtered = dataOf(await h.gql(`{ dealsGroupBy(by: [stage, companyId], where: { companyId_not: null }, orderBy: [stage_DESC]) { key { stage companyId } count } }`));
    expect(filtered.dealsGroupBy[0]).toEqual({ key: { stage: "lost", companyId: ids.globex }, count: 1 });
    // Groups are ordered by grouped fields only (the engine's check, reported on orderBy's item);
    // an empty orderBy is the default order, not an empty ORDER BY.
    const ungrouped = errorOf(await h.gql(`{ dealsGroupBy(by: [stage], orderBy: [stage_ASC, value_DESC]) { count } }`), "VALIDATION_FAILED");
    expect(ungrouped.extensions.fieldErrors).toEqual([expect.objectContaining({ path: ["orderBy", 1], rule: "unknown_field" })]);
    const unordered = dataOf(await h.gql(`{ dealsGroupBy(by: [stage], orderBy: []) { key { stage } } }`));
    expect(unordered.dealsGroupBy.map((g: { key: { stage: string } }) => g.key.stage)).toEqual(["lead", "qualified", "proposal", "won", "lost"]);
  });
});

describe("mutations", () => {
  it("upserts: creates when missing, updates when present", async () => {
    const q = `mutation($u: ContactUpsertInput!) { upsertContact(where: { email: "up@x.test" }, upsert: $u) { firstName version email } }`;
    const created = dataOf(await h.gql(q, { u: { create: { firstName: "Up", email: "up@x.test" }, update: { firstName: "Updated" } } }));
    expect(created.upsertContact).toEqual({ firstName: "Up", version: 1, email: "up@x.test" });
    const updated = dataOf(await h.gql(q, { u: { create: { firstName: "Up", email: "up@x.test" }, update: { firstName: "Updated" } } }));
    expect(updated.upsertContact).toEqual({ firstName: "Updated", version: 2, email: "up@x.test" });
  });

  it("creates nested: a deal with a new contact at a new company", async () => {
    const r = dataOf(await h.gql(`mutation { createDeal(data: { title: "Nested", value: 5, contact: { create: { firstName: "Nia", company: { create: { name: "Initech" } } } } }) {
      title contact { firstName company { name } } company { name }
    } }`));
    expect(r.createDeal).toEqual({ title: "Nested", contact: { firstName: "Nia", company: { name: "Initech" } }, company: null });
  });

  it("requires a deal's contact unless a nested contact input gives one", async () => {
    const error = errorOf(await h.gql(`mutation { createDeal(data: { title: "No contact" }) { id } }`), "VALIDATION_FAILED");
    expect(error.extensions.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "contactId"], rule: "required" })]);
    const both = errorOf(await h.gql(`mutation($c: ID!) { createDeal(data: { title: "Both", contactId: $c, contact: { connect: { id: $c } } }) { id } }`, { c: ids.ana }), "VALIDATION_FAILED");
    expect(both.extensions.fieldErrors![0]).toMatchObject({ path: ["data", "contact"], rule: "conflict" });
  });

  it("validates the whole nested tree before writing anything", async () => {
    const before = dataOf(await h.gql(`{ companiesConnection { aggregate { count } } }`)).companiesConnection.aggregate.count;
    const error = errorOf(
      await h.gql(`mutation { createDeal(data: { title: "", contact: { create: { firstName: "X", email: "not-an-email", company: { create: { name: "Never" } } } } }) { id } }`),
      "VALIDATION_FAILED",
    );
    expect(error.extensions.fieldErrors!.map((e) => e.path.join("."))).toEqual(expect.arrayContaining(["data.title", "data.contact.create.email"]));
    const after = dataOf(await h.gql(`{ companiesConnection { aggregate { count } } }`)).companiesConnection.aggregate.count;
    expect(after).toBe(before);
  });

  /** Rows of the tables a deal tree writes, and of the event log, read as the owner (no RLS). */
  async function treeCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of ["companies", "contacts", "deals", "activities", "tessera_events"]) {
      out[table] = (await h.crm.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n;
    }
    return out;
  }
  const dealTree = `mutation($last: ActivityCreateInput!, $email: String) {
    createDeal(data: { title: "Tree", contact: { create: { firstName: "Tia", email: $email, company: { create: { name: "Tree Co" } } } },
      activities: { create: [{ type: call, title: "First" }, $last] } }) {
      title contact { firstName company { name } } activities(orderBy: title_ASC) { title }
    } }`;

  it("creates a deal with a new contact, a new company and two activities in ONE transaction, with the selection", async () => {
    const before = await treeCounts();
    const { statements, transactions } = h.crm.db.stats;
    const r = dataOf(await h.gql(dealTree, { last: { type: "meeting", title: "Second" }, email: "tia@tree.test" }));
    expect(h.crm.db.stats.transactions - transactions).toBe(1);
    expect(h.crm.db.stats.statements - statements).toBe(6); // five records (each with its event) and the read-back
    expect(r.createDeal).toEqual({ title: "Tree", contact: { firstName: "Tia", company: { name: "Tree Co" } }, activities: [{ title: "First" }, { title: "Second" }] });
    expect(await treeCounts()).toEqual({ ...before, companies: before.companies + 1, contacts: before.contacts + 1, deals: before.deals + 1, activities: before.activities + 2, tessera_events: before.tessera_events + 5 });
  });

  it("leaves no row and no event when the last part of a nested create fails", async () => {
    const before = await treeCounts();
    const missing = errorOf(await h.gql(dealTree, { last: { type: "meeting", title: "Second", ticketId: "00000000-0000-4000-8000-00000000dead" } }), "VALIDATION_FAILED");
    expect(missing.extensions.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "activities", "create", 1, "ticketId"], rule: "exists" })]);
    const taken = errorOf(await h.gql(dealTree, { last: { type: "meeting", title: "Second" }, email: "ana@acme.test" }), "VALIDATION_FAILED");
    expect(taken.extensions.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "contact", "create", "email"], rule: "unique" })]);
    expect(await treeCounts()).toEqual(before);
  });

  it("leaves the nested contact unwritten when the update's expectedVersion is stale", async () => {
    const deal = dataOf(await h.gql(`mutation { createDeal(data: { title: "Versioned", contact: { create: { firstName: "Vee" } } }) { id } }`)).createDeal;
    dataOf(await h.gql(`mutation($id: ID!) { updateDeal(where: { id: $id }, data: { title: "Version 2" }) { version } }`, { id: deal.id }));
    const before = await treeCounts();
    const stale = errorOf(
      await h.gql(`mutation($id: ID!) { updateDeal(where: { id: $id }, data: { title: "Stale", contact: { create: { firstName: "Late" } } }, expectedVersion: 1) { id } }`, { id: deal.id }),
      "CONFLICT",
    );
    expect(stale.message).toMatch(/reload it and apply the change again/);
    expect(await treeCounts()).toEqual(before);
  });

  it("refuses an id chosen for a nested record, and still connects by id", async () => {
    const chosen = errorOf(
      await h.gql(`mutation($c: ID!) { createDeal(data: { title: "Chosen", contact: { create: { id: "00000000-0000-4000-8000-00000000c0de", firstName: "C" } }, company: { connect: { id: $c } } }) { id } }`, { c: ids.acme }),
      "VALIDATION_FAILED",
    );
    expect(chosen.extensions.fieldErrors).toEqual([expect.objectContaining({ path: ["data", "contact", "create", "id"], rule: "server_assigned" })]);
    const connected = dataOf(await h.gql(`mutation($c: ID!, $p: ID!) { createDeal(data: { title: "Connected", contact: { connect: { id: $p } }, company: { connect: { id: $c } } }) { company { name } } }`, { c: ids.acme, p: ids.ana }));
    expect(connected.createDeal).toEqual({ company: { name: "Acme" } });
  });

  it("connects, creates and disconnects to-many relationships and disconnects a belongsTo", async () => {
    const r = dataOf(await h.gql(`mutation($cleo: ID!, $gamma: ID!) {
      updateContact(where: { id: $cleo }, data: { lastName: "C", deals: { connect: [{ id: $gamma }], create: [{ title: "Child", value: 1 }] } }) {
        lastName deals(orderBy: title_ASC) { title contactId }
      }
    }`, { cleo: ids.cleo, gamma: ids.Gamma }));
    expect(r.updateContact).toEqual({ lastName: "C", deals: [{ title: "Child", contactId: ids.cleo }, { title: "Gamma", contactId: ids.cleo }] });
    const moved = dataOf(await h.gql(`mutation($ben: ID!, $gamma: ID!) { updateContact(where: { id: $ben }, data: { deals: { connect: [{ id: $gamma }] } }) { deals { title } } }`, { ben: ids.ben, gamma: ids.Gamma }));
    expect(sorted(titles(moved.updateContact.deals))).toEqual(["Delta", "Epsilon", "Gamma"]);

    const required = errorOf(await h.gql(`mutation($ben: ID!, $gamma: ID!) { updateContact(where: { id: $ben }, data: { deals: { disconnect: [{ id: $gamma }] } }) { id } }`, { ben: ids.ben, gamma: ids.Gamma }), "VALIDATION_FAILED");
    expect(required.extensions.fieldErrors![0]).toMatchObject({ path: ["data", "deals", "disconnect"], rule: "required" });

    const company = dataOf(await h.gql(`mutation($acme: ID!, $ana: ID!) { updateCompany(where: { id: $acme }, data: { contacts: { disconnect: [{ id: $ana }] } }) { contacts { firstName } } }`, { acme: ids.acme, ana: ids.ana }));
    expect(company.updateCompany.contacts).toEqual([]);
    const gone = dataOf(await h.gql(`mutation($alpha: ID!) { updateDeal(where: { id: $alpha }, data: { company: { disconnect: true } }) { companyId company { name } } }`, { alpha: ids.Alpha }));
    expect(gone.updateDeal).toEqual({ companyId: null, company: null });
    const back = dataOf(await h.gql(`mutation($alpha: ID!) { updateDeal(where: { id: $alpha }, data: { company: { connect: { id: "${ids.acme}" } }, contact: { connect: { email: "ana@acme.test" } } }) { company { name } contact { firstName } } }`, { alpha: ids.Alpha }));
    expect(back.updateDeal).toEqual({ company: { name: "Acme" }, contact: { firstName: "Ana" } });
  });

  it("updates and deletes many, returning { count }", async () => {
    for (const title of ["Bulk 1", "Bulk 2", "Bulk 3"]) dataOf(await h.gql(`mutation($c: ID!) { createDeal(data: { title: "${title}", contactId: $c }) { id } }`, { c: ids.cleo }));
    const updated = dataOf(await h.gql(`mutation { updateManyDealsConnection(where: { title_starts_with: "Bulk" }, data: { stage: negotiation }) { count } }`));
    expect(updated.updateManyDealsConnection).toEqual({ count: 3 });
    const check = dataOf(await h.gql(`{ deals(where: { stage: negotiation }) { title } }`));
    expect(sorted(titles(check.deals))).toEqual(["Bulk 1", "Bulk 2", "Bulk 3"]);
    const deleted = dataOf(await h.gql(`mutation { deleteManyDealsConnection(where: { title_starts_with: "Bulk" }) { count } }`));
    expect(deleted.deleteManyDealsConnection).toEqual({ count: 3 });
    const trash = dataOf(await h.gql(`{ deals(where: { title_starts_with: "Bulk" }, deleted: ONLY) { title deletedAt } }`));
    expect(trash.deals).toHaveLength(3);
  });

  it("soft-deletes into the trash, restores, and destroys", async () => {
    const deleted = dataOf(await h.gql(`mutation($id: ID!) { deleteDeal(where: { id: $id }) { title deletedAt contact { firstName } } }`, { id: ids.Zeta }));
    expect(deleted.deleteDeal.deletedAt).not.toBeNull();
    expect(deleted.deleteDeal.contact).toEqual({ firstName: "Ana" });
    const lists = dataOf(await h.gql(`query($id: ID!) { deals(where: { id: $id }) { title } trash: deals(where: { id: $id }, deleted: ONLY) { title } one: deal(where: { id: $id }) { title } oneTrashed: deal(where: { id: $id }, deleted: INCLUDE) { title } onlyTrashed: deal(where: { id: $id }, deleted: ONLY) { title contact { firstName } } }`, { id: ids.Zeta }));
    expect(lists).toEqual({ deals: [], trash: [{ title: "Zeta" }], one: null, oneTrashed: { title: "Zeta" }, onlyTrashed: { title: "Zeta", contact: { firstName: "Ana" } } });
    const restored = dataOf(await h.gql(`mutation($id: ID!) { restoreDeal(where: { id: $id }) { deletedAt } }`, { id: ids.Zeta }));
    expect(restored.restoreDeal.deletedAt).toBeNull();
    const destroyed = dataOf(await h.gql(`mutation($id: ID!) { destroyDeal(where: { id: $id }) { title contact { firstName } } }`, { id: ids.Zeta }));
    expect(destroyed.destroyDeal).toEqual({ title: "Zeta", contact: { firstName: "Ana" } });
    errorOf(await h.gql(`mutation($id: ID!) { destroyDeal(where: { id: $id }) { title } }`, { id: ids.Zeta }), "NOT_FOUND");
  });

  it("reports VALIDATION_FAILED with paths, NOT_FOUND, and CONFLICT for a stale expectedVersion", async () => {
    const invalid = errorOf(await h.gql(`mutation($c: ID!) { createDeal(data: { title: "${"x".repeat(256)}", currency: "euro", contactId: $c }) { id } }`, { c: ids.ana }), "VALIDATION_FAILED");
    const byPath = Object.fromEntries(invalid.extensions.fieldErrors!.map((e) => [e.path.join("."), e.rule]));
    expect(byPath).toEqual({ "data.title": "max", "data.currency": "regex" });
    errorOf(await h.gql(`mutation { updateDeal(where: { id: "00000000-0000-4000-8000-00000000dead" }, data: { title: "x" }) { id } }`), "NOT_FOUND");
    const ok = dataOf(await h.gql(`mutation($id: ID!) { updateDeal(where: { id: $id }, data: { lostReason: "v" }, expectedVersion: 1) { version } }`, { id: ids.Delta }));
    expect(ok.updateDeal.version).toBe(2);
    const stale = errorOf(await h.gql(`mutation($id: ID!) { updateDeal(where: { id: $id }, data: { lostReason: "w" }, expectedVersion: 1) { version } }`, { id: ids.Delta }), "CONFLICT");
    expect(stale.message).toMatch(/version 2/);
    const unique = errorOf(await h.gql(`mutation { createContact(data: { firstName: "Dup", email: "ana@acme.test" }) { id } }`), "VALIDATION_FAILED");
    expect(unique.extensions.fieldErrors![0]).toMatchObject({ path: ["data", "email"], rule: "unique" });
  });

  it("rejects nested creates in upsert rather than ignoring them", async () => {
    const error = errorOf(await h.gql(`mutation { upsertDeal(where: { id: "00000000-0000-4000-8000-00000000beef" }, upsert: { create: { title: "U", contact: { create: { firstName: "No" } } }, update: {} }) { id } }`), "VALIDATION_FAILED");
    expect(error.extensions.fieldErrors![0]).toMatchObject({ path: ["upsert", "create", "contact", "create"], rule: "unsupported" });
  });
});

describe("selections", () => {
  it("resolves Relay nodes by global id", async () => {
    const r = dataOf(await h.gql(`query($id: ID!) { deal(where: { id: $id }) { nodeId } }`, { id: ids.Alpha }));
    expect(Buffer.from(r.deal.nodeId, "base64").toString()).toBe(`Deal:${ids.Alpha}`);
    const node = dataOf(await h.gql(`query($n: ID!) { node(id: $n) { __typename nodeId ... on Deal { title contact { firstName } } ... on Contact { email } } }`, { n: r.deal.nodeId }));
    expect(node.node).toEqual({ __typename: "Deal", nodeId: r.deal.nodeId, title: "Alpha", contact: { firstName: "Ana" } });
    errorOf(await h.gql(`{ node(id: "bm9wZQ==") { nodeId } }`), "VALIDATION_FAILED");
  });

  it("handles fragments, inline fragments, @include/@skip and aliases with equal arguments", async () => {
    const r = dataOf(await h.gql(`
      fragment D on Deal { title }
      query($yes: Boolean!) {
        contact(where: { email: "ben@globex.test" }) {
          ...on Contact { firstName }
          a: deals(orderBy: title_ASC) { ...D }
          b: deals(orderBy: title_ASC) { value @include(if: $yes) stage @skip(if: $yes) }
        }
      }`, { yes: true }));
    expect(r.contact.firstName).toBe("Ben");
    expect(r.contact.a.map((d: { title: string }) => d.title)).toEqual(r.contact.b.map((_: unknown, i: number) => r.contact.a[i].title));
    expect(r.contact.b[0]).toHaveProperty("value");
    expect(r.contact.b[0]).not.toHaveProperty("stage");
  });

  it("rejects aliases of one relationship with different arguments instead of answering wrongly", async () => {
    const error = errorOf(await h.gql(`{ contacts { won: deals(where: { stage: won }) { title } lost: deals(where: { stage: lost }) { title } } }`), "VALIDATION_FAILED");
    expect(error.extensions.fieldErrors![0]).toMatchObject({ rule: "alias_arguments" });
  });

  it("reads a three-level nested query in ONE SQL statement per root field", async () => {
    const before = h.crm.db.stats.statements;
    const r = dataOf(await h.gql(`{
      companies(first: 5) { name contacts(first: 3) { firstName deals(where: { value_gte: 0 }) { title activities { title } contact { company { name } } } } }
      dealsConnection(first: 2) { edges { node { title contact { firstName } } } pageInfo { hasNextPage } aggregate { count sum { value } max { title } } }
    }`));
    expect(h.crm.db.stats.statements - before).toBe(2);
    expect(r.companies.length).toBeGreaterThan(0);
    const writeBefore = h.crm.db.stats.statements;
    dataOf(await h.gql(`mutation { createTag(data: { name: "one" }) { id name } }`));
    expect(h.crm.db.stats.statements - writeBefore).toBe(1);
    const withRelations = h.crm.db.stats.statements;
    dataOf(await h.gql(`mutation($c: ID!) { createDeal(data: { title: "R", contactId: $c }) { contact { firstName } } }`, { c: ids.ana }));
    expect(h.crm.db.stats.statements - withRelations).toBe(2);
  });
});

describe("identity", () => {
  it("scopes to the request's tenant and refuses a request without identity", async () => {
    const other = dataOf(await h.gql(`{ deals { title } companies { name } }`, undefined, { request: { ...admin, tenantId: OTHER_TENANT } }));
    expect(other).toEqual({ deals: [], companies: [] });
    const response = await executeGraphQL({ schema: h.schema, ir: h.crm.schema, source: `{ deals { title } }`, contextValue: { engine: h.engine, request: undefined } });
    expect(response.errors![0].extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("history (audit panel)", () => {
  it("lists every change with its field diffs, actor and version, oldest first", async () => {
    const created = dataOf(await h.gql(`mutation { createCompany(data: { name: "Historic", industry: "Rail" }) { id } }`)).createCompany;
    dataOf(await h.gql(`mutation($id: ID!) { updateCompany(where: { id: $id }, data: { industry: "Air" }) { id } }`, { id: created.id }));
    dataOf(await h.gql(`mutation($id: ID!) { deleteCompany(where: { id: $id }) { id } }`, { id: created.id }));
    const r = dataOf(await h.gql(`query($id: ID!) { companyHistory(id: $id) { seq type version changes actor at } }`, { id: created.id }));
    const events = r.companyHistory as { seq: number; type: string; version: number; changes: Record<string, { from: unknown; to: unknown }>; actor: string; at: string }[];
    expect(events.map((e) => [e.type, e.version])).toEqual([["CREATED", 1], ["UPDATED", 2], ["DELETED", 3]]);
    expect(events[1].changes).toEqual({ industry: { from: "Rail", to: "Air" } });
    expect(events.every((e) => e.actor === "ana")).toBe(true);
    expect(events[0].seq).toBeLessThan(events[1].seq);
    expect(Number.isNaN(Date.parse(events[2].at))).toBe(false);
  });

  it("hides fields the reader may not read, and records it may not read", async () => {
    const created = dataOf(await h.gql(`mutation { createCompany(data: { name: "Secretive", annualRevenue: "5" }) { id } }`)).createCompany;
    dataOf(await h.gql(`mutation($id: ID!) { updateCompany(where: { id: $id }, data: { annualRevenue: "9", phone: "1" }) { id } }`, { id: created.id }));
    const viewer = { tenantId: admin.tenantId, principal: { sub: "dan", roles: ["viewer"], kind: "user" as const } };
    const seen = dataOf(await h.gql(`query($id: ID!) { companyHistory(id: $id) { changes data } }`, { id: created.id }, { request: viewer }));
    expect(seen.companyHistory[1].changes).toEqual({ phone: { from: null, to: "1" } });
    expect(JSON.stringify(seen.companyHistory)).not.toContain("annualRevenue");
    // A sales user reads only companies they (or their team) own: this one has no owner.
    const sales = { tenantId: admin.tenantId, principal: { sub: "0c000000-0000-4000-8000-00000000000c", roles: ["sales"], kind: "user" as const } };
    const hidden = dataOf(await h.gql(`query($id: ID!) { companyHistory(id: $id) { seq } }`, { id: created.id }, { request: sales }));
    expect(hidden.companyHistory).toEqual([]);
    const other = dataOf(await h.gql(`query($id: ID!) { companyHistory(id: $id) { seq } }`, { id: created.id }, { request: { ...admin, tenantId: OTHER_TENANT } }));
    expect(other.companyHistory).toEqual([]);
    errorOf(await h.gql(`{ companyHistory(id: "nope") { seq } }`), "VALIDATION_FAILED");
  });
});
