// Test support for the query compiler: a subset of the CRM tables created with plain DDL (the
// layout migrations produce), fixture rows inserted with plain SQL, and a runner that counts statements.
import { quoteIdent, quoteLiteral, SCALAR_SQL_TYPES, type Database } from "@tessera/db";
import { findModel, type FieldIR, type ModelIR, type SchemaIR } from "@tessera/schema";
import crm from "@tessera/crm";
import type { CompiledRead } from "../src/compiler/index.ts";

export const schema: SchemaIR = crm.ir;
export const TABLE_MODELS = ["User", "Membership", "Company", "Contact", "Deal", "Activity", "Tag"] as const;

export function model(name: string): ModelIR {
  const found = findModel(schema, name);
  if (!found) throw new Error(`no model ${name}`);
  return found;
}

function columnType(field: FieldIR): string {
  if (field.type === "enum") return quoteIdent(field.enum ?? "");
  if (field.type === "array") {
    const items = field.items;
    return `${items?.type === "enum" ? quoteIdent(items.enum ?? "") : SCALAR_SQL_TYPES[items?.type ?? "string"]}[]`;
  }
  return SCALAR_SQL_TYPES[field.type];
}

function columnDdl(m: ModelIR, field: FieldIR): string {
  const parts = [quoteIdent(field.column), columnType(field)];
  if (field.name === m.primaryKey) parts.push("PRIMARY KEY DEFAULT gen_random_uuid()");
  else if (field.type === "array") parts.push("NOT NULL DEFAULT '{}'");
  else if (field.column === "version") parts.push("NOT NULL DEFAULT 1");
  else if (field.column === "created_at" || field.column === "updated_at") parts.push("NOT NULL DEFAULT now()");
  else if (field.required) parts.push("NOT NULL");
  if (field.default !== undefined && field.default !== null && field.type !== "array") {
    parts.push(`DEFAULT ${typeof field.default === "string" ? quoteLiteral(field.default) : String(field.default)}`);
  }
  return parts.join(" ");
}

export function schemaDdl(): string {
  const statements = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    `CREATE FUNCTION tessera_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT public.unaccent('public.unaccent', $1) $$`,
  ];
  for (const e of schema.enums) statements.push(`CREATE TYPE ${quoteIdent(e.name)} AS ENUM (${e.values.map(quoteLiteral).join(", ")})`);
  for (const name of TABLE_MODELS) {
    const m = model(name);
    statements.push(`CREATE TABLE ${quoteIdent(m.tableName)} (${m.fields.map((f) => columnDdl(m, f)).join(", ")})`);
  }
  statements.push(`CREATE TABLE contact_tags (contact_id uuid NOT NULL, tag_id uuid NOT NULL, PRIMARY KEY (contact_id, tag_id))`);
  return statements.join(";\n") + ";";
}

export const TENANT_A = "aaaaaaaa-0000-4000-8000-000000000001";
export const TENANT_B = "bbbbbbbb-0000-4000-8000-000000000002";
export const ctxA = { tenantId: TENANT_A, principal: { sub: "u1", roles: ["admin"], kind: "user" as const } };
export const ctxB = { tenantId: TENANT_B, principal: { sub: "u2", roles: ["admin"], kind: "user" as const } };

