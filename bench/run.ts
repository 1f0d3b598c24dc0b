// `npm run bench`: the engine's findMany against the same query hand-written with `pg`, on the
// PostgreSQL server with 100k seeded deals.
//
//   A   engine.model("Deal").findMany(…) — read cache off, RLS transaction as tessera_app
//   B   one hand-written statement on a pg.Pool (LEFT JOINs, tenant filter, same ORDER BY/LIMIT)
//   B2  the same statement inside BEGIN / set_config(role, tenant, principal) / COMMIT,
//       i.e. the transaction the engine has to run: A/B2 isolates the compiler's cost
//
// Two scenarios, each verified first (A, B and B2 must return the same 50 deal ids in order):
//   1. the CRM schema as migrated — nothing serves ORDER BY value, so every variant scans and sorts;
//   2. with an index deals (tenant_id, value DESC, id) that the bench creates and drops again, so
//      the statement is cheap and the ratio shows the engine's own overhead.
// Rounds alternate the variants, rotating their order (machine speed drifts); every variant runs
// with the same concurrency on a pool of the same size. Environment knobs:
//   DATABASE_URL        admin URL (default postgres://postgres@127.0.0.1:5432/postgres);
//                       the bench uses the database `tessera_bench` on the same server
//   BENCH_ROUNDS        rounds of scenario 2 (default 5)
//   BENCH_REQUESTS      requests per variant per round in scenario 2 (default 1000)
//   BENCH_SCAN_ROUNDS   rounds of scenario 1 (default 3)
//   BENCH_SCAN_REQUESTS requests per variant per round in scenario 1 (default 80)
//   BENCH_CONCURRENCY   concurrent callers = pool size of each side (default 8)
//   BENCH_RESEED=1      drop the bench database and seed it again (the seed is timed)
//   BENCH_EXPLAIN=1     print the EXPLAIN (ANALYZE, BUFFERS) plans of A's and B's statements
import os from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { applyMigrations, openPostgres, type Database } from "@tessera/db";
import { Engine, type FindManyArgs, type RequestContext } from "@tessera/engine";
import { compileFindMany } from "../packages/engine/src/compiler/index.ts";
import { schema as crmSchema } from "@tessera/crm";
import { seed } from "@tessera/crm/seed";

const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BENCH_DB = "tessera_bench";
const SCALE = 100_000;
const TENANT = { id: "00000000-0000-4000-8000-00000000be01", name: "Bench", slug: "bench" };
const ROUNDS = intEnv("BENCH_ROUNDS", 5);
const REQUESTS = intEnv("BENCH_REQUESTS", 1000);
const CONCURRENCY = intEnv("BENCH_CONCURRENCY", 8);

const TARGET_RATIO = 1 / 1.5;

const schema = crmSchema.ir;
const ctx: RequestContext = { tenantId: TENANT.id, principal: { sub: "bench", roles: ["admin"], kind: "user" } };
const ARGS: FindManyArgs = {
  where: { stage_in: ["qualified", "proposal"], value_gte: "1000" },
  orderBy: ["value_DESC"],
  first: 50,
  include: { contact: true, company: true },
};

