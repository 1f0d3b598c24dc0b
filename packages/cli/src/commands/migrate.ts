import { migrate, openDatabase } from "@tessera/db";
import { loadApp } from "../loadApp.ts";
import type { CommonOptions } from "../options.ts";

/** `tessera migrate [--check]`: writes a migration file when the schema changed, then applies pending files. */
export async function migrateCommand(options: CommonOptions & { check: boolean }): Promise<number> {
  const app = await loadApp(options.app);
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    const result = await migrate({ db, ir: app.schema, dir: app.migrationsDir, check: options.check });
    if (options.check) {
      if (result.ok) {
        console.log("migrations are up to date with schema.ts and applied");
        return 0;
      }
      if (result.drift.length > 0) console.error(`schema.ts has changes no migration file contains:\n${result.drift.map((s) => `  ${s}`).join("\n")}`);
      if (result.pending.length > 0) console.error(`migration files not applied to the database:\n${result.pending.map((s) => `  ${s}`).join("\n")}`);
      return 1;
    }
    if (result.written) console.log(`wrote ${result.written}`);
    console.log(result.applied.length > 0 ? `applied ${result.applied.join(", ")}` : "nothing to apply");
    return 0;
  } finally {
    await db.close();
  }
}
