// `npm run bench:import`: CSV import of generated contacts on the PostgreSQL server through the full
// write path — HTTP upload, job, parse, mapping, coercion, validation, authorisation, tenant, RLS, one
// event per row — against a raw `COPY` of the same file into the same table, in the same run.
//
//   COPY₁   psql's `\copy contacts … FROM file` (COPY … FROM STDIN, CSV) for tenant B: owner role, no
//           checks, no events; psql must be on the PATH
//   IMPORT  POST /api/import?model=Contact as an admin of tenant A, then poll the job until it completes
//   COPY₂   the same COPY again for tenant C (the table is now larger, as it was for the import)
//
// The ratio is IMPORT rows/s over the mean of COPY₁ and COPY₂. Environment knobs:
//   DATABASE_URL         admin URL (default postgres://postgres@127.0.0.1:5432/postgres); the bench
//                        creates a scratch database next to it and drops it afterwards
//   BENCH_IMPORT_ROWS    contacts in the file (default 100000)
//   BENCH_IMPORT_KEEP=1  keep the scratch database (its name is printed)
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { applyMigrations, openPostgres } from "@tessera/db";
import { Engine, systemContext } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import type { ImportJobStatus } from "@tessera/csv";
import { schema as crmSchema } from "@tessera/crm";

const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const TARGET_ROWS_PER_SECOND = 20_000;
const TENANTS = {
  import: "00000000-0000-4000-8000-0000000001a1",
  copy1: "00000000-0000-4000-8000-0000000001b1",
  copy2: "00000000-0000-4000-8000-0000000001c1",
};
const COLUMNS = ["first_name", "last_name", "email", "phone", "job_title", "lifecycle_stage", "source"];