// The query as a competent developer writes it by hand. `value DESC` puts NULLs first by default
// (as the engine's NULLS FIRST), and `id` is the tie-breaker for a stable order, as in the engine.
const HAND_SQL = `
SELECT d.id, d.title, d.value, d.currency, d.stage, d.position, d.pipeline_id, d.contact_id, d.company_id,
       d.owner_id, d.expected_close_date, d.actual_close_date, d.lost_reason, d.version,
       d.created_at, d.updated_at, d.deleted_at,
       c.id AS contact_id_, c.first_name AS contact_first_name, c.last_name AS contact_last_name,
       c.email AS contact_email, c.phone AS contact_phone, c.job_title AS contact_job_title,
       c.company_id AS contact_company_id, c.owner_id AS contact_owner_id, c.tags AS contact_tags,
       c.lifecycle_stage AS contact_lifecycle_stage, c.source AS contact_source,
       c.social_handles AS contact_social_handles, c.notes AS contact_notes, c.version AS contact_version,
       c.created_at AS contact_created_at, c.updated_at AS contact_updated_at, c.deleted_at AS contact_deleted_at,
       co.id AS company_id_, co.name AS company_name, co.website AS company_website, co.industry AS company_industry,
       co.size AS company_size, co.address AS company_address, co.phone AS company_phone,
       co.annual_revenue AS company_annual_revenue, co.owner_id AS company_owner_id, co.tags AS company_tags,
       co.notes AS company_notes, co.version AS company_version, co.created_at AS company_created_at,
       co.updated_at AS company_updated_at, co.deleted_at AS company_deleted_at
  FROM deals d
  LEFT JOIN contacts c ON c.id = d.contact_id AND c.tenant_id = $1 AND c.deleted_at IS NULL
  LEFT JOIN companies co ON co.id = d.company_id AND co.tenant_id = $1 AND co.deleted_at IS NULL
 WHERE d.tenant_id = $1 AND d.deleted_at IS NULL
   AND d.stage = ANY($2::"DealStage"[]) AND d.value >= $3
 ORDER BY d.value DESC, d.id
 LIMIT 50`;
