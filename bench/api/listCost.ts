// `tsx bench/api/listCost.ts`: PostgreSQL backend CPU and wall time per list statement (the L+idx
// workload of `npm run bench:api`), one connection, sequential, every statement prepared — to see
// what the SQL shape of Tessera's list costs against the hand-written one. Tessera's statement is
// compiled by the current compiler with the selection the GraphQL request asks for, and runs as
// the API runs it: in a transaction as tessera_app with the tenant set (RLS on). H's runs as the
// owner; P's is the statement PostGraphile v5 sent for the same GraphQL query. At the end it prints
// how often PostgreSQL planned each prepared statement afresh (custom plans) or reused its generic
// plan. `--sql` prints Tessera's statement; BENCH_EXPLAIN=1 its EXPLAIN (ANALYZE, BUFFERS, VERBOSE).
// Creates the bench index of L+idx (deals (tenant_id, value DESC, id)) and drops it again.
// Reads /proc/<backend pid>/stat, so PostgreSQL must run on this machine.
import pg from "pg";
import { HAND_LIST_SQL } from "./handSql.ts";
import { readFile } from "node:fs/promises";
import { schema } from "@tessera/crm";
import type { FindManyArgs, RequestContext } from "@tessera/engine";
import { findModel } from "@tessera/schema";
import { compileFindMany } from "../../packages/engine/src/compiler/index.ts";
import { benchUrl, LIST, TENANT_ID } from "./common.ts";

const cpu = async (pid: number): Promise<number> => {
  const s = await readFile(`/proc/${pid}/stat`, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};

const ir = schema.ir;
const ctx: RequestContext = { tenantId: TENANT_ID, principal: { sub: "bench", roles: ["admin"], kind: "user" } };
const ARGS: FindManyArgs = {
  fields: ["id", "title", "value", "currency", "stage", "expectedCloseDate"],
  where: { stage_in: LIST.stages, value_gte: LIST.minValue },
  orderBy: ["value_DESC"],
  first: LIST.first,
  include: { contact: { fields: ["id", "firstName", "lastName", "email"] }, company: { fields: ["id", "name"] } },
};
const model = findModel(ir, "Deal");
if (!model) throw new Error("no Deal model");
const compiled = compileFindMany(ir, model, ARGS, ctx, { defaultPageSize: ir.config.defaultPageSize, maxPageSize: ir.config.maxPageSize });

const HSQL = HAND_LIST_SQL;

// What PostGraphile v5 sent for the same GraphQL list (logged from its pg client): flat columns, two
// LEFT JOINs, no JSON built in SQL.
const PSQL = `select __deals__."id" as "0", __deals__."title" as "1", __deals__."value"::text as "2", __deals__."currency" as "3",
__deals__."stage"::text as "4", to_char(__deals__."expected_close_date", 'YYYY-MM-DD'::text) as "5",
__contacts__."id" as "6", __contacts__."first_name" as "7", __contacts__."last_name" as "8", __contacts__."email" as "9",
__companies__."id" as "10", __companies__."name" as "11"
from "public"."deals" as __deals__
left outer join "public"."contacts" as __contacts__ on ((__contacts__."id" = __deals__."contact_id"))
left outer join "public"."companies" as __companies__ on ((__companies__."id" = __deals__."company_id"))
where (__deals__."tenant_id" = $1::"uuid") and (__deals__."deleted_at" is null) and (__deals__.stage = any($2::public."DealStage"[])) and (__deals__.value >= $3::numeric)
order by __deals__."value" desc, __deals__."id" asc
limit 50`;

const c = new pg.Client({ connectionString: benchUrl() });
await c.connect();
await c.query("CREATE INDEX IF NOT EXISTS bench_api_deals_tenant_value_idx ON deals (tenant_id, value DESC, id)");
const pid = (await c.query<{ p: number }>("select pg_backend_pid() p")).rows[0].p;
const begin = `BEGIN; SELECT set_config('role', 'tessera_app', true), set_config('app.tenant_id', '${TENANT_ID}', true)`;

if (process.argv.includes("--sql")) console.log(`${compiled.sql}\n${JSON.stringify(compiled.params)}\n`);
if (process.env.BENCH_EXPLAIN === "1") {
  await c.query(begin);
  const { rows } = await c.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, VERBOSE) ${compiled.sql}`, compiled.params);
  await c.query("COMMIT");
  console.log(rows.map((r) => r["QUERY PLAN"]).join("\n"));
}

const cases: Record<string, () => Promise<unknown>> = {
  "T list statement (tx as tessera_app, prepared)": async () => {
    await c.query(begin);
    await c.query({ name: "t", text: compiled.sql, values: compiled.params });
    await c.query("COMMIT");
  },
  "T list statement alone (owner, no tx, prepared)": () => c.query({ name: "t2", text: compiled.sql, values: compiled.params }),
  "H list statement (owner, prepared)": () => c.query({ name: "h", text: HSQL, values: [TENANT_ID, LIST.stages, LIST.minValue, LIST.first] }),
  "P list statement (owner, prepared)": () => c.query({ name: "p", text: PSQL, values: [TENANT_ID, LIST.stages, LIST.minValue] }),
  "empty tx (BEGIN;set_config + COMMIT)": async () => {
    await c.query(begin);
    await c.query("COMMIT");
  },
};
const N = Number(process.env.BENCH_N ?? 1000);
for (let rep = 0; rep < 2; rep++) {
  for (const [name, fn] of Object.entries(cases)) {
    for (let i = 0; i < 50; i++) await fn();
    const c0 = await cpu(pid);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await fn();
    const wall = performance.now() - t0;
    const c1 = await cpu(pid);
    if (rep === 1) console.log(`${name.padEnd(50)} PG CPU ${((c1 - c0) / N).toFixed(3)} ms  wall ${(wall / N).toFixed(3)} ms`);
  }
}
const plans = await c.query("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY name");
console.log(plans.rows.map((r) => `${r.name}: ${r.generic_plans} generic, ${r.custom_plans} custom plans`).join("\n"));
await c.query("DROP INDEX IF EXISTS bench_api_deals_tenant_value_idx");
await c.end();
