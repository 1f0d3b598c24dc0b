// Gives each test a private, empty database on the driver under test:
// PGlite by default, the PostgreSQL server when DATABASE_URL is set (as .ci/run does on its second pass).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { openPostgres, wrapPglite, type Database } from "@tessera/db";

export interface TestDatabase {
  db: Database;
  /** Connection string of the private database (server runs only). */
  url?: string;
  drop(): Promise<void>;
}

export const serverUrl = process.env.DATABASE_URL;
export const driverName = serverUrl ? "postgres" : "pglite";

let template: Promise<PGlite> | undefined;

/** Creating PGlite costs ~2 s; cloning an empty template costs a fraction, so each file clones one. */
function pgliteTemplate(): Promise<PGlite> {
  template ??= PGlite.create({ extensions: { pg_trgm, unaccent } });
  return template;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!serverUrl) {
    const base = await pgliteTemplate();
    const clone = await base.clone();
    const db = wrapPglite(clone as PGlite);
    return { db, drop: () => db.close() };
  }
  const name = `tessera_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres({ connectionString: url.toString(), maxConnections: 4 });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const cleaner = new pg.Client({ connectionString: serverUrl });
      await cleaner.connect();
      await cleaner.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleaner.end();
    },
  };
}