const HAND_PARAMS = [TENANT.id, ["qualified", "proposal"], "1000"];
const CONTEXT_SQL = "SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true), set_config('app.principal', $3, true)";

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got '${raw}'`);
  return n;
}

function benchUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

async function adminQuery<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

// ---------- setup: database, migrations, tenant, seed ----------

async function countDeals(): Promise<number> {
  const exists = await adminQuery<{ n: number }>("SELECT count(*)::int AS n FROM pg_database WHERE datname = $1", [BENCH_DB]);
  if (exists[0].n === 0) return -1;
  const client = new pg.Client({ connectionString: benchUrl() });
  await client.connect();
  try {
    const table = await client.query<{ found: boolean }>("SELECT to_regclass('public.deals') IS NOT NULL AS found");
    if (!table.rows[0].found) return 0;
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM deals WHERE tenant_id = $1", [TENANT.id]);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function prepareDatabase(): Promise<{ seededSeconds: number | null; counts: Record<string, number> | null }> {
  let deals = await countDeals();
  if (deals >= 0 && (deals !== SCALE || process.env.BENCH_RESEED === "1")) {
    console.log(`${BENCH_DB}: ${deals} bench deals (want ${SCALE}); dropping it to seed afresh`);
    await adminQuery(`DROP DATABASE ${BENCH_DB} WITH (FORCE)`);
    deals = -1;
  }
  if (deals === -1) await adminQuery(`CREATE DATABASE ${BENCH_DB}`);
  const db = await openPostgres({ connectionString: benchUrl(), maxConnections: 4 });
  try {
    await applyMigrations({ db, dir: "apps/crm/migrations" });
    const engine = new Engine({ schema, db, cache: false });
    await engine.tenants.ensure(TENANT);
    if (deals === SCALE) {
      console.log(`${BENCH_DB}: reusing ${deals} seeded deals of tenant ${TENANT.id} (BENCH_RESEED=1 to re-seed)`);
      return { seededSeconds: null, counts: null };
    }
    console.log(`seeding ${SCALE} deals into ${BENCH_DB} …`);
    const started = performance.now();
    const summary = await seed(engine, { tenantId: TENANT.id, scale: SCALE });
    const seededSeconds = (performance.now() - started) / 1000;
    console.log(`seeded in ${seededSeconds.toFixed(1)}s: ${Object.entries(summary.counts).map(([m, n]) => `${n} ${m}`).join(", ")}`);
    // Fresh tables have no statistics until autovacuum gets to them; both sides get the same ones.
    await db.exec("VACUUM ANALYZE");
    return { seededSeconds, counts: summary.counts };
  } finally {
    await db.close();
  }
}

// ---------- load driver ----------

interface Sample {
  requests: number;
  seconds: number;
  latencies: number[];
  /** CPU time of this Node process (user + system), ms. */
  cpuMs: number;
}

async function drive(fn: () => Promise<unknown>, requests: number, concurrency: number): Promise<Sample> {
  const latencies: number[] = new Array(requests);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= requests) return;
      const t = performance.now();
      await fn();
      latencies[i] = performance.now() - t;
    }
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(cpu);
  return { requests, seconds: (performance.now() - started) / 1000, latencies, cpuMs: (used.user + used.system) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// ---------- scenarios ----------

type VariantName = "A" | "B" | "B2";
const NAMES: VariantName[] = ["A", "B", "B2"];
const LABELS: Record<VariantName, string> = {
  A: "A  engine findMany (cache off, RLS tx)",
  B: "B  hand-written pg, one statement",
  B2: "B2 hand-written pg in RLS tx",
};

interface Stats {
  qps: number;
  p50: number;
  p99: number;
  /** Node-side CPU per request, ms. */
  clientCpuMs: number;
  perRound: number[];
}

interface ScenarioResult {
  title: string;
  rounds: number;
  requests: number;
  stats: Record<VariantName, Stats>;
  ratioAB: Ratio;
  ratioAB2: Ratio;
  serverMsA: number;
  serverMsB: number;
  planA: string;
  planB: string;
}

interface Ratio {
  overall: number;
  median: number;
  min: number;
  max: number;
  p50: number;
}

interface Bench {
  db: Database;
  pool: pg.Pool;
  run: Record<VariantName, () => Promise<string[]>>;
  compiled: { sql: string; params: unknown[] };
}

async function verify(bench: Bench): Promise<void> {
  // Same answer first, or the comparison means nothing.
  const ids = { A: await bench.run.A(), B: await bench.run.B(), B2: await bench.run.B2() };
  if (ids.A.length !== 50) throw new Error(`engine returned ${ids.A.length} deals, expected 50: is the bench database seeded?`);
  for (const other of ["B", "B2"] as const) {
    if (ids[other].join(",") !== ids.A.join(",")) {
      const at = ids.A.findIndex((id, i) => ids[other][i] !== id);
      throw new Error(`A and ${other} disagree (first difference at row ${at}: ${ids.A[at]} vs ${ids[other][at]}); fix the bench before timing it`);
    }
  }
  console.log(`  verified: A, B and B2 return the same 50 deal ids in the same order`);
}

/** Median server-side execution time of a statement (EXPLAIN ANALYZE under RLS as tessera_app) and its plan. */
async function serverTime(bench: Bench, sql: string, params: unknown[], runs: number): Promise<{ ms: number; plan: string }> {
  const times: number[] = [];
  let plan = "";
  const client = await bench.pool.connect();
  try {
    for (let i = 0; i < runs; i++) {
      await client.query("BEGIN");
      await client.query(CONTEXT_SQL, [bench.db.appRole, TENANT.id, JSON.stringify(ctx.principal)]);
      // Per-node timing inflates plans with many small nodes: time with it off, keep one plan with it on.
      const last = i === runs - 1;
      const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, ${last ? "BUFFERS" : "TIMING OFF"}) ${sql}`, params);
      await client.query("ROLLBACK");
      const text = rows.map((r) => r["QUERY PLAN"]).join("\n");
      if (last) plan = text;
      const m = /Execution Time: ([\d.]+) ms/.exec(text);
      if (m && !last) times.push(Number(m[1]));
    }
  } finally {
    client.release();
  }
  return { ms: median(times), plan };
}

