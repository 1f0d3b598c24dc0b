// The migration planner and runner against the real CRM schema, on the driver under test
// (PGlite by default, the PostgreSQL server when DATABASE_URL is set).
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "@tessera/crm";
import { belongsTo, defineEnum, defineSchema, f, model, snakeCase, pluralize, type SchemaIR } from "@tessera/schema";
import {
  applyMigrations,
  checkMigrations,
  generateMigration,
  migrate,
  planMigration,
  readCatalog,
  splitSql,
  type Database,
} from "@tessera/db";
import pg from "pg";
import { createTestDatabase, serverUrl, type TestDatabase } from "../../../test/support/testDatabase.ts";

const TENANT_A = "00000000-0000-4000-8000-00000000000a";
const TENANT_B = "00000000-0000-4000-8000-00000000000b";
const LAST_NAME_REQUIRED = `ALTER TABLE "contacts" ALTER COLUMN "last_name" SET NOT NULL;`;

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-migrations-"));
  dirs.push(dir);
  return dir;
}

const open: TestDatabase[] = [];
async function freshDb(): Promise<Database> {
  const test = await createTestDatabase();
  open.push(test);
  return test.db;
}

/** The CRM IR with Contact.lastName made required: the one-field change tests expect. */
function lastNameRequired(): SchemaIR {
  const ir = structuredClone(schema.ir);
  const field = ir.models.find((m) => m.name === "Contact")!.fields.find((f) => f.name === "lastName")!;
  field.required = true;
  return ir;
}

async function plan(db: Database, ir: SchemaIR = schema.ir, allowDrop = false): Promise<{ statements: string[]; warnings: string[] }> {
  return planMigration(ir, await readCatalog(db), { allowDrop });
}

async function applyPlan(db: Database, ir: SchemaIR): Promise<void> {
  const { statements } = await plan(db, ir);
  await db.transaction(async (tx) => {
    for (const s of statements) await tx.query(s);
  }, { role: false });
}

/**
 * Closes the pool and waits until its backends are gone before dropping the database. Dropping
 * WITH (FORCE) right after pool.end() can kill a backend that is still closing; the pool then
 * emits an unhandled 'error' (the driver attaches no pool error listener), failing the run.
 */
