// `tessera tenant create`: registers a tenant (idempotent).
import { randomUUID } from "node:crypto";
import { applyMigrations, openDatabase } from "@tessera/db";
import { TenantRegistry } from "@tessera/engine";
import { loadApp } from "../loadApp.ts";
import type { CommonOptions } from "../options.ts";
import { UUID_PATTERN } from "@tessera/schema";


export async function tenantCreateCommand(options: CommonOptions & { id?: string; name: string; slug?: string }): Promise<number> {
  const id = options.id ?? randomUUID();
  if (!UUID_PATTERN.test(id)) {
    console.error(`--id must be a UUID, got '${id}'`);
    return 2;
  }
  const app = await loadApp(options.app);
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await applyMigrations({ db, dir: app.migrationsDir });
    const created = await new TenantRegistry(db).ensure({ id, name: options.name, ...(options.slug ? { slug: options.slug } : {}) });
    console.log(id);
    console.error(created ? `created tenant ${id} (${options.name})` : `tenant ${id} already exists`);
    return 0;
  } finally {
    await db.close();
  }
}
