// `npm run bench:api`: the Tessera GraphQL API against PostGraphile v5 and a hand-written fastify +
// pg server, over HTTP, on the PostgreSQL server with the 100k-deal bench dataset of bench/run.ts.
//
// Servers, each its own child process on 127.0.0.1 with NODE_ENV=production (bench/api/*Server.ts):
//   Tc  Tessera, createApiServer + CRM schema, read cache ON (production default)
//   Tn  Tessera, the same with the read cache OFF (fair against P and H, which cache nothing)
//   P   PostGraphile v5, Amber preset, as the owner role (no RLS; tenant filter in the query)
//   H   fastify + one hand-written pg statement per route, as the owner role (the ceiling)
//   Tb  Tn from another checkout (BENCH_API_BEFORE_ROOT, e.g. a copy of the tree before a change),
//       so that before and after are measured in the same run, alternating with the others
// Workloads:
//   B      one deal by id, with contact and company
//   L      50 deals, stage in (qualified, proposal) and value >= 1000, value desc, with contact and
//          company — on the CRM schema as migrated (nothing indexes deals.value: seq scan + sort)
//   L+idx  the same with an index deals (tenant_id, value DESC, id), created for this scenario and
//          dropped again (not in the CRM migrations), so that API overhead rather than the scan shows
// Every server must return the same records (B) and the same deal ids in the same order (L) before
// anything is timed, and every timed response must equal that verified body (autocannon expectBody).
// autocannon drives each server with the same connections and duration; rounds alternate the
// servers, rotating their order each round; a warm-up precedes each workload.
//
// Knobs: DATABASE_URL (admin URL; the database is `tessera_bench`), BENCH_API_DURATION (s, 10),
// BENCH_API_WARMUP (s, 3), BENCH_API_ROUNDS (2), BENCH_API_CONNECTIONS (16),
// BENCH_API_SERVERS (e.g. "Tn,H"), BENCH_API_WORKLOADS (e.g. "B,L"),
// BENCH_API_PROFILE=<dir> (Tessera children run with --cpu-prof into <dir>),
// BENCH_API_BEFORE_ROOT=<checkout> (the tree server Tb runs from; it needs its own node_modules/@tessera).
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { DevIssuer } from "@tessera/auth";
import { DEMO_USERS } from "@tessera/crm/seed";
import { ADMIN_URL, BENCH_DB, benchUrl, LIST, TENANT_ID } from "./common.ts";
import { forkReady } from "../forkReady.ts";

const DURATION = intEnv("BENCH_API_DURATION", 10);
const WARMUP = intEnv("BENCH_API_WARMUP", 3);
const ROUNDS = intEnv("BENCH_API_ROUNDS", 2);
const CONNECTIONS = intEnv("BENCH_API_CONNECTIONS", 16);
const EXPECTED_DEALS = 100_000;
const BENCH_INDEX = "bench_api_deals_tenant_value_idx";
const PORT_BASE = 4710;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got '${raw}'`);
  return n;
}

// ---------- servers ----------

type ServerName = "Tc" | "Tn" | "Tb" | "P" | "H";
const ALL_SERVERS: ServerName[] = ["Tc", "Tn", "Tb", "P", "H"];
const isTessera = (name: ServerName): boolean => name === "Tc" || name === "Tn" || name === "Tb";
const LABEL: Record<ServerName, string> = {
  Tc: "Tc Tessera (cache on)",
  Tn: "Tn Tessera (cache off)",
  Tb: "Tb Tessera (cache off), before",
  P: "P  PostGraphile v5",
  H: "H  hand-written fastify+pg",
};

interface Running {
  name: ServerName;
  child: ChildProcess;
  port: number;
}

async function startServer(name: ServerName, port: number, tokenDir: string): Promise<Running> {
  const script = { Tc: "tesseraServer.ts", Tn: "tesseraServer.ts", Tb: "tesseraServer.ts", P: "postgraphileServer.ts", H: "handServer.ts" }[name];
  const beforeRoot = process.env.BENCH_API_BEFORE_ROOT;
  if (name === "Tb" && !beforeRoot) throw new Error("server Tb needs BENCH_API_BEFORE_ROOT (a checkout to run Tessera from)");
  const dir = name === "Tb" ? join(beforeRoot!, "bench", "api") : import.meta.dirname;
  const execArgv = ["--import", "tsx"];
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", PORT: String(port) };
  delete env.NODE_OPTIONS;
  if (name === "P") env.NODE_OPTIONS = `--require ${join(import.meta.dirname, "node22-shims.cjs")}`;
  if (isTessera(name)) {
    env.BENCH_CACHE = name === "Tc" ? "on" : "off";
    env.BENCH_TOKEN_DIR = tokenDir;
    if (process.env.BENCH_API_PROFILE) execArgv.push("--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_API_PROFILE}`);
  }
  // Its stderr is kept for errors (PostGraphile warns once that it has no codec for pg_catalog.xid8: harmless).
  const { child, stderr } = await forkReady(join(dir, script), name, { execArgv, env });
  child.on("exit", (code, signal) => {
    if (signal !== "SIGTERM" && code !== 0) console.error(`${name} exited unexpectedly (${code ?? signal}):\n${stderr()}`);
  });
  return { name, child, port };
}