async function scenario(bench: Bench, title: string, rounds: number, requests: number): Promise<ScenarioResult> {
  console.log(`\n== ${title}: ${rounds} rounds × ${requests} requests per variant, ${CONCURRENCY} concurrent callers`);
  await verify(bench);
  const warmup = Math.max(20, Math.floor(requests / 4));
  for (const name of NAMES) await drive(bench.run[name], warmup, CONCURRENCY);

  const samples: Record<VariantName, Sample[]> = { A: [], B: [], B2: [] };
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round (A B B2, B B2 A, B2 A B, …) so none always runs first or last.
    const order = NAMES.map((_, i) => NAMES[(i + round) % NAMES.length]);
    const line: string[] = [];
    for (const name of order) {
      const s = await drive(bench.run[name], requests, CONCURRENCY);
      samples[name].push(s);
      line.push(`${name} ${(s.requests / s.seconds).toFixed(0)}/s`);
    }
    console.log(`  round ${round + 1}/${rounds}: ${line.join("  ")}`);
  }

  const stats = {} as Record<VariantName, Stats>;
  for (const name of NAMES) {
    const all = samples[name];
    const total = all.reduce((t, s) => t + s.requests, 0);
    const seconds = all.reduce((t, s) => t + s.seconds, 0);
    const lat = all.flatMap((s) => s.latencies).sort((a, b) => a - b);
    const cpuMs = all.reduce((t, s) => t + s.cpuMs, 0);
    stats[name] = { qps: total / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99), clientCpuMs: cpuMs / total, perRound: all.map((s) => s.requests / s.seconds) };
  }
  const ratio = (x: VariantName, y: VariantName): Ratio => {
    const perRound = stats[x].perRound.map((q, i) => q / stats[y].perRound[i]);
    return { overall: stats[x].qps / stats[y].qps, median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound), p50: stats[x].p50 / stats[y].p50 };
  };
  const a = await serverTime(bench, bench.compiled.sql, bench.compiled.params, 15);
  const b = await serverTime(bench, HAND_SQL, HAND_PARAMS, 15);
  const result: ScenarioResult = {
    title, rounds, requests, stats, ratioAB: ratio("A", "B"), ratioAB2: ratio("A", "B2"),
    serverMsA: a.ms, serverMsB: b.ms, planA: a.plan, planB: b.plan,
  };
  printScenario(result);
  return result;
}

const fx = (n: number, d = 0) => n.toFixed(d);

function printScenario(r: ScenarioResult): void {
  console.log("");
  console.log(`### ${r.title}`);
  console.log("");
  console.log("| variant | queries/s | p50 ms | p99 ms | Node CPU ms/query |");
  console.log("|---|---:|---:|---:|---:|");
  for (const name of NAMES) {
    const st = r.stats[name];
    console.log(`| ${LABELS[name]} | ${fx(st.qps)} | ${fx(st.p50, 2)} | ${fx(st.p99, 2)} | ${fx(st.clientCpuMs, 2)} |`);
  }
  console.log("");
  const line = (label: string, q: Ratio) =>
    `${label} throughput ratio ${fx(q.overall, 2)} (per-round median ${fx(q.median, 2)}, range ${fx(q.min, 2)}–${fx(q.max, 2)}); p50 latency ×${fx(q.p50, 2)}`;
  console.log(line("A/B ", r.ratioAB));
  console.log(line("A/B2", r.ratioAB2));
  const verdict = (x: number) => (x >= TARGET_RATIO ? "MET" : "NOT MET");
  console.log(`target A/B ≥ ${fx(TARGET_RATIO, 2)} (engine within 1.5× of hand-written SQL): ${verdict(r.ratioAB.overall)}; against B2: ${verdict(r.ratioAB2.overall)}`);
  console.log(`server execution time (EXPLAIN ANALYZE, TIMING OFF, median; as tessera_app): engine SQL ${fx(r.serverMsA, 2)} ms, hand-written ${fx(r.serverMsB, 2)} ms`);
  if (process.env.BENCH_EXPLAIN === "1") {
    console.log(`\n--- plan (engine) ---\n${r.planA}\n\n--- plan (hand-written) ---\n${r.planB}`);
  }
}

