import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@tessera/db";
import { EngineError } from "../src/EngineError.ts";
import { compileAggregate, compileFindMany, compileFindUnique, compileGroupBy, encodeCursor, parseOrderBy, CompileContext } from "../src/compiler/index.ts";
import type { FindManyArgs, RecordData, RequestContext } from "../src/queryTypes.ts";
import { ctxA, ctxB, deals, fixtureDatabase, id, ids, model, pageOptions, run, schema, thrown } from "./compilerFixtures.ts";

let db: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ db, drop } = await fixtureDatabase());
});
afterAll(async () => drop());

async function findMany(modelName: string, args: FindManyArgs, ctx: RequestContext = ctxA) {
  const { result, statements } = await run(db, compileFindMany(schema, model(modelName), args, ctx, pageOptions));
  expect(statements).toBe(1);
  return result;
}

const sumOf = (values: (string | null)[]): string => {
  const units = values.filter((v): v is string => v !== null).reduce((acc, v) => acc + Math.round(Number(v) * 10000), 0);
  return (units / 10000).toFixed(4);
};

describe("includes", () => {
  it("loads company → contacts → deals → activities in one statement, with nested where/orderBy/first", async () => {
    const { result, statements } = await run(
      db,
      compileFindMany(
        schema,
        model("Company"),
        {
          fields: ["name"],
          where: { name: "Acme" },
          include: {
            contacts: {
              fields: ["firstName"],
              orderBy: "firstName_ASC",
              first: 1,
              include: {
                deals: {
                  fields: ["title", "value"],
                  where: { value_gte: 100 },
                  orderBy: ["value_DESC"],
                  first: 2,
                  include: { activities: { fields: ["title"], orderBy: "title_ASC" } },
                },
                labels: { fields: ["name"], orderBy: "name_ASC" },
                company: { fields: ["name"] },
              },
            },
          },
        },
        ctxA,
        pageOptions,
      ),
    );
    expect(statements).toBe(1);
    const joseDeals = deals
      .filter((d) => d.contactId === ids.jose && d.value !== null && Number(d.value) >= 100)
      .sort((a, b) => Number(b.value) - Number(a.value) || (a.id < b.id ? -1 : 1))
      .slice(0, 2);
    expect(result.nodes).toEqual([
      {
        name: "Acme",
        contacts: [
          {
            firstName: "José",
            deals: joseDeals.map((d) => ({
              title: d.title,
              value: d.value,
              activities: d.id === deals[0].id ? [{ title: "Demo" }, { title: "Intro call" }] : d.id === deals[4].id ? [{ title: "Follow-up" }] : [],
            })),
            labels: [{ name: "hot" }, { name: "vip" }],
            company: { name: "Acme" },
          },
        ],
      },
    ]);
  });

  it("includes belongsTo as an object or null, and to-many with last and skip", async () => {
    const contacts = await findMany("Contact", {
      fields: ["firstName"],
      orderBy: "firstName_ASC",
      include: { company: { fields: ["name"] }, deals: { fields: ["title"], orderBy: "title_ASC", last: 2, skip: 1 } },
    });
    const byName = Object.fromEntries(contacts.nodes.map((c) => [c.firstName, c]));
    expect(byName["Zoë"].company).toBeNull();
    expect(byName["Peter"].company).toEqual({ name: "Globex" });
    const peterTitles = deals.filter((d) => d.contactId === ids.peter).map((d) => d.title).sort();
    expect(byName["Peter"].deals).toEqual(peterTitles.slice(-3, -1).map((title) => ({ title })));
  });

  it("hides soft-deleted and other tenants' related rows", async () => {
    const jose = await findMany("Contact", { where: { id: ids.jose }, fields: ["id"], include: { deals: { fields: ["id"] }, labels: { fields: ["name"] } } });
    const dealIds = (jose.nodes[0].deals as RecordData[]).map((d) => d.id);
    expect(dealIds).not.toContain(id(200)); // soft-deleted
    expect(dealIds).not.toContain(id(201)); // tenant B
    expect(dealIds.sort()).toEqual(deals.filter((d) => d.contactId === ids.jose).map((d) => d.id).sort());
    const acme = await findMany("Company", { where: { name: "Acme" }, fields: ["name"], include: { contacts: { fields: ["firstName"] } } });
    expect((acme.nodes[0].contacts as RecordData[]).map((c) => c.firstName).sort()).toEqual(["José", "Maria"]);
    const trash = await findMany("Company", { deleted: "only", fields: ["name"], include: { contacts: true } });
    expect(trash.nodes).toEqual([{ name: "Deleted Co", contacts: [] }]);
  });

  it("nests to-one includes in to-one includes, with to-many ones inside; a related row out of scope is null with nothing under it", async () => {
    const deal = deals.find((d) => d.contactId === ids.jose && d.companyId === ids.acme);
    if (!deal) throw new Error("fixture has no deal of José at Acme");
    const selection = {
      fields: ["title"],
      include: {
        contact: {
          fields: ["firstName"],
          include: { company: { fields: ["name"], include: { contacts: { fields: ["firstName"], orderBy: "firstName_ASC" } } }, labels: { fields: ["name"], orderBy: "name_ASC" } },
        },
        company: { fields: ["name"] },
      },
    };
    const { result, statements } = await run(db, compileFindUnique(schema, model("Deal"), { id: deal.id }, selection, ctxA));
    expect(statements).toBe(1);
    expect(result).toEqual({
      title: deal.title,
      contact: { firstName: "José", company: { name: "Acme", contacts: [{ firstName: "José" }, { firstName: "Maria" }] }, labels: [{ name: "hot" }, { name: "vip" }] },
      company: { name: "Acme" },
    });
    const zoe = await findMany("Deal", { ...selection, where: { contactId: ids.zoe }, first: 1 });
    expect(zoe.nodes[0]).toMatchObject({ contact: { firstName: "Zoë", company: null, labels: [] }, company: null });
    // Tenant B's deal points at tenant A's José and Acme: neither is visible, nor anything below them.
    const b = await findMany("Deal", selection, ctxB);
    expect(b.nodes).toEqual([{ title: "Tenant B deal", contact: null, company: null }]);
  });
});

