// CSV files as spreadsheets save them: UTF-8 with or without a byte order mark, UTF-16 ("Unicode
// text") with or without one, windows-1252 (Excel's plain "CSV" on Windows), and CR-only line ends
// (classic Mac). Each is decoded, or refused with a message, never stored as U+FFFD or imported as
// "completed, 0 rows". Byte fixtures are built here with Buffer encodings.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { Engine, EngineError, systemContext, type RequestContext } from "@tessera/engine";
import { countCsvRows, csvRoutes, detectCsvEncoding, parseCsvStream, type CsvEncoding, type CsvRow, type ImportJobStatus, type ImportPreview } from "@tessera/csv";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TEXT = "First Name;Last Name;Notes\r\nJosé;Müller;“quoted” – 5 €\r\nZoë;Ångström;naïve\r\n";
const ROWS = [
  ["First Name", "Last Name", "Notes"],
  ["José", "Müller", "“quoted” – 5 €"],
  ["Zoë", "Ångström", "naïve"],
];

function utf16be(text: string): Buffer {
  const bytes = Buffer.from(text, "utf16le");
  for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1], bytes[i]];
  return bytes;
}

/** windows-1252 bytes: latin1 for U+0000–U+00FF plus the 0x80–0x9F punctuation Excel writes. */
function windows1252(text: string): Buffer {
  const extra: Record<string, number> = { "€": 0x80, "“": 0x93, "”": 0x94, "–": 0x96 };
  return Buffer.from([...text].map((c) => extra[c] ?? c.charCodeAt(0)));
}

const FILES: [name: string, bytes: Buffer, encoding: CsvEncoding][] = [
  ["UTF-8", Buffer.from(TEXT, "utf8"), "utf-8"],
  ["UTF-8 with a byte order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, "utf8")]), "utf-8"],
  ["UTF-16LE with a byte order mark", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, "utf16le")]), "utf-16le"],
  ["UTF-16LE without one", Buffer.from(TEXT, "utf16le"), "utf-16le"],
  ["UTF-16BE with a byte order mark", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(TEXT)]), "utf-16be"],
  ["UTF-16BE without one", utf16be(TEXT), "utf-16be"],
  ["windows-1252", windows1252(TEXT), "windows-1252"],
];

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(bytes: Buffer, size: number, encoding?: CsvEncoding): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of parseCsvStream(chunks(bytes, size), encoding ? { encoding } : {})) rows.push(row);
  return rows;
}

describe("detectCsvEncoding and parseCsvStream", () => {
  it.each(FILES)("%s is detected and decoded, whatever the chunk size", async (_name, bytes, encoding) => {
    for (const size of [1, 3, 4096, 1 << 20]) {
      expect(await detectCsvEncoding(chunks(bytes, size))).toBe(encoding);
      const rows = await parse(bytes, size, encoding);
      expect(rows.map((r) => r.cells)).toEqual(ROWS);
      expect(rows.flatMap((r) => r.cells).join("")).not.toMatch(/[\ufffd\u0000]/);
    }
  });

  it("finds a byte that is not UTF-8 in the last row of a long file (and reads it as windows-1252)", async () => {
    const bytes = Buffer.concat([Buffer.from(`a,b\n${"plain,ascii\n".repeat(2000)}`), Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x2c, 0x80, 0x0a])]);
    expect(await detectCsvEncoding(chunks(bytes, 4096))).toBe("windows-1252");
    const rows = await parse(bytes, 4096, "windows-1252");
    expect(rows.at(-1)?.cells).toEqual(["Café", "€"]);
  });

  it("without a detected encoding, refuses bytes that are not UTF-8 instead of storing U+FFFD", async () => {
    const error = await parse(windows1252(TEXT), 64).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe("VALIDATION_FAILED");
    expect((error as EngineError).message).toMatch(/not valid UTF-8 .*save it as "CSV UTF-8"/);
    // But UTF-16 is recognised without being told.
    expect((await parse(Buffer.from(TEXT, "utf16le"), 5)).map((r) => r.cells)).toEqual(ROWS);
  });

  it("reads CR-only line ends (classic Mac) as line breaks, inside quotes too, and counts their rows", async () => {
    const text = 'name,notes\r"Zoë","line one\rline two"\rJosé,plain\r';
    for (const size of [1, 2, 7, 1024]) {
      const rows = await parse(Buffer.from(text, "utf8"), size);
      expect(rows.map((r) => r.cells)).toEqual([["name", "notes"], ["Zoë", "line one\nline two"], ["José", "plain"]]);
      expect(await countCsvRows(chunks(Buffer.from(text, "utf8"), size))).toBe(2);
    }
    // A lone CR at the very end of a one-line file is its line end, not the start of CRLF.
    expect((await parse(Buffer.from("a;b\r"), 1)).map((r) => r.cells)).toEqual([["a", "b"]]);
    // CRLF files keep working, with a CR/LF pair split between chunks.
    expect((await parse(Buffer.from("a,b\r\n1,2\r\n"), 3)).map((r) => r.cells)).toEqual([["a", "b"], ["1", "2"]]);
  });
});

