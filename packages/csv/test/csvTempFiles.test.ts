// CSV uploads do not pile up in the temp folder: every way an upload ends (job completed, failed,
// cancelled running or queued, preview answered or refused, upload refused or cut off by the client)
// leaves no upload behind; the error report lives as long as its job; a node that crashed has its
// folder removed by the next registry that opens on that folder, while live nodes keep theirs.
// Each test counts the files in a private work folder.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Engine, systemContext, type RequestContext } from "@tessera/engine";
import { csvRoutes, ImportJobRegistry, receiveUpload, resolveMapping, suggestMapping, UploadAbortedError, type ImportJob } from "@tessera/csv";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";
import { FIXTURE_FILE } from "./fixtures/contactsFixture.ts";

const TENANT = "1f000000-0000-4000-8000-0000000000f1";
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Declares UTF-8 (byte order mark), then a byte that is not UTF-8: refused when read. */
const BAD_UTF8 = Buffer.concat([BOM, Buffer.from("First Name\nAda\n"), Buffer.from([0xff, 0x0a])]);

let crm: CrmDatabase;
let engine: Engine;
let ctx: RequestContext;
let workDir: string;
let jobs: ImportJobRegistry;
let app: FastifyInstance;

/** Every file under the work folder, as paths relative to it (folders are not counted). */
function files(root = workDir): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

const baseNames = (paths: string[]): string[] => paths.map((p) => p.slice(p.lastIndexOf("/") + 1));

async function post(url: string, body: string | Buffer, contentType = "text/csv"): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await app.inject({ method: "POST", url, headers: { "content-type": contentType }, payload: body });
  return { status: response.statusCode, body: response.body === "" ? {} : (JSON.parse(response.body) as Record<string, unknown>) };
}