describe("statement shape", () => {
  it("sends a page's records and their to-one includes as plain columns, building JSON only for to-many includes", () => {
    const args: FindManyArgs = { fields: ["id", "title", "value"], orderBy: "value_DESC", first: 5, include: { contact: { fields: ["firstName"], include: { company: { fields: ["name"] } } }, company: { fields: ["name"] } } };
    const flat = compileFindMany(schema, model("Deal"), args, ctxA, pageOptions).sql;
    expect(flat).not.toMatch(/json_build_object|json_agg|to_json/);
    expect(flat.match(/LEFT JOIN LATERAL/g)).toHaveLength(3);
    const withActivities = compileFindMany(schema, model("Deal"), { ...args, include: { ...args.include, activities: { fields: ["title"] } } }, ctxA, pageOptions).sql;
    expect(withActivities.match(/json_agg/g)).toHaveLength(1);
    expect(compileFindUnique(schema, model("Deal"), { id: id(100) }, args, ctxA).sql).not.toMatch(/json_build_object|json_agg/);
  });
});

describe("records", () => {
  it("returns API names and API values: decimals as strings, dates, ISO date-times in UTC, json, arrays, enums", async () => {
    const { result } = await run(db, compileFindUnique(schema, model("Activity"), { id: id(301) }, {}, ctxA));
    expect(result).toMatchObject({ id: id(301), type: "meeting", title: "Demo", occurredAt: "2025-02-03T12:00:00.000000Z", durationMinutes: 60, tags: [], status: "planned" });
    expect(result).not.toHaveProperty("tenantId");
    const deal = (await run(db, compileFindUnique(schema, model("Deal"), { id: deals[1].id }, { fields: ["value", "expectedCloseDate", "createdAt", "position", "stage"] }, ctxA))).result;
    expect(deal).toEqual({ value: "100.0000", expectedCloseDate: deals[1].expectedCloseDate, createdAt: "2025-01-02T10:00:00.123456Z", position: 0, stage: "qualified" });
    const jose = (await run(db, compileFindUnique(schema, model("Contact"), { email: "jose@acme.test" }, { fields: ["socialHandles", "tags"] }, ctxA))).result;
    expect(jose).toEqual({ socialHandles: { twitter: "@jose" }, tags: ["vip", "with,comma"] });
  });

  it("returns floats as exact numbers, in lists and by id", async () => {
    const values = [-2.5, 0.1, 1e-7, 123456789.125];
    const targets = deals.slice(0, values.length);
    try {
      for (const [i, d] of targets.entries()) await db.query("UPDATE deals SET position = $1 WHERE id = $2", [values[i], d.id]);
      const page = await findMany("Deal", { fields: ["id", "position"], where: { id_in: targets.map((d) => d.id) }, orderBy: "position_ASC" });
      expect(page.nodes.map((n) => n.position)).toEqual([...values].sort((x, y) => x - y));
      const one = (await run(db, compileFindUnique(schema, model("Deal"), { id: targets[1].id }, { fields: ["position"] }, ctxA))).result;
      expect(one).toEqual({ position: 0.1 });
    } finally {
      await db.query("UPDATE deals SET position = 0 WHERE id = ANY($1::uuid[])", [targets.map((d) => d.id)]);
    }
  });

  it("finds a unique record by primary key or unique field, else null", async () => {
    const one = async (where: Record<string, unknown>, ctx: RequestContext = ctxA, modelName = "Contact") => {
      const { result, statements } = await run(db, compileFindUnique(schema, model(modelName), where, { fields: ["firstName"] }, ctx));
      expect(statements).toBe(1);
      return result;
    };
    expect(await one({ id: ids.maria })).toEqual({ firstName: "Maria" });
    expect(await one({ email: "jose@acme.test" }, ctxB)).toEqual({ firstName: "José" });
    expect(await one({ id: ids.ghost })).toBeNull();
    expect(await one({ id: ids.maria }, ctxB)).toBeNull();
    expect(await one({ id: id(999) })).toBeNull();
    const ghost = await run(db, compileFindUnique(schema, model("Contact"), { id: ids.ghost }, { fields: ["firstName"] }, ctxA, { deleted: "include" }));
    expect(ghost.result).toEqual({ firstName: "Ghost" });
  });
});

