// Values PostgreSQL refuses (dates outside 0001–9999, offsets past ±15:59, NUL, unpaired surrogates,
// numbers out of a column's range) are refused by the engine with VALIDATION_FAILED and the path of
// the value, on every write path and in `where`; the boundaries that are accepted round-trip exactly
// on both drivers. Written against a small schema with one field of each type (and arrays of them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { belongsTo, defineSchema, f, hasMany, model } from "@tessera/schema";
import { Engine, EngineError, systemContext, type RecordData } from "@tessera/engine";
import { mapDatabaseError } from "../src/mapDatabaseError.ts";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0d000000-0000-4000-8000-0000000000d1";
const ctx = systemContext(TENANT);

const { ir } = defineSchema({
  models: {
    Sample: model({
      fields: {
        title: f.string(),
        notes: f.text(),
        count: f.int(),
        ratio: f.float(),
        amount: f.money(),
        quantity: f.decimal(),
        day: f.date(),
        at: f.datetime(),
        data: f.json(),
        counts: f.array(f.int()),
        days: f.array(f.date()),
        stamps: f.array(f.datetime()),
        ratios: f.array(f.float()),
        ownerId: f.id(),
        code: f.string().unique(),
        label: f.string(),
      },
      indexes: [{ fields: ["title", "label"] }],
      searchable: ["title"],
      relationships: { owner: belongsTo("Owner", { foreignKey: "ownerId" }) },
    }),
    Owner: model({
      fields: { name: f.string(), since: f.datetime() },
      relationships: { samples: hasMany("Sample", { foreignKey: "ownerId" }) },
    }),
  },
});

let crm: CrmDatabase;
let engine: Engine;

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT], ir);
  engine = new Engine({ schema: ir, db: crm.db, cache: false });
});
afterAll(async () => crm?.drop());

const samples = () => engine.model("Sample");

/** The rejection of `action`: its code and the paths and messages of its field errors. */
async function refusal(action: () => Promise<unknown>): Promise<{ code: string; errors: { path: string; message: string }[] }> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return { code: error.code, errors: error.fieldErrors.map((e) => ({ path: e.path.join("."), message: e.message })) };
  }
  throw new Error("expected the call to be refused");
}

/** Values of each type PostgreSQL refuses, with the message the engine must give instead. */
const REFUSED: [field: string, value: unknown, message: RegExp][] = [
  ["day", "0000-01-01", /years 0001 to 9999; there is no year 0000/],
  ["day", "10000-01-01", /YYYY-MM-DD/],
  ["day", "2023-02-29", /not a real calendar date/],
  ["day", new Date("0000-06-01T00:00:00Z"), /years 0001 to 9999/],
  ["at", "0000-12-31T23:59:59Z", /years 0001 to 9999/],
  ["at", "0001-01-01T00:00:00+01:00", /years 0001 to 9999 \(UTC\)/],
  ["at", "2024-05-01T10:00:00+99:99", /offset \+99:99; offsets must be between -15:59 and \+15:59/],
  ["at", "2024-05-01T10:00:00+16:00", /offsets must be between/],
  ["at", "2024-05-01T10:00:00", /with a time zone/],
  ["at", "2024-02-30T10:00:00Z", /not a real date and time/],
  ["at", new Date(Date.UTC(10000, 0, 1)), /years 0001 to 9999/],
  ["title", "a\u0000b", /NUL characters \(\\u0000\)/],
  ["notes", "half \ud83d pair", /unpaired surrogate/],
  ["count", 2147483648, /whole number between -2147483648 and 2147483647/],
  ["count", -2147483649, /whole number/],
  ["ratio", Number.NaN, /finite number/],
  ["ratio", Number.POSITIVE_INFINITY, /finite number/],
  ["amount", "1000000000000000", /at most 15 digits/],
  ["quantity", "1e999999", /decimal number/],
];

