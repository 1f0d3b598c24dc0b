// The runner: applies pending migration files in order, each in its own transaction as the
// connecting (owner) role, and records id + checksum in tessera_migrations. An applied file that
// changed, or a recorded migration whose file is gone, stops it with an error naming the file.
import type { Database, Queryable } from "../Database.ts";
import { SYSTEM_TABLES } from "../constraintNames.ts";
import { quoteIdent, quoteLiteral } from "../quoteIdent.ts";
import { readMigrationFiles, type MigrationFile } from "./migrationFiles.ts";
import { splitSql } from "./splitSql.ts";

const TABLE = quoteIdent(SYSTEM_TABLES.migrations);
// Serialises runners on several nodes (or parallel tests on one database) for one transaction.
const LOCK = `SELECT pg_advisory_xact_lock(hashtext(${quoteLiteral(SYSTEM_TABLES.migrations)}))`;
const OWNER = { role: false } as const;

export interface AppliedMigration {
  id: string;
  checksum: string;
}

export interface ApplyMigrationsOptions {
  db: Database;
  dir: string;
}

/** Creates the runner's table; under the lock because concurrent CREATE TABLE IF NOT EXISTS can still collide. */
export async function ensureMigrationsTable(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(LOCK);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (${quoteIdent("id")} text PRIMARY KEY, ${quoteIdent("checksum")} text NOT NULL, ` +
        `${quoteIdent("applied_at")} timestamptz NOT NULL DEFAULT now())`,
    );
  }, OWNER);
}

/** Migrations recorded in the database, or none when the runner never ran there. */
export async function readAppliedMigrations(db: Queryable): Promise<AppliedMigration[]> {
  const exists = await db.query<{ found: boolean }>("SELECT to_regclass($1::text) IS NOT NULL AS found", [`public.${TABLE}`]);
  if (!exists.rows[0]?.found) return [];
  const result = await db.query<AppliedMigration>(`SELECT ${quoteIdent("id")} AS id, ${quoteIdent("checksum")} AS checksum FROM ${TABLE} ORDER BY id COLLATE "C"`);
  return result.rows;
}

/** Names of applied files whose content changed and recorded ids without a file. */
export function verifyApplied(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): { changed: string[]; missing: string[] } {
  const byId = new Map(files.map((f) => [f.id, f]));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const row of applied) {
    const file = byId.get(row.id);
    if (!file) missing.push(row.id);
    else if (file.checksum !== row.checksum) changed.push(file.path);
  }
  return { changed, missing };
}

/** Runs one file's statements in one transaction and records it. */
async function applyFile(db: Database, file: MigrationFile, record: boolean): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (record) {
      await tx.query(LOCK);
      // Another runner may have applied it while this one waited for the lock.
      const done = await tx.query(`SELECT 1 FROM ${TABLE} WHERE ${quoteIdent("id")} = $1`, [file.id]);
      if (done.rows.length > 0) return false;
    }
    for (const statement of splitSql(file.content)) {
      try {
        await tx.query(statement);
      } catch (error) {
        throw new Error(`migration ${file.path} failed: ${(error as Error).message}\n  in: ${statement}`, { cause: error });
      }
    }
    if (record) await tx.query(`INSERT INTO ${TABLE} (${quoteIdent("id")}, ${quoteIdent("checksum")}) VALUES ($1, $2)`, [file.id, file.checksum]);
    return true;
  }, OWNER);
}

/** Applies files without bookkeeping: builds the scratch database the generator diffs against. */
export async function applyFilesUnrecorded(db: Database, files: readonly MigrationFile[]): Promise<void> {
  for (const file of files) await applyFile(db, file, false);
}

export interface ApplyResult {
  /** Ids applied by this call, in order. */
  applied: string[];
}

/** Applies pending files in order. */
export async function applyMigrations({ db, dir }: ApplyMigrationsOptions): Promise<ApplyResult> {
  const files = await readMigrationFiles(dir);
  await ensureMigrationsTable(db);
  const recorded = await readAppliedMigrations(db);
  const { changed, missing } = verifyApplied(files, recorded);
  if (changed.length > 0) throw new Error(`applied migration file(s) changed since they were applied: ${changed.join(", ")}; add a new migration instead of editing one`);
  if (missing.length > 0) throw new Error(`migration(s) ${missing.join(", ")} are recorded as applied but have no file in ${dir}`);
  const applied = new Set(recorded.map((m) => m.id));
  const done: string[] = [];
  for (const file of files) {
    if (applied.has(file.id)) continue;
    if (await applyFile(db, file, true)) done.push(file.id);
  }
  return { applied: done };
}