/** Deterministic uuids: `id(7)` → …000000000007. */
export function id(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

export const ids = {
  userAna: id(1),
  acme: id(10),
  globex: id(11),
  initech: id(12),
  deletedCo: id(13),
  betaCorp: id(14),
  jose: id(20),
  maria: id(21),
  peter: id(22),
  zoe: id(23),
  ghost: id(24),
  joseB: id(25),
  tagVip: id(30),
  tagHot: id(31),
  tagB: id(32),
};

export interface DealFixture {
  id: string;
  title: string;
  value: string | null;
  stage: string;
  contactId: string;
  companyId: string | null;
  expectedCloseDate: string | null;
  createdAt: string;
}

const STAGES = ["lead", "qualified", "proposal", "negotiation", "won", "lost"];
const VALUES = [null, "100.0000", "100.0000", "250.5000", null, "1000.0000", "100.0000", "250.5000", "0.0000", null, "1000.0000", "100.0000", "75.2500", "250.5000", "100.0000", "5000.0000", "100.0000", null];

/** 18 live deals of tenant A with many duplicate values, NULLs and equal creation times. */
export const deals: DealFixture[] = VALUES.map((value, i) => ({
  id: id(100 + ((i * 7) % 18)),
  title: i === 3 ? "Deal 100%_off \\ special" : `Deal ${String(i).padStart(2, "0")}`,
  value,
  stage: STAGES[i % STAGES.length],
  contactId: [ids.jose, ids.maria, ids.peter, ids.zoe][i % 4],
  companyId: [ids.acme, ids.acme, ids.globex, null][i % 4],
  expectedCloseDate: i % 5 === 0 ? null : `2025-0${(i % 9) + 1}-1${i % 10}`,
  createdAt: `2025-01-0${(i % 3) + 1}T10:00:00.123456Z`,
}));

export async function insertFixtures(db: Database): Promise<void> {
  const q = (sql: string, params: unknown[]) => db.query(sql, params);
  await q(`INSERT INTO users (id, email, name, active) VALUES ($1, 'ana@example.com', 'Ana', true)`, [ids.userAna]);
  // Users are visible in a tenant through their membership of it (the CRM's read rule on User).
  await q(`INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, 'admin')`, [TENANT_A, ids.userAna]);
  const company = (cid: string, tenant: string, name: string, industry: string | null, size: string | null, revenue: string | null, tags: string, deleted = false) =>
    q(
      `INSERT INTO companies (id, tenant_id, name, industry, size, annual_revenue, tags, owner_id, deleted_at)
       VALUES ($1, $2, $3, $4, $5::"CompanySize", $6, $7::text[], $8, ${deleted ? "now()" : "NULL"})`,
      [cid, tenant, name, industry, size, revenue, tags, ids.userAna],
    );
  await company(ids.acme, TENANT_A, "Acme", "Software", "medium", "1000000.5000", "{b2b,saas}");
  await company(ids.globex, TENANT_A, "Globex", "Manufacturing", "large", "250000", "{b2b}");
  await company(ids.initech, TENANT_A, "Initech", null, null, null, "{}");
  await company(ids.deletedCo, TENANT_A, "Deleted Co", "Software", "small", "10", "{}", true);
  await company(ids.betaCorp, TENANT_B, "Beta Corp", "Software", "small", "999", "{b2b}");

  const contact = (cid: string, tenant: string, first: string, last: string | null, email: string | null, companyId: string | null, tags: string, social: unknown, deleted = false) =>
    q(
      `INSERT INTO contacts (id, tenant_id, first_name, last_name, email, company_id, tags, social_handles, lifecycle_stage, deleted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::jsonb, 'lead', ${deleted ? "now()" : "NULL"})`,
      [cid, tenant, first, last, email, companyId, tags, social === null ? null : JSON.stringify(social)],
    );
  await contact(ids.jose, TENANT_A, "José", "García", "jose@acme.test", ids.acme, "{vip,\"with,comma\"}", { twitter: "@jose" });
  await contact(ids.maria, TENANT_A, "Maria", "Lopez", "maria@acme.test", ids.acme, "{vip}", null);
  await contact(ids.peter, TENANT_A, "Peter", "Gibbons", "peter@globex.test", ids.globex, "{}", null);
  await contact(ids.zoe, TENANT_A, "Zoë", null, null, null, "{}", null);
  await contact(ids.ghost, TENANT_A, "Ghost", "Deleted", "ghost@acme.test", ids.acme, "{}", null, true);
  await contact(ids.joseB, TENANT_B, "José", "Beta", "jose@acme.test", ids.betaCorp, "{vip}", null);

  for (const [tid, tenant, name] of [[ids.tagVip, TENANT_A, "vip"], [ids.tagHot, TENANT_A, "hot"], [ids.tagB, TENANT_B, "vip"]]) {
    await q(`INSERT INTO tags (id, tenant_id, name) VALUES ($1, $2, $3)`, [tid, tenant, name]);
  }
  for (const [c, t] of [[ids.jose, ids.tagVip], [ids.jose, ids.tagHot], [ids.maria, ids.tagHot], [ids.joseB, ids.tagB], [ids.ghost, ids.tagVip]]) {
    await q(`INSERT INTO contact_tags (contact_id, tag_id) VALUES ($1, $2)`, [c, t]);
  }

  for (const d of deals) {
    await q(
      `INSERT INTO deals (id, tenant_id, title, value, stage, contact_id, company_id, expected_close_date, created_at)
       VALUES ($1, $2, $3, $4, $5::"DealStage", $6, $7, $8, $9)`,
      [d.id, TENANT_A, d.title, d.value, d.stage, d.contactId, d.companyId, d.expectedCloseDate, d.createdAt],
    );
  }
  // A soft-deleted deal of José, and a deal of tenant B that (wrongly) points at tenant A's Acme and José.
  await q(
    `INSERT INTO deals (id, tenant_id, title, value, stage, contact_id, company_id, deleted_at) VALUES ($1, $2, 'Deleted deal', 1, 'won', $3, $4, now())`,
    [id(200), TENANT_A, ids.jose, ids.acme],
  );
  await q(
    `INSERT INTO deals (id, tenant_id, title, value, stage, contact_id, company_id) VALUES ($1, $2, 'Tenant B deal', 7, 'won', $3, $4)`,
    [id(201), TENANT_B, ids.jose, ids.acme],
  );

  await q(
    `INSERT INTO activities (id, tenant_id, type, title, content, deal_id, contact_id, occurred_at, duration_minutes, tags)
     VALUES ($1, $2, 'call', 'Intro call', 'Talked about pricing', $3, $4, '2025-02-01T09:30:00Z', 30, '{phone}'),
            ($5, $2, 'meeting', 'Demo', NULL, $3, $4, '2025-02-03T14:00:00+02:00', 60, '{}'),
            ($6, $2, 'note', 'Follow-up', 'Send the quote', $7, $4, NULL, NULL, '{}')`,
    [id(300), TENANT_A, deals[0].id, ids.jose, id(301), id(302), deals[4].id],
  );
}

export interface RunResult<T> {
  result: T;
  statements: number;
}

/** Runs a compiled read and reports how many statements it took. */
export async function run<T>(db: Database, compiled: CompiledRead<T>): Promise<RunResult<T>> {
  const before = db.stats.statements;
  const { rows } = await db.query(compiled.sql, compiled.params);
  return { result: compiled.decode(rows), statements: db.stats.statements - before };
}

/** A database with the fixture tables and rows, created once per test file. */
export async function fixtureDatabase(): Promise<{ db: Database; drop(): Promise<void> }> {
  const { createTestDatabase } = await import("../../../test/support/testDatabase.ts");
  const test = await createTestDatabase();
  await test.db.exec(schemaDdl());
  await insertFixtures(test.db);
  return { db: test.db, drop: () => test.drop() };
}

export const pageOptions = { defaultPageSize: 25, maxPageSize: 100 };

/** Catches the error thrown by `fn` (compilers throw synchronously). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