describe("writes refuse values the database cannot store, naming the field", () => {
  it.each(REFUSED)("create refuses %s = %j", async (field, value, message) => {
    const refused = await refusal(() => samples().create({ [field]: value }, ctx));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0].path).toBe(`data.${field}`);
    expect(refused.errors[0].message).toMatch(message);
  });

  it("names the place inside a JSON value: NUL and unpaired surrogates in strings and keys, NaN", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ note: "a\u0000b" }, "data.data.note", /NUL/],
      [{ list: [1, { deep: "x\u0000" }] }, "data.data.list.1.deep", /NUL/],
      [{ "k\u0000": 1 }, "data.data.k\u0000", /key must not contain NUL/],
      [["\udc00"], "data.data.0", /unpaired surrogate/],
      [{ n: Number.NaN }, "data.data.n", /finite number/],
    ];
    for (const [data, path, message] of cases) {
      const refused = await refusal(() => samples().create({ data }, ctx));
      expect(refused.code, JSON.stringify(data)).toBe("VALIDATION_FAILED");
      expect(refused.errors.map((e) => e.path)).toEqual([path]);
      expect(refused.errors[0].message).toMatch(message);
    }
    // A backslash before "u0000" is an ordinary character, not a NUL.
    const fine = await samples().create({ data: { text: "\\u0000 is how JSON writes NUL", pair: "😀" } }, ctx);
    expect((fine.data as Record<string, string>).text).toBe("\\u0000 is how JSON writes NUL");
  });

  it("refuses out-of-range items of arrays with the item's index", async () => {
    const refused = await refusal(() => samples().create({ counts: [1, 2147483648], days: ["2024-01-01", "0000-01-01"], stamps: ["2024-01-01T00:00:00+16:00"], ratios: [Infinity] }, ctx));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.errors.map((e) => e.path).sort()).toEqual(["data.counts.1", "data.days.1", "data.ratios.0", "data.stamps.0"]);
  });

  it("refuses them on update, upsert, updateMany, createMany and importBatch too", async () => {
    const { id } = await samples().create({ title: "target" }, ctx);
    const bad = { day: "0000-01-01", at: "2024-05-01T10:00:00+99:99" };
    const paths = (r: { errors: { path: string }[] }) => r.errors.map((e) => e.path).sort();
    const update = await refusal(() => samples().update({ id }, bad, ctx));
    expect([update.code, paths(update)]).toEqual(["VALIDATION_FAILED", ["data.at", "data.day"]]);
    const upsert = await refusal(() => samples().upsert({ id }, { create: { count: 2147483648 }, update: { data: { x: "\u0000" } } }, ctx));
    expect([upsert.code, paths(upsert)]).toEqual(["VALIDATION_FAILED", ["upsert.create.count", "upsert.update.data.x"]]);
    const many = await refusal(() => samples().updateMany({ title: "target" }, bad, ctx));
    expect([many.code, paths(many)]).toEqual(["VALIDATION_FAILED", ["data.at", "data.day"]]);
    const createMany = await refusal(() => samples().createMany([{ title: "ok" }, { title: "nul\u0000" }], ctx));
    expect([createMany.code, paths(createMany)]).toEqual(["VALIDATION_FAILED", ["data.1.title"]]);
    const results = await samples().importBatch([{ title: "fine" }, bad, { data: { "\u0000": 1 } }, { amount: "1e20" }], ctx);
    expect(results.map((r) => r.status)).toEqual(["created", "rejected", "rejected", "rejected"]);
    const rejectedPaths = results.map((r) => (r.status === "rejected" ? r.errors.map((e) => e.path.join(".")).sort() : []));
    expect(rejectedPaths.slice(1)).toEqual([["at", "day"], ["data.\u0000"], ["amount"]]);
    expect((await samples().findUnique({ id }, ctx))?.day).toBeNull();
  });

  it("refuses indexed text past the btree entry limit (which PostgreSQL reports as 54000), in UTF-8 bytes", async () => {
    // 1,000 characters are within a string's default cap, but 3,000 bytes in a CJK script.
    const cjk = Array.from({ length: 1000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 0x5000))).join("");
    const unique = await refusal(() => samples().create({ code: cjk }, ctx));
    expect(unique.code).toBe("VALIDATION_FAILED");
    expect(unique.errors).toEqual([{ path: "data.code", message: expect.stringMatching(/code is indexed, so it must fit in 2600 bytes of UTF-8 \(this is 3000;/) }]);
    const pair = await refusal(() => samples().importBatch([{ title: "a".repeat(900), label: "é".repeat(900) }], ctx).then((r) => { if (r[0].status === "rejected") throw new EngineError("VALIDATION_FAILED", "", r[0].errors); }));
    expect(pair.errors.map((e) => e.path)).toEqual(["title", "label"]);
    expect(pair.errors[0].message).toMatch(/title \+ label share an index, so together they must fit in 2600 bytes/);
    // At the limit it is stored (on both drivers), and ASCII may use the whole string cap.
    const fits = await samples().create({ code: `${"€".repeat(866)}ü`, title: "x".repeat(1000) }, ctx);
    expect(Buffer.byteLength(String(fits.code))).toBe(2600);
  });

  it("accepts the boundaries and reads them back exactly", async () => {
    const edges: RecordData = {
      day: "0001-01-01",
      at: "0001-01-01T00:00:00Z",
      count: 2147483647,
      amount: "999999999999999.9999",
      quantity: "-999999999999999.9999",
      days: ["0001-01-01", "9999-12-31"],
      stamps: ["9999-12-31T23:59:59.999Z", "2024-01-01T00:00:00+15:59", "2024-01-01T00:00:00-15:59"],
      counts: [-2147483648, 2147483647],
      ratios: [Number.MAX_VALUE, -Number.MIN_VALUE],
      data: { text: "ünïcødé 😀", nested: [null, 1.5] },
    };
    const created = await samples().create(edges, ctx);
    const read = (await samples().findUnique({ id: created.id as string }, ctx))!;
    expect(read.day).toBe("0001-01-01");
    expect(String(read.at)).toMatch(/^0001-01-01T00:00:00(\.0+)?Z$/);
    expect(read.count).toBe(2147483647);
    expect(Number(read.amount)).toBe(999999999999999.9999);
    expect(String(read.amount)).toMatch(/^999999999999999\.9999/);
    expect(String(read.quantity)).toMatch(/^-999999999999999\.9999/);
    expect(read.days).toEqual(["0001-01-01", "9999-12-31"]);
    expect((read.stamps as string[]).map((s) => new Date(s).toISOString())).toEqual(["9999-12-31T23:59:59.999Z", "2023-12-31T08:01:00.000Z", "2024-01-01T15:59:00.000Z"]);
    expect(read.counts).toEqual([-2147483648, 2147483647]);
    expect(read.ratios).toEqual([Number.MAX_VALUE, -Number.MIN_VALUE]);
    expect(read.data).toEqual(edges.data);
    // The boundaries also work as filters.
    const found = await samples().findMany({ where: { day: "0001-01-01", at_lte: "0001-01-01T00:00:00Z", days_contains_all: ["9999-12-31"], amount_gte: "999999999999999.9999" }, first: 5 }, ctx);
    expect(found.nodes.map((n) => n.id)).toEqual([created.id]);
  });
});