describe("tenant scoping and soft deletes", () => {
  it("never returns tenant B's rows to tenant A", async () => {
    const a = await findMany("Contact", { fields: ["firstName", "lastName"], first: 100, deleted: "include" });
    expect(a.nodes.map((c) => c.lastName)).not.toContain("Beta");
    const b = await findMany("Contact", { fields: ["firstName", "lastName"] }, ctxB);
    expect(b.nodes).toEqual([{ firstName: "José", lastName: "Beta" }]);
    const bDeals = await findMany("Deal", { fields: ["title"], include: { contact: { fields: ["firstName"] }, company: { fields: ["name"] } } }, ctxB);
    // Tenant B's deal points at tenant A's contact and company: they stay invisible.
    expect(bDeals.nodes).toEqual([{ title: "Tenant B deal", contact: null, company: null }]);
  });

  it("requires a tenant for tenant-scoped models, and for global ones whose read rule goes through the tenant", async () => {
    // Authenticated but without a tenant (an anonymous request is UNAUTHENTICATED: User reads need a login).
    const none: RequestContext = { tenantId: null, principal: ctxA.principal };
    const error = thrown(() => compileFindMany(schema, model("Contact"), {}, none, pageOptions));
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: "FORBIDDEN", message: "a tenant is required" });
    expect(thrown(() => compileAggregate(schema, model("Deal"), {}, none))).toMatchObject({ code: "FORBIDDEN" });
    // Users are seen through their memberships of the request's tenant: none without a tenant.
    expect(thrown(() => compileFindMany(schema, model("User"), { fields: ["name"] }, none, pageOptions))).toMatchObject({ code: "FORBIDDEN", message: "a tenant is required" });
    expect((await findMany("User", { fields: ["name"] }, ctxA)).nodes).toEqual([{ name: "Ana" }]);
    expect((await findMany("User", { fields: ["name"] }, ctxB)).nodes).toEqual([]);
  });

  it("hides soft-deleted rows from lists but keeps them in the trash", async () => {
    const names = async (deleted?: "include" | "only" | "exclude") =>
      (await findMany("Company", { fields: ["name"], orderBy: "name_ASC", deleted })).nodes.map((c) => c.name);
    expect(await names()).toEqual(["Acme", "Globex", "Initech"]);
    expect(await names("exclude")).toEqual(["Acme", "Globex", "Initech"]);
    expect(await names("include")).toEqual(["Acme", "Deleted Co", "Globex", "Initech"]);
    expect(await names("only")).toEqual(["Deleted Co"]);
  });
});

