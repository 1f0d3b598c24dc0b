import type { Database } from "./Database.ts";
import { openPglite } from "./pgliteDriver.ts";
import { openPostgres } from "./postgresDriver.ts";

export interface OpenDatabaseOptions {
  /** A PostgreSQL server; when absent the embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite data folder; ignored with `databaseUrl`. */
  dataDir?: string;
}

/** The embedded default unless a server is configured (principle 5). */
export function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres({ connectionString: options.databaseUrl });
  return openPglite({ dataDir: options.dataDir });
}
