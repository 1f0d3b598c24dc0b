// `tsx bench/api/pgCost.ts`: PostgreSQL backend CPU, client CPU and wall time per by-id request as
// each server of `npm run bench:api` sends it, one connection, sequential — to explain where the
// Tessera API's database cost goes. The statements are the ones Tessera sent for the B workload
// (captured from the driver), H's hand-written one, and H's one prepared (as PostGraphile does);
// "T by-id tx now" is what the driver sends since prepared statements and the one-trip BEGIN.
// Reads /proc/<backend pid>/stat, so PostgreSQL must run on this machine.
import pg from "pg";
import { readFile } from "node:fs/promises";
import { DEMO_USERS } from "@tessera/crm/seed";
import { benchUrl, TENANT_ID } from "./common.ts";
const USER = DEMO_USERS.find((u) => u.role === "admin")!.id;
const cpu = async (pid: number) => { const s = await readFile(`/proc/${pid}/stat`, "utf8"); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
const c = new pg.Client({ connectionString: benchUrl() }); await c.connect();
const pid = (await c.query("select pg_backend_pid() p")).rows[0].p;
// The B workload's deal (same choice as run.ts).
const DEAL = (await c.query("SELECT id FROM deals WHERE tenant_id = $1 AND deleted_at IS NULL AND contact_id IS NOT NULL AND company_id IS NOT NULL ORDER BY id LIMIT 1", [TENANT_ID])).rows[0].id as string;
const TSQL = `SELECT json_build_object('id', "t0"."id", 'title', "t0"."title", 'value', ("t0"."value")::text, 'currency', "t0"."currency", 'stage', "t0"."stage", 'expectedCloseDate', to_char("t0"."expected_close_date", 'YYYY-MM-DD'), 'contact', (SELECT json_build_object('id', "t1"."id", 'firstName', "t1"."first_name", 'lastName', "t1"."last_name", 'email', "t1"."email") FROM "contacts" AS "t1" WHERE ("t1"."id" = "t0"."contact_id") AND ("t1"."tenant_id" = $2::uuid) AND ("t1"."deleted_at" IS NULL) LIMIT 1), 'company', (SELECT json_build_object('id', "t2"."id", 'name', "t2"."name") FROM "companies" AS "t2" WHERE ("t2"."id" = "t0"."company_id") AND ("t2"."tenant_id" = $2::uuid) AND ("t2"."deleted_at" IS NULL) LIMIT 1)) AS "node" FROM "deals" AS "t0" WHERE ("t0"."tenant_id" = $2::uuid) AND ("t0"."deleted_at" IS NULL) AND ("t0"."id" = $1::uuid) LIMIT 1`;
const MSQL = `SELECT (SELECT COALESCE(json_agg(json_build_array(json_build_object('role', "t0"."role", 'teamId', "t0"."team_id"), json_build_array(to_char(("t0"."created_at") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ("t0"."id")::text)) ORDER BY "t0"."created_at" ASC NULLS LAST, "t0"."id" ASC NULLS LAST), '[]'::json) FROM (SELECT "t0".* FROM "memberships" AS "t0" WHERE ("t0"."tenant_id" = $1::uuid) AND ("t0"."deleted_at" IS NULL) AND ("t0"."user_id" = $2::uuid) ORDER BY "t0"."created_at" ASC NULLS LAST, "t0"."id" ASC NULLS LAST LIMIT $3::bigint) AS "t0") AS "rows", FALSE AS "behind", FALSE AS "beyond"`;
const HSQL = `SELECT d.id, d.title, d.value, d.currency, d.stage, d.expected_close_date, c.id AS c_id, c.first_name, c.last_name, c.email, co.id AS co_id, co.name AS co_name FROM deals d LEFT JOIN contacts c ON c.id = d.contact_id AND c.tenant_id = $1 AND c.deleted_at IS NULL LEFT JOIN companies co ON co.id = d.company_id AND co.tenant_id = $1 AND co.deleted_at IS NULL WHERE d.id = $2 AND d.tenant_id = $1 AND d.deleted_at IS NULL`;
const principal = JSON.stringify({ sub: USER, roles: ["admin"], teams: [], kind: "user" });
const sys = JSON.stringify({ sub: "system", roles: ["system"], kind: "system" });
const cases: Record<string, () => Promise<unknown>> = {
  "H by-id, 1 unnamed statement": () => c.query(HSQL, [TENANT_ID, DEAL]),
  "H by-id, prepared (as PostGraphile does)": () => c.query({ name: "h", text: HSQL, values: [TENANT_ID, DEAL] }),
  "T by-id statement alone (owner, no tx)": () => c.query(TSQL, [DEAL, TENANT_ID]),
  "T by-id tx: BEGIN+set_config(role)+stmt+COMMIT": async () => { await c.query("BEGIN"); await c.query("SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true), set_config('app.principal', $3, true)", ["tessera_app", TENANT_ID, principal]); await c.query(TSQL, [DEAL, TENANT_ID]); await c.query("COMMIT"); },
  "T membership tx: BEGIN+set_config+stmt+COMMIT": async () => { await c.query("BEGIN"); await c.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.principal', $2, true)", [TENANT_ID, sys]); await c.query(MSQL, [TENANT_ID, USER, 26]); await c.query("COMMIT"); },
  // What the driver sends now: BEGIN and the context (validated literals) in one simple-protocol
  // round trip, the statement prepared once per connection, COMMIT; the membership is cached.
  "T by-id tx now: BEGIN;set_config + prepared stmt + COMMIT": async () => { await c.query(`BEGIN; SELECT set_config('role', 'tessera_app', true), set_config('app.tenant_id', '${TENANT_ID}', true)`); await c.query({ name: "t", text: TSQL, values: [DEAL, TENANT_ID] }); await c.query("COMMIT"); },
  "empty tx: BEGIN+set_config(role)+COMMIT": async () => { await c.query("BEGIN"); await c.query("SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true), set_config('app.principal', $3, true)", ["tessera_app", TENANT_ID, principal]); await c.query("COMMIT"); },
};
const N = 2000;
for (let rep = 0; rep < 2; rep++) for (const [name, fn] of Object.entries(cases)) {
  for (let i = 0; i < 100; i++) await fn();
  const c0 = await cpu(pid); const t0 = performance.now(); const u0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await fn();
  const u = process.cpuUsage(u0); const wall = performance.now() - t0; const c1 = await cpu(pid);
  if (rep === 1) console.log(`${name.padEnd(50)} PG CPU ${((c1 - c0) / N).toFixed(3)} ms  client CPU ${((u.user + u.system) / 1000 / N).toFixed(3)} ms  wall ${(wall / N).toFixed(3)} ms`);
}
await c.end();