async function stopServer(server: Running): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => server.child.once("exit", () => resolve()));
  server.child.kill("SIGTERM");
  // --cpu-prof writes its profile on a clean exit; give it time, then insist.
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

// ---------- requests per server and workload ----------

type WorkloadName = "B" | "L" | "L+idx";
const ALL_WORKLOADS: WorkloadName[] = ["B", "L", "L+idx"];

interface Request {
  path: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
}

const T_FIELDS = "id title value currency stage expectedCloseDate contact { id firstName lastName email } company { id name }";
const P_FIELDS = "rowId title value currency stage expectedCloseDate contactByContactId { rowId firstName lastName email } companyByCompanyId { rowId name }";

function requestFor(server: ServerName, workload: WorkloadName, dealId: string, token: string): Request {
  const gql = (query: string, auth: boolean): Request => ({
    path: "/graphql",
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const stages = LIST.stages.join(", ");
  const list = workload !== "B";
  switch (server) {
    case "Tc":
    case "Tn":
    case "Tb":
      return gql(
        list
          ? `{ deals(where: { stage_in: [${stages}], value_gte: "${LIST.minValue}" }, orderBy: [value_DESC], first: ${LIST.first}) { ${T_FIELDS} } }`
          : `{ deal(where: { id: "${dealId}" }) { ${T_FIELDS} } }`,
        true,
      );
    case "P":
      // No RLS for PostGraphile here: the tenant and soft-delete filters are spelled out.
      return gql(
        list
          ? `{ allDeals(first: ${LIST.first}, condition: { tenantId: "${TENANT_ID}", deletedAt: null, stageIn: [${stages}], valueGte: "${LIST.minValue}" }, orderBy: [VALUE_DESC, ROW_ID_ASC]) { nodes { ${P_FIELDS} } } }`
          : `{ dealByRowId(rowId: "${dealId}") { ${P_FIELDS} } }`,
        false,
      );
    case "H":
      return { path: list ? "/deals" : `/deals/${dealId}`, method: "GET", headers: {} };
  }
}

interface Deal {
  id: string;
  title: string;
  value: string | null;
  currency: string;
  stage: string;
  expectedCloseDate: string | null;
  contact: { id: string; firstName: string | null; lastName: string | null; email: string | null } | null;
  company: { id: string; name: string } | null;
}

/** Exact decimal string without trailing zeros ("1000.5000" → "1000.5"). */
function decimal(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

function canonical(raw: Record<string, any>, server: ServerName): Deal {
  const p = server === "P";
  const contact = p ? raw.contactByContactId : raw.contact;
  const company = p ? raw.companyByCompanyId : raw.company;
  return {
    id: p ? raw.rowId : raw.id,
    title: raw.title,
    value: decimal(raw.value),
    currency: raw.currency,
    stage: String(raw.stage).toLowerCase(),
    expectedCloseDate: raw.expectedCloseDate ?? null,
    contact: contact ? { id: p ? contact.rowId : contact.id, firstName: contact.firstName ?? null, lastName: contact.lastName ?? null, email: contact.email ?? null } : null,
    company: company ? { id: p ? company.rowId : company.id, name: company.name } : null,
  };
}

/** The deals of a response, canonical; throws on errors or an unexpected shape. */
function dealsOf(server: ServerName, workload: WorkloadName, status: number, text: string): Deal[] {
  if (status !== 200) throw new Error(`${server} ${workload}: HTTP ${status}: ${text.slice(0, 500)}`);
  const json = JSON.parse(text) as Record<string, any>;
  if (json.errors) throw new Error(`${server} ${workload}: GraphQL errors: ${JSON.stringify(json.errors).slice(0, 500)}`);
  const list = workload !== "B";
  let rows: Record<string, any>[];
  if (server === "H") rows = list ? json.deals : [json.deal];
  else if (server === "P") rows = list ? json.data.allDeals.nodes : [json.data.dealByRowId];
  else rows = list ? json.data.deals : [json.data.deal];
  if (!Array.isArray(rows) || rows.some((r) => r === null || typeof r !== "object")) throw new Error(`${server} ${workload}: unexpected response ${text.slice(0, 300)}`);
  return rows.map((r) => canonical(r, server));
}

async function send(server: Running, req: Request): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${server.port}${req.path}`, { method: req.method, headers: req.headers, ...(req.body ? { body: req.body } : {}) });
  return { status: res.status, text: await res.text() };
}

/** Same answer from every server, or nothing is timed. Returns each server's verified body. */
async function verify(servers: Running[], workload: WorkloadName, dealId: string, token: string): Promise<Map<ServerName, string>> {
  const bodies = new Map<ServerName, string>();
  let reference: { name: ServerName; deals: Deal[] } | undefined;
  for (const server of servers) {
    const { status, text } = await send(server, requestFor(server.name, workload, dealId, token));
    const deals = dealsOf(server.name, workload, status, text);
    const want = workload === "B" ? 1 : LIST.first;
    if (deals.length !== want) throw new Error(`${server.name} ${workload}: ${deals.length} deals, expected ${want}`);
    if (workload === "B" && deals[0].id !== dealId) throw new Error(`${server.name} B: returned deal ${deals[0].id}, asked for ${dealId}`);
    if (!reference) reference = { name: server.name, deals };
    else if (workload === "B") {
      if (JSON.stringify(deals[0]) !== JSON.stringify(reference.deals[0])) {
        throw new Error(`B: ${server.name} and ${reference.name} return different records:\n${JSON.stringify(deals[0])}\n${JSON.stringify(reference.deals[0])}`);
      }
    } else {
      const a = deals.map((d) => d.id);
      const b = reference.deals.map((d) => d.id);
      const at = a.findIndex((id, i) => b[i] !== id);
      if (at !== -1) throw new Error(`${workload}: ${server.name} and ${reference.name} disagree at row ${at}: ${a[at]} vs ${b[at]}`);
      // Same ids in the same order; the records themselves must match too.
      const diff = deals.findIndex((d, i) => JSON.stringify(d) !== JSON.stringify(reference!.deals[i]));
      if (diff !== -1) throw new Error(`${workload}: ${server.name} and ${reference.name} differ in row ${diff}:\n${JSON.stringify(deals[diff])}\n${JSON.stringify(reference.deals[diff])}`);
    }
    // The next call must answer byte for byte the same, since timed responses are compared with it.
    const again = await send(server, requestFor(server.name, workload, dealId, token));
    if (again.text !== text) throw new Error(`${server.name} ${workload}: two identical requests gave different bodies`);
    bodies.set(server.name, text);
  }
  console.log(`  verified ${workload}: ${servers.map((s) => s.name).join(", ")} return the same ${workload === "B" ? "record" : `${LIST.first} deals in the same order`} (${[...bodies].map(([n, b]) => `${n} ${b.length} B`).join(", ")})`);
  return bodies;
}

// ---------- measurement ----------

/** user+system CPU of a process in ms (Linux /proc), or NaN. */
async function procCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return Number.NaN;
  }
}

/** CPU of the PostgreSQL backends connected to the bench database, by pid. */
async function backendCpu(admin: pg.Pool): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [BENCH_DB]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = await procCpuMs(pid);
    if (!Number.isNaN(ms)) out.set(pid, ms);
  }
  return out;
}

function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

interface PromSample {
  sqlCount: number;
  sqlSum: number;
}

async function scrapeMetrics(server: Running): Promise<PromSample | null> {
  if (!isTessera(server.name)) return null;
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const metric = (name: string): number => {
    let total = 0;
    for (const line of text.split("\n")) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.slice(line.lastIndexOf(" ") + 1));
    return total;
  };
  return { sqlCount: metric("tessera_sql_statement_duration_seconds_count"), sqlSum: metric("tessera_sql_statement_duration_seconds_sum") };
}

interface Run {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  serverCpuMs: number;
  pgCpuMs: number;
  sqlPerRequest: number | null;
  sqlMsPerRequest: number | null;
}

async function load(server: Running, req: Request, expectBody: string, seconds: number, admin: pg.Pool | null): Promise<Run> {
  const prom0 = admin ? await scrapeMetrics(server) : null;
  const pg0 = admin ? await backendCpu(admin) : new Map<number, number>();
  const cpu0 = await procCpuMs(server.child.pid!);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${req.path}`,
    method: req.method,
    headers: req.headers,
    ...(req.body ? { body: req.body } : {}),
    connections: CONNECTIONS,
    duration: seconds,
    expectBody,
  });
  const cpu1 = await procCpuMs(server.child.pid!);
  const pg1 = admin ? await backendCpu(admin) : new Map<number, number>();
  const prom1 = admin ? await scrapeMetrics(server) : null;
  const bad = result.errors + result.timeouts + result.non2xx + result.mismatches;
  if (bad > 0) {
    throw new Error(`${server.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${result.mismatches} bodies unlike the verified one`);
  }
  const requests = result.requests.total;
  const elapsed = result.duration;
  return {
    requests,
    seconds: elapsed,
    rps: requests / elapsed,
    p50: result.latency.p50,
    p99: result.latency.p99,
    serverCpuMs: (cpu1 - cpu0) / requests,
    pgCpuMs: backendDelta(pg0, pg1) / requests,
    sqlPerRequest: prom0 && prom1 ? (prom1.sqlCount - prom0.sqlCount) / requests : null,
    sqlMsPerRequest: prom0 && prom1 ? ((prom1.sqlSum - prom0.sqlSum) * 1000) / requests : null,
  };
}