describe("validation", () => {
  function failure(fn: () => unknown): { path: (string | number)[]; rule: string }[] {
    const error = thrown(fn);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe("VALIDATION_FAILED");
    return (error as EngineError).fieldErrors.map(({ path, rule }) => ({ path, rule }));
  }
  const deal = (args: FindManyArgs) => () => compileFindMany(schema, model("Deal"), args, ctxA, pageOptions);

  it("rejects unknown fields, unknown operators and wrongly typed values with their path", () => {
    expect(failure(deal({ where: { nope: 1 } }))).toEqual([{ path: ["where", "nope"], rule: "unknown_field" }]);
    expect(failure(deal({ where: { stage_in: ["won", "bogus"] } }))).toEqual([{ path: ["where", "stage_in", 1], rule: "type" }]);
    expect(failure(deal({ where: { stage_lt: "won" } }))).toEqual([{ path: ["where", "stage_lt"], rule: "unknown_operator" }]);
    expect(failure(deal({ where: { value_foo: 1 } }))).toEqual([{ path: ["where", "value_foo"], rule: "unknown_operator" }]);
    expect(failure(deal({ where: { stage_in: "won" } }))).toEqual([{ path: ["where", "stage_in"], rule: "type" }]);
    expect(failure(deal({ where: { value_gt: "abc" } }))).toEqual([{ path: ["where", "value_gt"], rule: "type" }]);
    expect(failure(deal({ where: { value_gt: null } }))).toEqual([{ path: ["where", "value_gt"], rule: "type" }]);
    expect(failure(deal({ where: { id: "not-a-uuid" } }))).toEqual([{ path: ["where", "id"], rule: "type" }]);
    expect(failure(deal({ where: { createdAt_gt: "yesterday" } }))).toEqual([{ path: ["where", "createdAt_gt"], rule: "type" }]);
    expect(failure(deal({ where: { expectedCloseDate: "2025-02-30" } }))).toEqual([{ path: ["where", "expectedCloseDate"], rule: "type" }]);
    expect(failure(deal({ where: { position: "1" } }))).toEqual([{ path: ["where", "position"], rule: "type" }]);
    expect(failure(deal({ where: { title_contains: 5 } }))).toEqual([{ path: ["where", "title_contains"], rule: "type" }]);
    expect(failure(deal({ where: { activities: {} } }))).toEqual([{ path: ["where", "activities"], rule: "unknown_operator" }]);
    expect(failure(deal({ where: { contact_some: {} } }))).toEqual([{ path: ["where", "contact_some"], rule: "unknown_operator" }]);
    expect(failure(deal({ where: { AND: [{ ok: 1 }], contact: { company: { nope_in: [] } } } }))).toEqual([
      { path: ["where", "AND", 0, "ok"], rule: "unknown_field" },
      { path: ["where", "contact", "company", "nope_in"], rule: "unknown_field" },
    ]);
    expect(failure(deal({ where: { NOT: 3 } }))).toEqual([{ path: ["where", "NOT"], rule: "type" }]);
    expect(failure(deal({ where: { _search: 3 } }))).toEqual([{ path: ["where", "_search"], rule: "type" }]);
    expect(failure(() => compileFindMany(schema, model("Pipeline"), { where: { _search: "x" } }, ctxA, pageOptions))).toEqual([
      { path: ["where", "_search"], rule: "unknown_field" },
    ]);
  });

  it("rejects bad orderBy, paging and cursors", () => {
    expect(failure(deal({ orderBy: "bogus_ASC" }))).toEqual([{ path: ["orderBy"], rule: "unknown_field" }]);
    expect(failure(deal({ orderBy: ["value_DESC", "value_UP"] }))).toEqual([{ path: ["orderBy", 1], rule: "type" }]);
    expect(failure(() => compileFindMany(schema, model("Contact"), { orderBy: "socialHandles_ASC" }, ctxA, pageOptions))).toEqual([
      { path: ["orderBy"], rule: "type" },
    ]);
    expect(failure(deal({ first: 101 }))).toEqual([{ path: ["first"], rule: "max" }]);
    expect(failure(deal({ last: -1 }))).toEqual([{ path: ["last"], rule: "type" }]);
    expect(failure(deal({ first: 1.5 }))).toEqual([{ path: ["first"], rule: "type" }]);
    expect(failure(deal({ skip: -1 }))).toEqual([{ path: ["skip"], rule: "type" }]);
    const cc = new CompileContext(schema, ctxA);
    const keys = parseOrderBy(cc, model("Deal"), undefined);
    const cursor = encodeCursor(keys, ["2025-01-01T10:00:00.123456Z", deals[0].id]);
    expect(failure(deal({ first: 2, before: cursor }))).toEqual([{ path: ["before"], rule: "conflict" }]);
    expect(failure(deal({ last: 2, after: cursor }))).toEqual([{ path: ["after"], rule: "conflict" }]);
    expect(failure(deal({ after: "!!!" }))).toEqual([{ path: ["after"], rule: "cursor" }]);
    expect(failure(deal({ after: "abc" }))).toEqual([{ path: ["after"], rule: "cursor" }]);
    expect(failure(deal({ after: cursor, orderBy: "value_ASC" }))).toEqual([{ path: ["after"], rule: "cursor" }]);
    expect(failure(deal({ after: encodeCursor(keys, ["yesterday", deals[0].id]) }))).toEqual([{ path: ["after"], rule: "cursor" }]);
    expect(failure(deal({ after: encodeCursor(keys, ["2025-01-01T10:00:00Z", "x'; DROP TABLE deals; --"]) }))).toEqual([{ path: ["after"], rule: "cursor" }]);
  });

  it("rejects unknown arguments, fields and includes", () => {
    expect(failure(deal({ wher: {} } as FindManyArgs))).toEqual([{ path: ["wher"], rule: "unknown_field" }]);
    expect(failure(deal({ fields: ["title", "nope"] }))).toEqual([{ path: ["fields", 1], rule: "unknown_field" }]);
    expect(failure(deal({ include: { nope: true } }))).toEqual([{ path: ["include", "nope"], rule: "unknown_field" }]);
    expect(failure(deal({ include: { contact: { where: { firstName: "x" } } } }))).toEqual([{ path: ["include", "contact", "where"], rule: "unknown_field" }]);
    expect(failure(deal({ include: { activities: { first: 1000, where: { nope: 1 } } } }))).toEqual([
      { path: ["include", "activities", "where", "nope"], rule: "unknown_field" },
      { path: ["include", "activities", "first"], rule: "max" },
    ]);
    expect(failure(deal({ deleted: "all" as "only" }))).toEqual([{ path: ["deleted"], rule: "type" }]);
  });
});