async function dropTestDatabase(test: TestDatabase): Promise<void> {
  if (!test.url || !serverUrl) return test.drop();
  await test.db.close();
  const name = new URL(test.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const left = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
      if (left.rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

afterAll(async () => {
  for (const test of open) await dropTestDatabase(test);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("CRM migrations", () => {
  let db: Database;
  let dir: string;

  beforeAll(async () => {
    db = await freshDb();
    dir = await tempDir();
    const result = await migrate({ db, ir: schema.ir, dir });
    expect(result.written).toBe(join(dir, "0001_init.sql"));
    expect(result.applied).toEqual(["0001_init"]);
  });

  it("leaves nothing to plan once applied", async () => {
    expect(await plan(db)).toEqual({ statements: [], warnings: [] });
    const again = await migrate({ db, ir: schema.ir, dir });
    expect(again.written).toBeUndefined();
    expect(again.applied).toEqual([]);
    expect(await readdir(dir)).toEqual(["0001_init.sql"]);
  });

  it("records applied files with their checksum", async () => {
    const rows = await db.query<{ id: string; checksum: string }>("SELECT id, checksum FROM tessera_migrations");
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].id).toBe("0001_init");
    expect(rows.rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("creates PostgreSQL enum types, never enum tables", async () => {
    const catalog = await readCatalog(db);
    for (const en of schema.ir.enums) {
      expect(catalog.enums.find((e) => e.name === en.name)?.values).toEqual(en.values);
    }
    const tables = new Set(catalog.tables.map((t) => t.name.toLowerCase()));
    for (const en of schema.ir.enums) {
      for (const name of [en.name, snakeCase(en.name), snakeCase(pluralize(en.name))]) expect(tables.has(name.toLowerCase())).toBe(false);
    }
    const stage = catalog.tables.find((t) => t.name === "deals")!.columns.find((c) => c.name === "stage")!;
    expect(stage).toMatchObject({ type: '"DealStage"', notNull: true });
  });

  it("makes every array column NOT NULL DEFAULT '{}'", async () => {
    const catalog = await readCatalog(db);
    const arrays = catalog.tables.flatMap((t) => t.columns.filter((c) => c.type.endsWith("[]")).map((c) => ({ table: t.name, ...c })));
    const declared = schema.ir.models.flatMap((m) => m.fields.filter((f) => f.type === "array"));
    const modelTables = new Set(schema.ir.models.map((m) => m.tableName));
    expect(arrays.filter((c) => modelTables.has(c.table)).length).toBe(declared.length);
    // System tables' arrays (API key roles and permissions) follow the same rule.
    for (const column of arrays) {
      expect(column.notNull, `${column.table}.${column.name}`).toBe(true);
      expect(column.default, `${column.table}.${column.name}`).toMatch(/^'\{\}'::/);
    }
  });

  it("indexes every foreign key column", async () => {
    const fks = await db.query<{ conname: string }>(`SELECT conname FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`);
    expect(fks.rows.length).toBeGreaterThan(20);
    const unindexed = await db.query<{ conname: string }>(`
      SELECT c.conname FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])`);
    expect(unindexed.rows).toEqual([]);
  });

  it("creates foreign keys with the declared ON DELETE and the conventional names", async () => {
    const catalog = await readCatalog(db);
    expect(catalog.foreignKeys.find((k) => k.name === "deals_contact_id_fkey")).toMatchObject({ table: "deals", columns: ["contact_id"], refTable: "contacts", onDelete: "restrict" });
    expect(catalog.foreignKeys.find((k) => k.name === "activities_deal_id_fkey")).toMatchObject({ onDelete: "cascade" });
    expect(catalog.foreignKeys.find((k) => k.name === "contacts_company_id_fkey")).toMatchObject({ onDelete: "set null" });
    // The manyToMany join table exists once, with cascading keys to both sides.
    const join = catalog.tables.find((t) => t.name === "contact_tags")!;
    expect(join.columns.map((c) => c.name)).toEqual(["contact_id", "tag_id", "tenant_id", "created_at"]);
    expect(catalog.foreignKeys.filter((k) => k.table === "contact_tags").map((k) => [k.columns[0], k.refTable, k.onDelete])).toEqual([
      ["contact_id", "contacts", "cascade"],
      ["tag_id", "tags", "cascade"],
    ]);
  });

  it("creates unique (per tenant, live rows only) and search indexes", async () => {
    const catalog = await readCatalog(db);
    const def = (name: string): string => catalog.indexes.find((i) => i.name === name)?.definition ?? "";
    expect(def("contacts_email_key")).toMatch(/UNIQUE INDEX .*\(tenant_id, email\) WHERE \(deleted_at IS NULL\)/);
    expect(def("users_email_key")).toMatch(/UNIQUE INDEX .*\(email\) WHERE/);
    expect(def("contacts_first_name_search_idx")).toMatch(/USING gin \(.*tessera_unaccent\(lower\(first_name\)\) gin_trgm_ops\)/);
    expect(def("deals_stage_position_idx")).toMatch(/\(stage, "?position"?\)/);
  });

  it("sets up RLS on tenant-scoped tables only, not forced, with grants", async () => {
    const catalog = await readCatalog(db);
    const table = (name: string) => catalog.tables.find((t) => t.name === name)!;
    expect(table("contacts")).toMatchObject({ rlsEnabled: true, rlsForced: false });
    expect(table("users")).toMatchObject({ rlsEnabled: false });
    expect(table("tessera_events")).toMatchObject({ rlsEnabled: true });
    expect(table("contacts").grants.tessera_app).toEqual(["DELETE", "INSERT", "SELECT", "UPDATE"]);
    expect(table("tessera_events").grants.tessera_app).toEqual(["INSERT", "SELECT"]);
    expect(catalog.policies.filter((p) => p.table === "contacts").map((p) => p.name)).toEqual(["tessera_tenant_isolation"]);
  });

  it("hides one tenant's rows from another under the app role", async () => {
    await db.transaction((tx) => tx.query(`INSERT INTO contacts (first_name) VALUES ('Ann')`), { tenantId: TENANT_A });
    const count = (tenantId: string) =>
      db.transaction(async (tx) => (await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM contacts")).rows[0].n, { tenantId });
    expect(await count(TENANT_A)).toBe(1);
    expect(await count(TENANT_B)).toBe(0);
    // Writing a row into another tenant fails the policy's WITH CHECK.
    await expect(
      db.transaction((tx) => tx.query(`INSERT INTO contacts (first_name, tenant_id) VALUES ('Eve', $1)`, [TENANT_B]), { tenantId: TENANT_A }),
    ).rejects.toThrow(/row-level security/);
    // The owner (system path) sees everything.
    const all = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM contacts");
    expect(all.rows[0].n).toBe(1);
  });

  it("scopes the event log: tenant events to their tenant, system events to all; app role may not update it", async () => {
    await db.transaction((tx) => tx.query(`INSERT INTO tessera_events (tenant_id, model, record_id, type) VALUES ($1, 'Contact', 'x', 'created')`, [TENANT_A]), { tenantId: TENANT_A });
    await db.query(`INSERT INTO tessera_events (model, record_id, type) VALUES ('System', 'y', 'created')`);
    const seen = (tenantId: string) =>
      db.transaction(async (tx) => (await tx.query<{ model: string }>("SELECT model FROM tessera_events ORDER BY seq")).rows.map((r) => r.model), { tenantId });
    expect(await seen(TENANT_A)).toEqual(["Contact", "System"]);
    expect(await seen(TENANT_B)).toEqual(["System"]);
    await expect(db.transaction((tx) => tx.query(`UPDATE tessera_events SET type = 'x'`), { tenantId: TENANT_A })).rejects.toThrow(/permission denied/);
  });

  it("notifies the events channel once per inserting statement", async () => {
    const payloads: string[] = [];
    const stop = await db.listen("tessera_events", (p) => payloads.push(p));
    await db.query(`INSERT INTO tessera_events (model, record_id, type) VALUES ('System', 'z', 'created'), ('System', 'w', 'created')`);
    for (let i = 0; i < 50 && payloads.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(payloads).toEqual([""]);
  });

  it("searches accent- and case-insensitively through the indexed expression", async () => {
    await db.transaction((tx) => tx.query(`INSERT INTO contacts (first_name) VALUES ('José')`), { tenantId: TENANT_A });
    const found = await db.transaction(
      async (tx) => (await tx.query<{ first_name: string }>(`SELECT first_name FROM contacts WHERE tessera_unaccent(lower(first_name)) LIKE '%jose%'`)).rows,
      { tenantId: TENANT_A },
    );
    expect(found.map((r) => r.first_name)).toEqual(["José"]);
  });
});

describe("planner diffs", () => {
  it("plans exactly one ALTER for Contact.lastName becoming required", async () => {
    const db = await freshDb();
    await applyPlan(db, schema.ir);
    expect((await plan(db, lastNameRequired())).statements).toEqual([LAST_NAME_REQUIRED]);
  });

  it("adds enum values in declared position and warns about removed ones", async () => {
    const db = await freshDb();
    await applyPlan(db, schema.ir);
    const ir = structuredClone(schema.ir);
    const stage = ir.enums.find((e) => e.name === "DealStage")!;
    stage.values = ["prospect", "lead", "qualified", "demo", "proposal", "negotiation", "won"]; // "lost" removed
    const result = await plan(db, ir);
    expect(result.statements).toEqual([
      `ALTER TYPE "DealStage" ADD VALUE 'prospect' BEFORE 'lead';`,
      `ALTER TYPE "DealStage" ADD VALUE 'demo' AFTER 'qualified';`,
    ]);
    expect(result.warnings).toEqual([expect.stringMatching(/DealStage.*lost/)]);
    await applyPlan(db, ir);
    const catalog = await readCatalog(db);
    expect(catalog.enums.find((e) => e.name === "DealStage")!.values).toEqual(["prospect", "lead", "qualified", "demo", "proposal", "negotiation", "won", "lost"]);
    expect((await plan(db, ir)).statements).toEqual([]);
  });

  it("adds, retypes, re-defaults and drops columns, and re-creates changed indexes", async () => {
    const db = await freshDb();
    await applyPlan(db, schema.ir);
    const ir = structuredClone(schema.ir);
    const company = ir.models.find((m) => m.name === "Company")!;
    company.fields = company.fields.filter((f) => f.name !== "notes");
    const phone = company.fields.find((f) => f.name === "phone")!;
    phone.type = "int";
    phone.default = 7;
    company.fields.splice(3, 0, { name: "rating", column: "rating", type: "int", required: true, default: -1, rules: [], system: false });
    company.indexes = [{ name: "companies_industry_idx", fields: ["industry", "size"], unique: true }];
    expect((await plan(db, ir)).statements).toEqual([
      `DROP INDEX IF EXISTS "companies_industry_idx";`,
      `ALTER TABLE "companies" DROP COLUMN "notes";`,
      `ALTER TABLE "companies" ADD COLUMN "rating" integer NOT NULL DEFAULT -1;`,
      `ALTER TABLE "companies" ALTER COLUMN "phone" TYPE integer USING "phone"::integer;`,
      `ALTER TABLE "companies" ALTER COLUMN "phone" SET DEFAULT 7;`,
      `CREATE UNIQUE INDEX "companies_industry_idx" ON "companies" USING btree ("industry", "size");`,
    ]);
    await applyPlan(db, ir);
    expect((await plan(db, ir)).statements).toEqual([]);
  });

  it("round-trips every field type and default without phantom changes", async () => {
    const Mood = defineEnum("Mood", ["calm", "busy"]);
    const all = defineSchema({
      models: {
        Sample: model({
          fields: {
            s: f.string().default("it's"),
            t: f.text(),
            i: f.int().default(-3),
            fl: f.float().default(1.5),
            neg: f.float().default(-0.25),
            d: f.decimal().default("2.50"),
            m: f.money().default("0"),
            b: f.boolean().default(false),
            day: f.date().default("2024-02-29"),
            at: f.datetime().default("2024-01-01T12:00:00Z"),
            j: f.json(),
            mood: f.enum(Mood).required().default("busy"),
            moods: f.array(f.enum(Mood)),
            nums: f.array(f.int()),
          },
        }),
      },
    });
    const db = await freshDb();
    await applyPlan(db, all.ir);
    expect(await plan(db, all.ir)).toEqual({ statements: [], warnings: [] });
    await db.transaction((tx) => tx.query(`INSERT INTO samples DEFAULT VALUES`), { tenantId: TENANT_A });
    const row = await db.query<{ mood: string; moods: unknown; i: number }>(`SELECT mood::text, moods::text, i FROM samples`);
    expect(row.rows[0]).toEqual({ mood: "busy", moods: "{}", i: -3 });
  });

  it("honours tableName and leaves non-tenant models without tenant_id or RLS", async () => {
    const people = defineSchema({
      models: {
        Person: model({ tableName: "people_table", tenantScoped: false, fields: { name: f.string().required() } }),
        Note: model({ fields: { personId: f.id().required(), body: f.text() }, relationships: { person: belongsTo("Person", { foreignKey: "personId", onDelete: "cascade" }) } }),
      },
    });
    const db = await freshDb();
    await applyPlan(db, people.ir);
    const catalog = await readCatalog(db);
    const names = catalog.tables.map((t) => t.name);
    expect(names).toContain("people_table");
    expect(names).not.toContain("people");
    const person = catalog.tables.find((t) => t.name === "people_table")!;
    expect(person.columns.map((c) => c.name)).toEqual(["id", "name", "version", "created_at", "updated_at", "deleted_at"]);
    expect(person.rlsEnabled).toBe(false);
    expect(catalog.foreignKeys.find((k) => k.table === "notes")).toMatchObject({ name: "notes_person_id_fkey", refTable: "people_table", refColumns: ["id"] });
  });

  it("reports dropped models and drops them only with allowDrop", async () => {
    const db = await freshDb();
    await applyPlan(db, schema.ir);
    const ir = structuredClone(schema.ir);
    ir.models = ir.models.filter((m) => m.name !== "QuoteItem");
    for (const m of ir.models) m.relations = m.relations.filter((r) => r.target !== "QuoteItem");
    const kept = await plan(db, ir);
    expect(kept.statements).toEqual([]);
    expect(kept.warnings).toEqual([expect.stringMatching(/table quote_items is not in the schema/)]);
    expect((await plan(db, ir, true)).statements).toEqual([`DROP TABLE "quote_items";`]);
  });

  it("emits a new NOT NULL column without default as NOT NULL, so a table with rows fails loudly", async () => {
    const db = await freshDb();
    await applyPlan(db, schema.ir);
    await db.query(`INSERT INTO tags (name, tenant_id) VALUES ('vip', $1)`, [TENANT_A]);
    const ir = structuredClone(schema.ir);
    ir.models.find((m) => m.name === "Tag")!.fields.splice(2, 0, { name: "slug", column: "slug", type: "string", required: true, rules: [], system: false });
    const { statements } = await plan(db, ir);
    expect(statements).toEqual([`ALTER TABLE "tags" ADD COLUMN "slug" text NOT NULL;`]);
    await expect(applyPlan(db, ir)).rejects.toThrow(/slug/);
  });

  it("is deterministic for the same inputs", async () => {
    const db = await freshDb();
    const catalog = await readCatalog(db);
    const a = planMigration(schema.ir, catalog);
    const b = planMigration(structuredClone(schema.ir), structuredClone(catalog));
    expect(b).toEqual(a);
  });
});

describe("migration files", () => {
  it("generates byte-identical files from scratch, with no timestamps", async () => {
    const db = await freshDb();
    const [a, b] = [await tempDir(), await tempDir()];
    const pathA = await generateMigration({ db, ir: schema.ir, dir: a });
    const pathB = await generateMigration({ db, ir: schema.ir, dir: b });
    expect(pathA).toBe(join(a, "0001_init.sql"));
    const [textA, textB] = [await readFile(pathA!, "utf8"), await readFile(pathB!, "utf8")];
    expect(textA).toBe(textB);
    expect(textA).not.toMatch(/\d{4}-\d{2}-\d{2}T|\d{2}:\d{2}:\d{2}/);
    expect(textA).toMatch(/^-- Tessera migration 0001_init\n/);
    expect(textA.endsWith(";\n")).toBe(true);
    // Nothing more to generate: the next plan against the files is empty.
    expect(await generateMigration({ db, ir: schema.ir, dir: a })).toBeUndefined();
    // The live database is not touched by generating.
    expect((await readCatalog(db)).tables).toEqual([]);
  });

  it("writes the next change as NNNN_auto.sql containing exactly that change", async () => {
    const db = await freshDb();
    const dir = await tempDir();
    await migrate({ db, ir: schema.ir, dir });
    const path = await generateMigration({ db, ir: lastNameRequired(), dir });
    expect(path).toBe(join(dir, "0002_auto.sql"));
    const text = await readFile(path!, "utf8");
    expect(text.split("\n").filter((l) => l && !l.startsWith("--"))).toEqual([LAST_NAME_REQUIRED]);
    expect((await applyMigrations({ db, dir })).applied).toEqual(["0002_auto"]);
    expect((await plan(db, lastNameRequired())).statements).toEqual([]);
  });

  it("check reports drift and writes nothing", async () => {
    const db = await freshDb();
    const dir = await tempDir();
    await migrate({ db, ir: schema.ir, dir });
    expect(await checkMigrations({ db, ir: schema.ir, dir })).toMatchObject({ ok: true, drift: [], pending: [], liveDrift: [] });
    const drifted = await migrate({ db, ir: lastNameRequired(), dir, check: true });
    expect(drifted).toMatchObject({ ok: false, drift: [LAST_NAME_REQUIRED], pending: [], written: undefined, applied: [] });
    expect(await readdir(dir)).toEqual(["0001_init.sql"]);
  });

  it("check reports files not yet applied", async () => {
    const db = await freshDb();
    const dir = await tempDir();
    await migrate({ db, ir: schema.ir, dir });
    await generateMigration({ db, ir: lastNameRequired(), dir });
    expect(await checkMigrations({ db, ir: lastNameRequired(), dir })).toMatchObject({ ok: false, drift: [], pending: ["0002_auto"] });
    await applyMigrations({ db, dir });
    expect(await checkMigrations({ db, ir: lastNameRequired(), dir })).toMatchObject({ ok: true, drift: [], pending: [] });
  });

  it("check notices a database changed by hand", async () => {
    const db = await freshDb();
    const dir = await tempDir();
    await migrate({ db, ir: schema.ir, dir });
    await db.exec(`DROP INDEX "contacts_email_key"`);
    const result = await checkMigrations({ db, ir: schema.ir, dir });
    expect(result.ok).toBe(false);
    expect(result.liveDrift).toEqual([`CREATE UNIQUE INDEX "contacts_email_key" ON "contacts" USING btree ("tenant_id", "email") WHERE "deleted_at" IS NULL;`]);
  });

  it("refuses to run when an applied file was edited, naming the file", async () => {
    const db = await freshDb();
    const dir = await tempDir();
    await migrate({ db, ir: schema.ir, dir });
    await appendFile(join(dir, "0001_init.sql"), "-- edited by hand\n");
    await writeFile(join(dir, "0002_auto.sql"), "CREATE TABLE never_applied (id int);\n");
    await expect(applyMigrations({ db, dir })).rejects.toThrow(/0001_init\.sql/);
    expect((await readCatalog(db)).tables.map((t) => t.name)).not.toContain("never_applied");
    expect(await checkMigrations({ db, ir: schema.ir, dir })).toMatchObject({ ok: false, changed: [join(dir, "0001_init.sql")], pending: ["0002_auto"] });
  });

  it("rolls a failing file back completely and names it", async () => {
    const db = await freshDb();
    const dir = await tempDir();
    await writeFile(join(dir, "0001_init.sql"), "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n");
    await expect(applyMigrations({ db, dir })).rejects.toThrow(/0001_init\.sql.*no_such_table/s);
    expect((await readCatalog(db)).tables.map((t) => t.name)).toEqual(["tessera_migrations"]);
  });
});

describe("splitSql", () => {
  it("splits on semicolons outside quotes, dollar quotes and comments", () => {
    const script = [
      "-- header; not a statement",
      "CREATE TABLE \"a;b\" (x text DEFAULT 'x;y');",
      "DO $$ BEGIN PERFORM 1; END $$;",
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$;",
      "/* block; comment */ SELECT 2;",
      "-- trailing comment",
    ].join("\n");
    expect(splitSql(script)).toEqual([
      "-- header; not a statement\nCREATE TABLE \"a;b\" (x text DEFAULT 'x;y');",
      "DO $$ BEGIN PERFORM 1; END $$;",
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$;",
      "/* block; comment */ SELECT 2;",
    ]);
  });
});