// ---------- report ----------

/** A run's figures, medians over the rounds, with each round's requests/s. */
interface Stats extends Omit<Run, "requests" | "seconds"> {
  perRound: number[];
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fx = (n: number | null, d = 0): string => (n === null || Number.isNaN(n) ? "–" : n.toFixed(d));

function summarise(runs: Run[]): Stats {
  const requests = runs.reduce((t, r) => t + r.requests, 0);
  const seconds = runs.reduce((t, r) => t + r.seconds, 0);
  const weighted = (f: (r: Run) => number | null): number | null => {
    if (runs.some((r) => f(r) === null)) return null;
    return runs.reduce((t, r) => t + (f(r) as number) * r.requests, 0) / requests;
  };
  return {
    rps: requests / seconds,
    // autocannon gives percentiles per run; the median over the rounds is reported.
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    serverCpuMs: weighted((r) => r.serverCpuMs) as number,
    pgCpuMs: weighted((r) => r.pgCpuMs) as number,
    sqlPerRequest: weighted((r) => r.sqlPerRequest),
    sqlMsPerRequest: weighted((r) => r.sqlMsPerRequest),
    perRound: runs.map((r) => r.rps),
  };
}

interface Ratio {
  overall: number;
  min: number;
  max: number;
}

function ratio(a: Stats, b: Stats): Ratio {
  const per = a.perRound.map((x, i) => x / b.perRound[i]);
  return { overall: a.rps / b.rps, min: Math.min(...per), max: Math.max(...per) };
}

const fr = (r: Ratio): string => `${fx(r.overall, 2)} (rounds ${fx(r.min, 2)}–${fx(r.max, 2)})`;

// ---------- main ----------

async function main(): Promise<void> {
  const servers = (process.env.BENCH_API_SERVERS?.split(",").map((s) => s.trim()) ?? ALL_SERVERS) as ServerName[];
  const workloads = (process.env.BENCH_API_WORKLOADS?.split(",").map((s) => s.trim()) ?? ALL_WORKLOADS) as WorkloadName[];
  for (const s of servers) if (!ALL_SERVERS.includes(s)) throw new Error(`unknown server '${s}' (${ALL_SERVERS.join(", ")})`);
  for (const w of workloads) if (!ALL_WORKLOADS.includes(w)) throw new Error(`unknown workload '${w}' (${ALL_WORKLOADS.join(", ")})`);

  const admin = new pg.Pool({ connectionString: benchUrl(), max: 2 });
  const tokenDir = await mkdtemp(join(os.tmpdir(), "tessera-bench-api-"));
  const running: Running[] = [];
  try {
    // The dataset of bench/run.ts, reused as it is.
    const exists = await (async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      try {
        return (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [BENCH_DB])).rowCount === 1;
      } finally {
        await c.end();
      }
    })();
    if (!exists) throw new Error(`database ${BENCH_DB} does not exist: run \`npm run bench\` once to create and seed it`);
    const deals = (await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM deals WHERE tenant_id = $1 AND deleted_at IS NULL", [TENANT_ID])).rows[0].n;
    if (deals !== EXPECTED_DEALS) throw new Error(`${BENCH_DB} holds ${deals} deals of tenant ${TENANT_ID}, expected ${EXPECTED_DEALS}: run \`BENCH_RESEED=1 npm run bench\``);
    await admin.query(`DROP INDEX IF EXISTS ${BENCH_INDEX}`);

    // A token for the admin the seed creates with a Membership in the bench tenant.
    const adminUser = DEMO_USERS.find((u) => u.role === "admin");
    if (!adminUser) throw new Error("the CRM seed has no admin demo user");
    const member = await admin.query("SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2", [adminUser.id, TENANT_ID]);
    if (member.rowCount === 0) throw new Error(`user ${adminUser.id} (${adminUser.email}) has no Membership in the bench tenant`);
    const issuer = await DevIssuer.open(tokenDir);
    const token = await issuer.issueDevToken({ sub: adminUser.id, roles: ["admin"], tenantId: TENANT_ID, expiresIn: "2h" });

    // A fixed deal for B: the smallest id among deals with both a contact and a company.
    const dealId = (
      await admin.query<{ id: string }>(
        "SELECT id FROM deals WHERE tenant_id = $1 AND deleted_at IS NULL AND contact_id IS NOT NULL AND company_id IS NOT NULL ORDER BY id LIMIT 1",
        [TENANT_ID],
      )
    ).rows[0].id;

    const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
    const cpus = os.cpus();
    const load0 = os.loadavg();
    console.log(`machine: ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, node ${process.version}, PostgreSQL ${version}`);
    console.log(`load average at start: ${load0.map((l) => l.toFixed(2)).join(" ")}`);
    console.log(`autocannon: ${CONNECTIONS} connections, ${DURATION} s per run, ${WARMUP} s warm-up, ${ROUNDS} rounds; token sub ${adminUser.id} (${adminUser.email}); B deal ${dealId}`);

    for (const [i, name] of servers.entries()) running.push(await startServer(name, PORT_BASE + i, tokenDir));
    console.log(`started ${running.map((s) => `${s.name} :${s.port} (pid ${s.child.pid})`).join(", ")}`);

    const results = new Map<WorkloadName, Map<ServerName, Stats>>();
    for (const workload of workloads) {
      if (workload === "L+idx") {
        await admin.query(`CREATE INDEX IF NOT EXISTS ${BENCH_INDEX} ON deals (tenant_id, value DESC, id)`);
        await admin.query("ANALYZE deals");
      }
      try {
        console.log(`\n== ${workload}`);
        const bodies = await verify(running, workload, dealId, token);
        const reqs = new Map(running.map((s) => [s.name, requestFor(s.name, workload, dealId, token)]));
        for (const s of running) await load(s, reqs.get(s.name)!, bodies.get(s.name)!, WARMUP, null);
        const runs = new Map<ServerName, Run[]>(running.map((s) => [s.name, []]));
        for (let round = 0; round < ROUNDS; round++) {
          const order = running.map((_, i) => running[(i + round) % running.length]);
          const line: string[] = [];
          for (const s of order) {
            const r = await load(s, reqs.get(s.name)!, bodies.get(s.name)!, DURATION, admin);
            runs.get(s.name)!.push(r);
            line.push(`${s.name} ${fx(r.rps)}/s`);
          }
          console.log(`  round ${round + 1}/${ROUNDS}: ${line.join("  ")}   (load ${os.loadavg()[0].toFixed(2)})`);
        }
        results.set(workload, new Map([...runs].map(([n, r]) => [n, summarise(r)])));
      } finally {
        if (workload === "L+idx") await admin.query(`DROP INDEX IF EXISTS ${BENCH_INDEX}`);
      }
    }

    // ---- report ----
    console.log("");
    console.log("| workload | server | req/s | p50 ms | p99 ms | server CPU ms/req | PG CPU ms/req | SQL stmts/req | SQL ms/req |");
    console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const [workload, byServer] of results) {
      for (const [name, st] of byServer) {
        console.log(`| ${workload} | ${LABEL[name]} | ${fx(st.rps)} | ${fx(st.p50, 1)} | ${fx(st.p99, 1)} | ${fx(st.serverCpuMs, 2)} | ${fx(st.pgCpuMs, 2)} | ${fx(st.sqlPerRequest, 2)} | ${fx(st.sqlMsPerRequest, 2)} |`);
      }
    }
    console.log("");
    for (const [workload, byServer] of results) {
      const p = byServer.get("P");
      const h = byServer.get("H");
      for (const t of ["Tc", "Tn", "Tb"] as const) {
        const st = byServer.get(t);
        if (!st) continue;
        const parts: string[] = [];
        if (p) {
          const r = ratio(st, p);
          parts.push(`${t}/P ${fr(r)} → ${r.overall >= 1 ? "MET" : "NOT MET"} (≥ 1)`);
        }
        if (h) {
          const r = ratio(st, h);
          parts.push(`${t}/H ${fr(r)} → ${r.overall >= 0.5 ? "MET" : "NOT MET"} (≥ 0.5)`);
        }
        console.log(`${workload}: ${parts.join("; ")}`);
      }
      if (p && h) console.log(`${workload}: P/H ${fr(ratio(p, h))}`);
    }
    console.log(`\nload average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  } finally {
    await Promise.all(running.map(stopServer));
    await admin.query(`DROP INDEX IF EXISTS ${BENCH_INDEX}`).catch(() => undefined);
    // Event consumers of the Tessera children (cache invalidation, subscriptions) leave cursor rows.
    await admin.query("DELETE FROM tessera_consumers WHERE name IN ('cache:bench-api', 'graphql-ws:bench-api-cache', 'graphql-ws:bench-api-nocache')").catch(() => undefined);
    await admin.end();
    await rm(tokenDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});