/** The fixture as an upload in a folder of `registry`, submitted as a job. */
async function submitFixture(registry: ImportJobRegistry): Promise<{ job: ImportJob; dir: string }> {
  const dir = await registry.uploadDir();
  const file = join(dir, "upload.csv");
  copyFileSync(FIXTURE_FILE, file);
  const model = crm.schema.models.find((m) => m.name === "Contact")!;
  const headers = ["First Name", "Last Name", "E-mail", "Phone", "Job Title", "Lifecycle Stage", "Tags", "Source"];
  const plan = resolveMapping(crm.schema, model, headers, suggestMapping(crm.schema, model, headers));
  const job = await registry.submit({ engine, ctx, plan, upsertBy: "email", delimiter: ",", dir, file });
  return { job, dir };
}

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT]);
  engine = new Engine({ schema: crm.schema, db: crm.db, cache: false });
  const admin = await engine.model("User").create({ email: "temp-admin@csv.test", name: "Admin" }, systemContext(TENANT));
  await engine.model("Membership").create({ userId: admin.id, role: "admin" }, systemContext(TENANT));
  ctx = { tenantId: TENANT, principal: { sub: admin.id as string, roles: ["admin"], kind: "user" } };
  workDir = mkdtempSync(join(tmpdir(), "tessera-csv-temp-"));
  jobs = new ImportJobRegistry({ workDir, batchSize: 100, batchConcurrency: 1 });
  app = Fastify();
  await app.register(csvRoutes, { engine, authenticate: async () => ctx, jobs, maxUploadBytes: 500_000 });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await jobs?.close();
  await crm?.drop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("import jobs remove their upload", () => {
  it("when the job completes; the error report stays while the job is kept", async () => {
    const before = files().length;
    const answer = await post("/api/import?model=Contact&upsertBy=email", readFileSync(FIXTURE_FILE));
    expect(answer.status).toBe(202);
    const job = jobs.get(answer.body.jobId as string, ctx);
    expect((await job.whenFinished()).state).toBe("completed");
    // The job's status says "completed" only once its upload is gone: no wait needed here.
    expect(baseNames(files()).slice(before)).toEqual(["errors.csv"]);
    expect(files().length).toBe(before + 1);
    const report = await app.inject({ method: "GET", url: `/api/import/${job.id}/errors.csv` });
    expect(report.statusCode).toBe(200);
  });

  it("when the job fails (bytes that are not UTF-8 past the part the route reads)", async () => {
    const before = files();
    // The route reads the header from the first 64 KiB; the bad byte comes after them, so the job fails.
    const rows = Array.from({ length: 15_000 }, (_, i) => `Person ${i}`).join("\n");
    const body = Buffer.concat([BOM, Buffer.from(`First Name\n${rows}\n`), Buffer.from([0xff, 0x0a])]);
    const answer = await post("/api/import?model=Contact", body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const status = await jobs.get(answer.body.jobId as string, ctx).whenFinished();
    expect(status).toMatchObject({ state: "failed", failure: { code: "VALIDATION_FAILED" } });
    const added = files().filter((f) => !before.includes(f));
    expect(baseNames(added)).toEqual(["errors.csv"]);
  });

  it("when a running job is cancelled", async () => {
    const { job, dir } = await submitFixture(jobs);
    job.onProgress((status) => {
      if (status.progress.processed === 200) void jobs.cancel(job);
    });
    expect((await job.whenFinished()).state).toBe("cancelled");
    expect(readdirSync(dir)).toEqual(["errors.csv"]);
  });

  it("at once when a queued job is cancelled, without waiting for a free slot", async () => {
    const single = new ImportJobRegistry({ workDir, concurrency: 1, batchSize: 10, batchConcurrency: 1 });
    try {
      const first = await submitFixture(single);
      const second = await submitFixture(single);
      expect(readdirSync(second.dir).sort()).toEqual(["errors.csv", "upload.csv"]);
      const state = second.job.status().state;
      const cancelled = single.cancel(second.job); // in the same tick as the check: still queued
      expect(state).toBe("queued");
      expect((await cancelled).state).toBe("cancelled");
      expect(readdirSync(second.dir)).toEqual(["errors.csv"]);
      // The first job (100 batches of 10 rows) still holds the only slot: the upload did not wait for it.
      expect(first.job.status().state).toBe("running");
      first.job.cancel();
      await first.job.whenFinished();
      expect(readdirSync(first.dir)).toEqual(["errors.csv"]);
    } finally {
      await single.close();
    }
  });

  it("deletes the error report, and forgets the job, when the job expires", async () => {
    const brief = new ImportJobRegistry({ workDir, retentionMs: 1 });
    try {
      const { job, dir } = await submitFixture(brief);
      await job.whenFinished();
      expect(() => brief.get(job.id, ctx)).not.toThrow();
      await vi.waitFor(() => expect(existsSync(dir)).toBe(false), { timeout: 30_000, interval: 10 });
      expect(() => brief.get(job.id, ctx)).toThrow(/was not found/);
    } finally {
      await brief.close();
    }
  });

  it("and close removes the registry's folder with every job's files", async () => {
    const closing = new ImportJobRegistry({ workDir });
    const folder = await closing.open();
    const { job } = await submitFixture(closing);
    await job.whenFinished();
    expect(files(folder).length).toBe(1);
    await closing.close();
    expect(existsSync(folder)).toBe(false);
  });
});

describe("uploads that do not become a job leave nothing", () => {
  it("a preview, answered or refused", async () => {
    const before = files();
    const ok = await post("/api/import/preview?model=Contact", "First Name,E-mail\nAda,ada@preview.test\n");
    expect(ok.status).toBe(200);
    const badEncoding = await post("/api/import/preview?model=Contact", BAD_UTF8);
    expect([badEncoding.status, (badEncoding.body.error as { message: string }).message]).toEqual([400, expect.stringMatching(/not valid UTF-8/)]);
    const empty = await post("/api/import/preview?model=Contact", "\n");
    expect(empty.status).toBe(400);
    expect(files()).toEqual(before);
  });

  it("an import refused: too large (413), not CSV (415), bad encoding, unreadable header, no mapped column", async () => {
    const before = files();
    const big = `First Name\n${"x".repeat(600_000)}\n`;
    const declared = await post("/api/import?model=Contact", big);
    const streamed = await app.inject({
      method: "POST",
      url: "/api/import?model=Contact",
      headers: { "content-type": "text/csv", "transfer-encoding": "chunked" },
      payload: Readable.from([big.slice(0, 300_000), big.slice(300_000)]),
    });
    const xml = await post("/api/import?model=Contact", "<a/>", "application/xml");
    const encoding = await post("/api/import?model=Contact", BAD_UTF8);
    const header = await post("/api/import?model=Contact", '"First Name,E-mail\nAda,ada@x.test\n');
    const unmapped = await post("/api/import?model=Contact", "colour,size\nred,L\n");
    expect([declared.status, streamed.statusCode, xml.status, encoding.status, header.status, unmapped.status]).toEqual([413, 413, 415, 400, 400, 400]);
    expect(files()).toEqual(before);
  });

  it("an upload the client cuts off mid-way", async () => {
    const before = files();
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = new URL(address);
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write(`POST /api/import?model=Contact HTTP/1.1\r\nhost: localhost\r\ncontent-type: text/csv\r\ncontent-length: 150000\r\n\r\n`);
    socket.write(`First Name\n${"y".repeat(60_000)}`);
    // The upload is being written: its file exists.
    await vi.waitFor(() => expect(files().length).toBe(before.length + 1), { timeout: 30_000, interval: 10 });
    expect(baseNames(files().filter((f) => !before.includes(f)))).toEqual(["upload.csv"]);
    socket.destroy();
    await vi.waitFor(() => expect(files()).toEqual(before), { timeout: 30_000, interval: 10 });
  });

  it("a body that closes without ending, even before it is read, rejects instead of waiting forever", async () => {
    const dir = mkdtempSync(join(workDir, "receive-"));
    try {
      // Cut mid-way without an 'error' event: only 'close'.
      const cut = new Readable({ read() {} });
      cut.push("First Name\nAda\n");
      const receiving = receiveUpload(cut, join(dir, "a.csv"), 1_000);
      setImmediate(() => cut.destroy());
      await expect(receiving).rejects.toBeInstanceOf(UploadAbortedError);
      // Already gone when the route got to it (the client left while it was authenticating).
      const gone = new Readable({ read() {} });
      gone.destroy();
      await new Promise((resolve) => gone.once("close", resolve));
      await expect(receiveUpload(gone, join(dir, "b.csv"), 1_000)).rejects.toBeInstanceOf(UploadAbortedError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a node that crashed", () => {
  const script = fileURLToPath(new URL("./fixtures/importNode.ts", import.meta.url));
  const root = fileURLToPath(new URL("../../..", import.meta.url));

  /** Starts a node in a child process; resolves once its upload is on disk. */
  async function startNode(dir: string): Promise<{ kill: () => Promise<void>; uploadDir: string }> {
    const child = spawn(process.execPath, ["--import", "tsx", script, dir], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const uploadDir = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(out.trim());
      });
      child.once("exit", (code) => reject(new Error(`the node exited (${code}) before its upload was written`)));
    });
    return {
      uploadDir,
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
      },
    };
  }

  it("has its uploads removed by the next registry opening on the folder; live nodes keep theirs", async () => {
    const shared = mkdtempSync(join(tmpdir(), "tessera-csv-nodes-"));
    const registries: ImportJobRegistry[] = [];
    let other: Awaited<ReturnType<typeof startNode>> | undefined;
    const open = async (): Promise<ImportJobRegistry> => {
      const registry = new ImportJobRegistry({ workDir: shared });
      registries.push(registry);
      await registry.open();
      return registry;
    };
    try {
      // This process's live node, mid-upload.
      const here = await open();
      const hereUpload = await here.uploadDir();
      copyFileSync(FIXTURE_FILE, join(hereUpload, "upload.csv"));
      // Another node on this machine, alive.
      other = await startNode(shared);
      expect(files(shared).length).toBe(2);

      // A node starting while both run removes nothing.
      await open();
      expect(files(shared).length).toBe(2);
      expect(existsSync(other.uploadDir)).toBe(true);

      // The other node dies without cleaning up (kill -9); the next node to start removes its folder, and only it.
      await other.kill();
      expect(files(shared).length).toBe(2);
      await open();
      expect(existsSync(other.uploadDir)).toBe(false);
      expect(files(shared)).toEqual([relative(shared, join(hereUpload, "upload.csv"))]);
      // Live registries each still have their own folder: three of them.
      expect(readdirSync(shared)).toHaveLength(3);

      // A folder with this process's own pid that no registry here opened: a previous life of a node
      // that had the same pid (a container restarted is pid 1 again). Named as uploadFolders.ts names them.
      const previousLife = join(shared, `tessera-imports-${hostname().replace(/[^A-Za-z0-9-]/g, "_")}.${process.pid}.Ab12Cd`);
      mkdirSync(join(previousLife, "upload-x"), { recursive: true });
      writeFileSync(join(previousLife, "upload-x", "upload.csv"), "First Name\nAda\n");
      // A folder of another host sharing the volume: its pids mean nothing here, so it is kept.
      const otherHost = join(shared, `tessera-imports-elsewhere.${process.pid}.Ab12Cd`);
      mkdirSync(otherHost);
      await open();
      expect([existsSync(previousLife), existsSync(otherHost)]).toEqual([false, true]);
      rmSync(otherHost, { recursive: true });
    } finally {
      await other?.kill();
      for (const registry of registries) await registry.close();
      expect(readdirSync(shared)).toEqual([]);
      rmSync(shared, { recursive: true, force: true });
    }
  });
});