// ---------- main ----------

// Not in the CRM migrations: the bench adds it for its second scenario and drops it again.
const BENCH_INDEX = "bench_deals_tenant_value_idx";

async function main(): Promise<void> {
  const setup = await prepareDatabase();

  const db: Database = await openPostgres({ connectionString: benchUrl(), maxConnections: CONCURRENCY });
  const pool = new pg.Pool({ connectionString: benchUrl(), max: CONCURRENCY });
  const engine = new Engine({ schema, db, cache: false });
  const deals = engine.model("Deal");
  const principal = JSON.stringify(ctx.principal);
  const compiled = compileFindMany(schema, deals.model, ARGS, ctx, { defaultPageSize: schema.config.defaultPageSize, maxPageSize: schema.config.maxPageSize });

  const bench: Bench = {
    db,
    pool,
    compiled,
    run: {
      A: async () => (await deals.findMany(ARGS, ctx)).nodes.map((n) => String(n.id)),
      B: async () => (await pool.query<{ id: string }>(HAND_SQL, HAND_PARAMS)).rows.map((r) => r.id),
      B2: async () => {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          await client.query(CONTEXT_SQL, [db.appRole, TENANT.id, principal]);
          const { rows } = await client.query<{ id: string }>(HAND_SQL, HAND_PARAMS);
          await client.query("COMMIT");
          return rows.map((r) => r.id);
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      },
    },
  };

  try {
    const version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
    const cpus = os.cpus();
    console.log(`machine: ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, node ${process.version}, PostgreSQL ${version}`);

    // 1. The CRM schema as migrated: no index serves `ORDER BY value`, so both sides scan and sort.
    await pool.query(`DROP INDEX IF EXISTS ${BENCH_INDEX}`);
    await pool.query("ANALYZE deals");
    const asMigrated = await scenario(bench, "1. CRM schema as migrated (no index on deals.value)", intEnv("BENCH_SCAN_ROUNDS", 3), intEnv("BENCH_SCAN_REQUESTS", 80));

    // 2. With an index that serves the query, so the statement itself is cheap and the engine's
    //    own overhead (compiler, JSON building, transaction) is what the ratio measures.
    await pool.query(`CREATE INDEX IF NOT EXISTS ${BENCH_INDEX} ON deals (tenant_id, value DESC, id)`);
    await pool.query("ANALYZE deals");
    let indexed: ScenarioResult;
    try {
      indexed = await scenario(bench, `2. with index deals (tenant_id, value DESC, id)`, ROUNDS, REQUESTS);
    } finally {
      await pool.query(`DROP INDEX IF EXISTS ${BENCH_INDEX}`);
    }

    // The JS side of the engine per call.
    const iterations = 5000;
    const t = performance.now();
    for (let i = 0; i < iterations; i++) compileFindMany(schema, deals.model, ARGS, ctx, { defaultPageSize: 25, maxPageSize: 100 });
    const compileUs = ((performance.now() - t) * 1000) / iterations;
    const rowA = (await pool.query(compiled.sql, compiled.params)).rows;
    const rowB = (await pool.query(HAND_SQL, HAND_PARAMS)).rows;
    console.log("");
    console.log(`engine compileFindMany: ${fx(compileUs, 1)} µs per call; result ≈ ${JSON.stringify(rowA).length} bytes of JSON (engine) vs ${JSON.stringify(rowB).length} (hand-written rows)`);
    if (setup.seededSeconds !== null) console.log(`seed: ${SCALE} deals (plus related records) in ${fx(setup.seededSeconds, 1)} s`);
    console.log("");
    console.log(`summary: A/B throughput ${fx(asMigrated.ratioAB.overall, 2)} as migrated, ${fx(indexed.ratioAB.overall, 2)} with the index (target ≥ ${fx(TARGET_RATIO, 2)})`);
  } finally {
    await pool.end();
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
