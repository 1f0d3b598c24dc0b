// Records travel as flat columns, but PostgreSQL takes at most 1,664 select-list entries: to-one
// includes that would not fit travel as JSON columns instead, so a wide selection still works.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent, SCALAR_SQL_TYPES } from "@tessera/db";
import { belongsTo, defineSchema, f, model, type FieldIR, type ModelIR } from "@tessera/schema";
import { compileFindMany, compileFindUnique } from "../src/compiler/index.ts";
import { FLAT_COLUMN_BUDGET } from "../src/compiler/compileRowColumns.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/testDatabase.ts";

const WIDTH = 450;
const TENANT = "0c000000-0000-4000-8000-00000000000c";
const ctx = { tenantId: TENANT, principal: { sub: "u", roles: ["admin"], kind: "user" as const } };
const wideFields = Object.fromEntries(Array.from({ length: WIDTH }, (_, i) => [`f${i}`, f.string()]));
const { ir } = defineSchema({
  models: {
    Wide: model({ fields: wideFields }),
    Holder: model({
      fields: { ...wideFields, aId: f.id(), bId: f.id(), cId: f.id() },
      relationships: { a: belongsTo("Wide", { foreignKey: "aId" }), b: belongsTo("Wide", { foreignKey: "bId" }), c: belongsTo("Wide", { foreignKey: "cId" }) },
    }),
  },
});
const byName = (name: string): ModelIR => ir.models.find((m) => m.name === name)!;
const ids = { holder: "0c000000-0000-4000-8000-000000000100", a: "0c000000-0000-4000-8000-000000000001", b: "0c000000-0000-4000-8000-000000000002", c: "0c000000-0000-4000-8000-000000000003" };

const columnDdl = (m: ModelIR, field: FieldIR): string =>
  `${quoteIdent(field.column)} ${SCALAR_SQL_TYPES[field.type as keyof typeof SCALAR_SQL_TYPES]}${field.name === m.primaryKey ? " PRIMARY KEY" : field.column === "version" ? " NOT NULL DEFAULT 1" : field.column.endsWith("ed_at") && field.column !== "deleted_at" ? " NOT NULL DEFAULT now()" : ""}`;

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
  for (const m of ir.models) await test.db.exec(`CREATE TABLE ${quoteIdent(m.tableName)} (${m.fields.map((field) => columnDdl(m, field)).join(", ")})`);
  const values = (prefix: string) => Array.from({ length: WIDTH }, (_, i) => `${prefix}${i}`);
  const cols = Array.from({ length: WIDTH }, (_, i) => `f${i}`).join(", ");
  const placeholders = (from: number) => Array.from({ length: WIDTH }, (_, i) => `$${i + from}`).join(", ");
  for (const [key, id] of Object.entries({ a: ids.a, b: ids.b, c: ids.c })) {
    await test.db.query(`INSERT INTO ${quoteIdent(byName("Wide").tableName)} (id, tenant_id, ${cols}) VALUES ($1, $2, ${placeholders(3)})`, [id, TENANT, ...values(key)]);
  }
  await test.db.query(
    `INSERT INTO ${quoteIdent(byName("Holder").tableName)} (id, tenant_id, a_id, b_id, c_id, ${cols}) VALUES ($1, $2, $3, $4, $5, ${placeholders(6)})`,
    [ids.holder, TENANT, ids.a, ids.b, ids.c, ...values("h")],
  );
});
afterAll(async () => test?.drop());

describe("wide selections", () => {
  it("sends to-one includes that would not fit beside the row as JSON columns, with the same records", async () => {
    const selection = { fields: [...Object.keys(wideFields)], include: { a: { fields: Object.keys(wideFields) }, b: { fields: Object.keys(wideFields) }, c: { fields: Object.keys(wideFields) } } };
    const expected = (prefix: string) => Object.fromEntries(Object.keys(wideFields).map((name, i) => [name, `${prefix}${i}`]));
    const compiled = compileFindMany(ir, byName("Holder"), selection, ctx, { defaultPageSize: 10, maxPageSize: 10 });
    // All flat would be over 1,800 columns, which PostgreSQL refuses; only `a` fits beside the row.
    expect(compiled.sql.match(/LEFT JOIN LATERAL/g)).toHaveLength(Math.floor(FLAT_COLUMN_BUDGET / WIDTH) - 1);
    const { rows } = await test.db.query(compiled.sql, compiled.params);
    const page = compiled.decode(rows);
    expect(page.nodes).toEqual([{ ...expected("h"), a: expected("a"), b: expected("b"), c: expected("c") }]);
    const one = compileFindUnique(ir, byName("Holder"), { id: ids.holder }, selection, ctx);
    expect(one.decode((await test.db.query(one.sql, one.params)).rows)).toEqual(page.nodes[0]);
  });
});
