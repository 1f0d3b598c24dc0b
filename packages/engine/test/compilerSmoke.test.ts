import { it } from "vitest";
import { createTestDatabase } from "../../../test/support/testDatabase.ts";
import { schemaDdl, insertFixtures, model, schema, ctxA, run } from "./compilerFixtures.ts";
import { compileFindMany, compileAggregate, compileGroupBy, compileFindUnique } from "../src/compiler/index.ts";
it("smoke", async () => {
  const t = await createTestDatabase();
  await t.db.exec(schemaDdl());
  await insertFixtures(t.db);
  const c = compileFindMany(schema, model("Company"), { where: { name_contains: "c" }, include: { contacts: { first: 1, include: { deals: { where: { value_gt: 1 } }, labels: true } } }, withTotalCount: true }, ctxA, { defaultPageSize: 2, maxPageSize: 100 });
  console.log(c.sql, c.params);
  console.log(JSON.stringify((await run(t.db, c)).result, null, 1));
  console.log(JSON.stringify((await run(t.db, compileAggregate(schema, model("Deal"), { count: true, sum: ["value"], avg: ["value"], min: ["value", "createdAt"] }, ctxA))).result));
  console.log(JSON.stringify((await run(t.db, compileGroupBy(schema, model("Deal"), { by: ["stage"], sum: ["value"] }, ctxA))).result));
  console.log(JSON.stringify((await run(t.db, compileFindUnique(schema, model("Contact"), { email: "jose@acme.test" }, { include: { labels: true } }, ctxA))).result));
  await t.drop();
});