describe("aggregates and group-by", () => {
  it("computes count, sum, avg, min and max in one statement", async () => {
    const { result, statements } = await run(
      db,
      compileAggregate(schema, model("Deal"), { count: true, sum: ["value", "position"], avg: ["value"], min: ["value", "expectedCloseDate", "title"], max: ["value", "stage", "createdAt"] }, ctxA),
    );
    expect(statements).toBe(1);
    const values = deals.map((d) => d.value);
    const present = values.filter((v): v is string => v !== null).map(Number);
    const dates = deals.map((d) => d.expectedCloseDate).filter((v): v is string => v !== null).sort();
    expect(result.count).toBe(deals.length);
    expect(result.sum).toEqual({ value: sumOf(values), position: 0 });
    expect(Number(result.avg?.value)).toBeCloseTo(present.reduce((a, b) => a + b, 0) / present.length, 6);
    expect(result.min).toMatchObject({ value: "0.0000", expectedCloseDate: dates[0] });
    expect(result.max).toEqual({ value: "5000.0000", stage: "lost", createdAt: "2025-01-03T10:00:00.123456Z" });
  });

  it("filters aggregates and counts the trash", async () => {
    const won = await run(db, compileAggregate(schema, model("Deal"), { where: { stage: "won" }, sum: ["value"] }, ctxA));
    expect(won.result).toEqual({ sum: { value: sumOf(deals.filter((d) => d.stage === "won").map((d) => d.value)) } });
    const all = await run(db, compileAggregate(schema, model("Deal"), {}, ctxA));
    expect(all.result).toEqual({ count: deals.length });
    const trash = await run(db, compileAggregate(schema, model("Deal"), { deleted: "only", count: true }, ctxA));
    expect(trash.result).toEqual({ count: 1 });
    const empty = await run(db, compileAggregate(schema, model("Deal"), { where: { title: "none" }, count: true, sum: ["value"] }, ctxA));
    expect(empty.result).toEqual({ count: 0, sum: { value: null } });
  });

  it("rejects fields an aggregate cannot use", () => {
    expect(thrown(() => compileAggregate(schema, model("Deal"), { sum: ["stage"], avg: ["nope"], min: ["tags" as string] }, ctxA))).toMatchObject({
      code: "VALIDATION_FAILED",
      fieldErrors: [
        { path: ["sum", 0], rule: "type" },
        { path: ["avg", 0], rule: "unknown_field" },
        { path: ["min", 0], rule: "unknown_field" },
      ],
    });
    expect(thrown(() => compileGroupBy(schema, model("Deal"), { by: [] }, ctxA))).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(thrown(() => compileGroupBy(schema, model("Deal"), { by: ["stage"], orderBy: "value_ASC" }, ctxA))).toMatchObject({
      fieldErrors: [{ path: ["orderBy", 0], rule: "unknown_field" }],
    });
    // An explicit id order is checked like any key, not dropped as if it were the implicit tie-breaker.
    expect(thrown(() => compileGroupBy(schema, model("Deal"), { by: ["stage"], orderBy: ["stage_ASC", "id_DESC"] }, ctxA))).toMatchObject({
      fieldErrors: [{ path: ["orderBy", 1], rule: "unknown_field", message: "'id' is not grouped by" }],
    });
  });

  it("groups deals by stage for Kanban column totals, in stage order", async () => {
    const { result, statements } = await run(db, compileGroupBy(schema, model("Deal"), { by: ["stage"], sum: ["value"], max: ["value"] }, ctxA));
    expect(statements).toBe(1);
    const stages = ["lead", "qualified", "proposal", "negotiation", "won", "lost"];
    expect(result).toEqual(
      stages.map((stage) => {
        const inStage = deals.filter((d) => d.stage === stage);
        const max = inStage.map((d) => d.value).filter((v): v is string => v !== null).sort((a, b) => Number(b) - Number(a))[0] ?? null;
        return { key: { stage }, count: inStage.length, sum: { value: sumOf(inStage.map((d) => d.value)) }, max: { value: max } };
      }),
    );
    const desc = await run(db, compileGroupBy(schema, model("Deal"), { by: ["stage"], orderBy: "stage_DESC", where: { stage_in: ["won", "lead"] } }, ctxA));
    expect(desc.result.map((g) => g.key.stage)).toEqual(["won", "lead"]);
  });

  it("groups by several fields, with NULL as a group", async () => {
    const { result } = await run(db, compileGroupBy(schema, model("Deal"), { by: ["companyId", "stage"], where: { stage: "lead" } }, ctxA));
    const expected = new Map<string, number>();
    for (const d of deals.filter((x) => x.stage === "lead")) expected.set(String(d.companyId), (expected.get(String(d.companyId)) ?? 0) + 1);
    expect(result.map((g) => [String(g.key.companyId), g.count]).sort()).toEqual([...expected.entries()].sort());
    expect(result.every((g) => g.key.stage === "lead")).toBe(true);
  });
});
