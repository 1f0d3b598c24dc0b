// Migration files on disk: `NNNN_name.sql`, applied in name order. Their content depends only on
// the schema and the previous files (no timestamps), so regenerating gives identical bytes.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compareText } from "./catalog.ts";

export interface MigrationFile {
  /** File name without `.sql`, e.g. `0001_init`; recorded in tessera_migrations. */
  id: string;
  path: string;
  content: string;
  /** sha256 of the content, hex. */
  checksum: string;
}

const FILE_NAME = /^(\d{4})_[A-Za-z0-9_]+\.sql$/;

export const checksumOf = (content: string): string => createHash("sha256").update(content, "utf8").digest("hex");

/** The migration files of `dir` in apply order; a missing folder has none. */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files = names.filter((n) => FILE_NAME.test(n)).sort(compareText);
  const numbers = new Map<string, string>();
  for (const name of files) {
    const number = name.slice(0, 4);
    const clash = numbers.get(number);
    if (clash) throw new Error(`migrations ${clash} and ${name} share the number ${number}; renumber one of them`);
    numbers.set(number, name);
  }
  return Promise.all(
    files.map(async (name) => {
      const path = join(dir, name);
      const content = await readFile(path, "utf8");
      return { id: name.slice(0, -4), path, content, checksum: checksumOf(content) };
    }),
  );
}

/** `0001_init` for the first file, then `NNNN_auto` numbered after the highest existing one. */
export function nextMigrationId(existing: readonly MigrationFile[]): string {
  if (existing.length === 0) return "0001_init";
  const last = Math.max(...existing.map((f) => Number(f.id.slice(0, 4))));
  if (last >= 9999) throw new Error("migration numbers are exhausted (9999)");
  return `${String(last + 1).padStart(4, "0")}_auto`;
}

/** File text: a header without timestamps, warnings as comments, one statement per `;\n`. */
export function renderMigration(id: string, statements: readonly string[], warnings: readonly string[]): string {
  const header = [`-- Tessera migration ${id}`, "-- Generated from the schema by the migration planner. Applied in one transaction."];
  for (const warning of warnings) header.push(`-- warning: ${warning.replace(/\r?\n/g, " ")}`);
  return `${header.join("\n")}\n\n${statements.map((s) => (s.endsWith(";") ? s : `${s};`)).join("\n")}\n`;
}

export async function writeMigrationFile(dir: string, id: string, content: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${id}.sql`);
  // `wx`: never overwrite a file someone else wrote between listing and writing.
  await writeFile(path, content, { encoding: "utf8", flag: "wx" });
  return path;
}