/** The file: snake_case headers (which the import maps by itself) and values COPY accepts as they are. */
function generateCsv(rows: number): string {
  const first = ["José", "Zoë", "Ana", "Bruno", "Chloé", "Dmitri", "Eva", "François", "Grace", "Hiroshi"];
  const last = ["García", "Ångström", "Okafor", "Müller", "Nakamura", "Silva", "Dubois", "O'Brien", "Rossi", "Haddad"];
  const titles = ["Buyer", "CTO", "Head of Sales", "\"Procurement, EMEA\"", ""];
  const stages = ["lead", "subscriber", "opportunity", "customer", "evangelist"];
  const lines = [COLUMNS.join(",")];
  for (let i = 0; i < rows; i++) {
    const f = first[i % first.length];
    const l = last[(i * 7) % last.length];
    lines.push([f, l, `contact.${i}@bench.example`, i % 3 === 0 ? "" : `+44 20 7946 ${String(i % 10_000).padStart(4, "0")}`, titles[i % titles.length], stages[i % stages.length], "bench"].join(","));
  }
  return `${lines.join("\n")}\n`;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** user+system CPU ms of a process (Linux /proc), 0 when unreadable. */
async function procCpuMs(pid: number): Promise<number> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU ms of every backend connected to `database` (the bench runs on the same machine as PostgreSQL). */
async function backendsCpuMs(monitor: pg.Client, database: string): Promise<Map<number, number>> {
  const { rows } = await monitor.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
  const out = new Map<number, number>();
  for (const { pid } of rows) out.set(pid, await procCpuMs(pid));
  return out;
}

interface Measured {
  seconds: number;
  nodeCpuMs: number;
  pgCpuMs: number;
}

async function measure(monitor: pg.Client, database: string, work: () => Promise<void>): Promise<Measured> {
  const pgBefore = await backendsCpuMs(monitor, database);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const pgAfter = await backendsCpuMs(monitor, database);
  let pgCpuMs = 0;
  for (const [pid, ms] of pgAfter) pgCpuMs += ms - (pgBefore.get(pid) ?? 0);
  return { seconds, nodeCpuMs: (cpu.user + cpu.system) / 1000, pgCpuMs };
}

/**
 * `\copy` through psql (COPY … FROM STDIN, as any client sends it), in one session that also prints its
 * backend's /proc stat before and after (psql's `\!` runs on this machine, where PostgreSQL runs).
 * tenant_id is not in the file: its column default reads the session's tenant setting. Returns the
 * backend's CPU ms for the COPY.
 */
async function copyInto(url: string, file: string, tenantId: string, dir: string): Promise<number> {
  const script = join(dir, "copy.sql");
  const lines = [
    "SELECT pg_backend_pid() AS pid \\gset",
    "\\setenv BACKEND_PID :pid",
    "\\! cat /proc/$BACKEND_PID/stat",
    `SET app.tenant_id = '${tenantId}';`,
    `\\copy contacts (${COLUMNS.join(", ")}) FROM '${file}' WITH (FORMAT csv, HEADER true)`,
    "\\! cat /proc/$BACKEND_PID/stat",
  ];
  await writeFile(script, `${lines.join("\n")}\n`);
  const { stdout } = await promisify(execFile)("psql", [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script]);
  const [before, after] = stdout
    .trim()
    .split("\n")
    .map((line) => {
      const fields = line.split(") ")[1].split(" ");
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    });
  return after - before;
}

async function main(): Promise<void> {
  const database = `tessera_bench_import_${randomBytes(4).toString("hex")}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const dir = await mkdtemp(join(os.tmpdir(), "tessera-bench-import-"));
  const file = join(dir, "contacts.csv");
  await writeFile(file, generateCsv(ROWS));
  const bytes = (await stat(file)).size;
  console.log(`${ROWS} contacts, ${(bytes / 1_048_576).toFixed(1)} MiB CSV; scratch database ${database}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, load average ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}, Node ${process.version}`);

  await adminQuery(`CREATE DATABASE ${database}`);
  const db = await openPostgres({ connectionString: url.toString(), maxConnections: 4 });
  const monitor = new pg.Client({ connectionString: ADMIN_URL });
  await monitor.connect();
  const stateDir = await mkdtemp(join(os.tmpdir(), "tessera-bench-import-state-"));
  let server: Awaited<ReturnType<typeof createApiServer>> | undefined;
  try {
    await applyMigrations({ db, dir: "apps/crm/migrations" });
    const engine = new Engine({ schema: crmSchema.ir, db, cache: false });
    for (const [name, id] of Object.entries(TENANTS)) await engine.tenants.ensure({ id, name });
    const admin = await engine.model("User").create({ email: "admin@bench.example", name: "Bench Admin" }, systemContext(null));
    await engine.model("Membership").create({ userId: admin.id, role: "admin" }, systemContext(TENANTS.import));
    server = await createApiServer({ engine, ir: crmSchema.ir, appName: "bench", dataDir: stateDir, logger: false });
    await server.app.listen({ port: 0, host: "127.0.0.1" });
    const address = server.app.server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const token = await server.devIssuer!.issueDevToken({ sub: admin.id as string, roles: ["admin"], tenantId: TENANTS.import });
    const body = await readFile(file);

    let copyCpuMs = 0;
    const copy1 = await measure(monitor, database, async () => {
      copyCpuMs += await copyInto(url.toString(), file, TENANTS.copy1, dir);
    });
    console.log(`COPY₁   ${(ROWS / copy1.seconds).toFixed(0).padStart(7)} rows/s  (${copy1.seconds.toFixed(2)} s)`);

    let status: ImportJobStatus | undefined;
    const imported = await measure(monitor, database, async () => {
      const response = await fetch(`${base}/api/import?model=Contact`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" }, body });
      const accepted = (await response.json()) as { jobId?: string; error?: unknown };
      if (response.status !== 202 || !accepted.jobId) throw new Error(`import refused: ${response.status} ${JSON.stringify(accepted)}`);
      for (;;) {
        status = (await (await fetch(`${base}/api/import/${accepted.jobId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as ImportJobStatus;
        if (status.state !== "queued" && status.state !== "running") break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    if (status?.state !== "completed" || status.progress.created !== ROWS) throw new Error(`the import did not create every row: ${JSON.stringify(status)}`);
    console.log(`IMPORT  ${(ROWS / imported.seconds).toFixed(0).padStart(7)} rows/s  (${imported.seconds.toFixed(2)} s; mapping ${JSON.stringify(status.mapping)})`);

    const copy2 = await measure(monitor, database, async () => {
      copyCpuMs += await copyInto(url.toString(), file, TENANTS.copy2, dir);
    });
    console.log(`COPY₂   ${(ROWS / copy2.seconds).toFixed(0).padStart(7)} rows/s  (${copy2.seconds.toFixed(2)} s)`);

    const { rows } = await db.query<{ contacts: string; events: string }>(
      "SELECT (SELECT count(*) FROM contacts WHERE tenant_id = $1) AS contacts, (SELECT count(*) FROM tessera_events WHERE tenant_id = $1 AND model = 'Contact' AND type = 'Created') AS events",
      [TENANTS.import],
    );
    if (Number(rows[0].contacts) !== ROWS || Number(rows[0].events) !== ROWS) throw new Error(`expected ${ROWS} contacts and events, found ${JSON.stringify(rows[0])}`);

    const copyRate = (2 * ROWS) / (copy1.seconds + copy2.seconds);
    const importRate = ROWS / imported.seconds;
    const importPgPerRow = (imported.pgCpuMs * 1000) / ROWS;
    const copyPgPerRow = (copyCpuMs * 1000) / (2 * ROWS);
    console.log("");
    console.log(`import through the full write path: ${importRate.toFixed(0)} rows/s (${ROWS} contacts and ${rows[0].events} events written)`);
    console.log(`raw COPY of the same file:          ${copyRate.toFixed(0)} rows/s (mean of two)`);
    console.log(`ratio import / COPY:                ${(importRate / copyRate).toFixed(2)}`);
    console.log(`CPU per row: import Node ${((imported.nodeCpuMs * 1000) / ROWS).toFixed(1)} µs + PostgreSQL ${importPgPerRow.toFixed(1)} µs; COPY PostgreSQL ${copyPgPerRow.toFixed(1)} µs`);
    console.log(`PostgreSQL CPU per row, import / COPY: ${(importPgPerRow / copyPgPerRow).toFixed(2)}`);
    console.log(`target ${TARGET_ROWS_PER_SECOND} rows/s: ${importRate >= TARGET_ROWS_PER_SECOND ? "met" : "NOT met"}`);
  } finally {
    await server?.app.close();
    await db.close();
    await monitor.end();
    await rm(dir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
    if (process.env.BENCH_IMPORT_KEEP === "1") console.log(`kept ${database}`);
    else await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

await main();