describe("where refuses values the database cannot compare, naming the path", () => {
  const cases: [where: Record<string, unknown>, path: string, message: RegExp][] = [
    [{ day: "0000-01-01" }, "where.day", /years 0001 to 9999/],
    [{ at_gt: "2024-05-01T10:00:00+99:99" }, "where.at_gt", /offsets must be between/],
    [{ at_gt: "0000-12-31T00:00:00Z" }, "where.at_gt", /years 0001 to 9999/],
    [{ at_lt: new Date(Date.UTC(-1, 0, 1)) }, "where.at_lt", /years 0001 to 9999/],
    [{ day_in: ["2024-01-01", "0000-01-01"] }, "where.day_in.1", /years 0001 to 9999/],
    [{ owner: { since_gte: "0000-01-01T00:00:00Z" } }, "where.owner.since_gte", /years 0001 to 9999/],
    [{ samples_some: { day_lt: "0000-01-01" } }, "where.samples_some.day_lt", /years 0001 to 9999/],
    [{ title_contains: "a\u0000b" }, "where.title_contains", /title_contains must not contain NUL characters \(\\u0000\)/],
    [{ title: "a\u0000b" }, "where.title", /NUL characters/],
    [{ title_in: ["ok", "\ud800"] }, "where.title_in.1", /unpaired surrogate/],
    [{ _search: "a\u0000" }, "where._search", /_search must not contain NUL characters/],
    [{ count_gt: 2147483648 }, "where.count_gt", /32-bit integer/],
    [{ counts_contains_some: [2147483648] }, "where.counts_contains_some.0", /32-bit integer/],
    [{ ratio_lt: Number.NaN }, "where.ratio_lt", /finite number/],
    [{ amount_gt: "1e20" }, "where.amount_gt", /at most 15 digits before the decimal point/],
    [{ quantity: "1e-999999" }, "where.quantity", /at most 15 digits/],
    [{ data: { x: "\u0000" } }, "where.data", /at x must not contain NUL/],
  ];
  it.each(cases)("%j", async (where, path, message) => {
    const modelName = "samples_some" in where ? "Owner" : "Sample";
    const refused = await refusal(() => engine.model(modelName).findMany({ where, first: 1 }, ctx));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.errors.map((e) => e.path)).toEqual([path]);
    expect(refused.errors[0].message).toMatch(message);
  });
});

describe("mapDatabaseError: data exceptions PostgreSQL raises are VALIDATION_FAILED, not INTERNAL", () => {
  it.each([
    ["SELECT '0000-01-01'::date", "22008", /outside the range/],
    ["SELECT '2024-01-01T00:00:00+16:00'::timestamptz", "22009", /time zone offset/],
    ["SELECT 'soon'::date", "22007", /format/],
    ["SELECT 2147483648::int4", "22003", /outside the range/],
    [`SELECT '{"a":"\\u0000"}'::jsonb`, "22P05", /cannot store/],
    ["SELECT 1/0", "22012", /refused by the database/],
    [`INSERT INTO samples (tenant_id, code) SELECT '${TENANT}', string_agg(md5(i::text), '') FROM generate_series(1, 200) i`, "54000", /too long for the index/],
  ])("%s", async (sql, code, message) => {
    const error = await crm.db.query(sql).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe(code);
    const mapped = mapDatabaseError(error, ir, ir.models[0]);
    expect(mapped).toBeInstanceOf(EngineError);
    expect((mapped as EngineError).code).toBe("VALIDATION_FAILED");
    expect(mapped.message).toMatch(message);
    expect(mapped.message).toContain(`SQLSTATE ${code}`);
    expect(mapped.message).not.toMatch(/SELECT|::/);
  });
});