describe("import API: the encoding is detected and reported", () => {
  const TENANT = "0f000000-0000-4000-8000-0000000000f1";
  let crm: CrmDatabase;
  let engine: Engine;
  let app: FastifyInstance;
  let ctx: RequestContext;

  beforeAll(async () => {
    crm = await openCrmDatabase([TENANT]);
    engine = new Engine({ schema: crm.schema, db: crm.db, cache: false });
    const admin = await engine.model("User").create({ email: "enc-admin@csv.test", name: "Admin" }, systemContext(TENANT));
    await engine.model("Membership").create({ userId: admin.id, role: "admin" }, systemContext(TENANT));
    ctx = { tenantId: TENANT, principal: { sub: admin.id as string, roles: ["admin"], kind: "user" } };
    app = Fastify();
    await app.register(csvRoutes, { engine, authenticate: async () => ctx });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await crm?.drop();
  });

  async function post(url: string, body: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await app.inject({ method: "POST", url, headers: { "content-type": "text/csv" }, payload: body });
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
  }

  async function finished(jobId: string): Promise<ImportJobStatus> {
    for (;;) {
      const status = JSON.parse((await app.inject({ method: "GET", url: `/api/import/${jobId}` })).body) as ImportJobStatus;
      if (["completed", "failed", "cancelled"].includes(status.state)) return status;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  const csv = (suffix: string): string => `First Name,Last Name,E-mail\r\nJosé,Müller,jose.${suffix}@enc.test\r\nZoë,Ångström,zoe.${suffix}@enc.test\r\n`;

  it.each([
    ["windows-1252", (t: string) => windows1252(t), "windows-1252"],
    ["UTF-16LE without a byte order mark", (t: string) => Buffer.from(t, "utf16le"), "utf-16le"],
    ["UTF-16BE with a byte order mark", (t: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(t)]), "utf-16be"],
    ["CR-only UTF-8", (t: string) => Buffer.from(t.replace(/\r\n/g, "\r"), "utf8"), "utf-8"],
  ] as const)("%s: the preview and the job say which encoding was read, and the names arrive intact", async (_name, encode, encoding) => {
    const suffix = encoding + _name.length;
    const preview = await post("/api/import/preview?model=Contact", encode(csv(suffix)));
    expect(preview.status).toBe(200);
    const shown = preview.body as unknown as ImportPreview;
    expect([shown.encoding, shown.delimiter, shown.headers, shown.rowCount]).toEqual([encoding, ",", ["First Name", "Last Name", "E-mail"], 2]);
    expect(shown.sampleRows.map((r) => r.values?.firstName)).toEqual(["José", "Zoë"]);

    const started = await post("/api/import?model=Contact", encode(csv(suffix)));
    expect(started.status).toBe(202);
    const status = await finished(started.body.jobId as string);
    expect([status.state, status.encoding, status.progress.created, status.progress.rejected]).toEqual(["completed", encoding, 2, 0]);
    const stored = await engine.model("Contact").findMany({ where: { email_in: [`jose.${suffix}@enc.test`, `zoe.${suffix}@enc.test`] }, orderBy: ["email_ASC"], first: 5 }, ctx);
    expect(stored.nodes.map((n) => [n.firstName, n.lastName])).toEqual([
      ["José", "Müller"],
      ["Zoë", "Ångström"],
    ]);
  });

  it("a UTF-8 file (byte order mark) with a broken byte is VALIDATION_FAILED, not INTERNAL: at once, or as the job's failure", async () => {
    const broken = Buffer.from([0x41, 0xff, 0x2c, 0x42, 0x2c, 0x63, 0x40, 0x64, 0x2e, 0x74, 0x0d, 0x0a]);
    const small = await post("/api/import?model=Contact", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv("broken")), broken]));
    expect(small.status).toBe(400);
    expect(small.body.error).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringMatching(/not valid UTF-8/) });
    // Past the part read before the job starts, the job itself fails with the same error.
    const rows = Array.from({ length: 3000 }, (_, i) => `Row,${i},row${i}@broken.test\r\n`).join("");
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv("broken") + rows), broken]);
    const started = await post("/api/import?model=Contact", bytes);
    expect(started.status).toBe(202);
    const status = await finished(started.body.jobId as string);
    expect(status.state).toBe("failed");
    expect(status.failure?.code).toBe("VALIDATION_FAILED");
    expect(status.failure?.message).toMatch(/not valid UTF-8/);
  });

  it("rows with values PostgreSQL refuses are rejected one by one with the field and a reason; the others are imported", async () => {
    const rows = [
      "Type,Title,Occurred At,Duration Minutes",
      "call,Fine,2024-05-01T10:00:00+02:00,30",
      "call,Year zero,0000-01-01,30",
      "call,Odd offset,2024-05-01T10:00:00+99:99,30",
      "call,Too long,2024-05-01,2147483648",
      "call,Nul\u0000byte,2024-05-01,1",
    ];
    const started = await post("/api/import?model=Activity", Buffer.from(rows.join("\r\n") + "\r\n"));
    expect(started.status).toBe(202);
    const status = await finished(started.body.jobId as string);
    expect([status.state, status.progress.created, status.progress.rejected]).toEqual(["completed", 1, 4]);
    expect(status.errors.map((e) => [e.row, e.field])).toEqual([
      [3, "occurredAt"],
      [4, "occurredAt"],
      [5, "durationMinutes"],
      [6, "title"],
    ]);
    expect(status.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/years 0001 to 9999/),
      expect.stringMatching(/offsets must be between -15:59 and \+15:59/),
      expect.stringMatching(/whole number between/),
      expect.stringMatching(/NUL characters/),
    ]);
  });

  it("importing the global User model as a tenant admin is FORBIDDEN with a message, before the upload is read", async () => {
    const answer = await post("/api/import?model=User", Buffer.from("Name,Email\r\nMallory,mallory@enc.test\r\n"));
    expect(answer.status).toBe(403);
    const error = answer.body.error as { code: string; message: string };
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toMatch(/User/);
    expect(await engine.model("User").findMany({ where: { email: "mallory@enc.test" }, first: 1 }, systemContext(TENANT))).toMatchObject({ nodes: [] });
  });
});
