// A private database with the CRM schema migrated in, for engine and API tests.
import type { SchemaIR } from "@tessera/schema";
import { planMigration, readCatalog, type Database } from "@tessera/db";
import { schema as crmSchema } from "@tessera/crm";
import { createTestDatabase } from "./testDatabase.ts";

export interface CrmDatabase {
  db: Database;
  schema: SchemaIR;
  /** Connection string of the private database (server runs only), for a second node's own pool. */
  url?: string;
  drop(): Promise<void>;
}

/** Applies `schema` (the CRM by default) with the migration planner and registers the given tenants. */
export async function openCrmDatabase(tenantIds: readonly string[] = [], schema: SchemaIR = crmSchema.ir): Promise<CrmDatabase> {
  const test = await createTestDatabase();
  const plan = planMigration(schema, await readCatalog(test.db));
  await test.db.transaction(async (tx) => {
    for (const statement of plan.statements) await tx.query(statement);
  }, { role: false });
  for (const id of tenantIds) {
    await test.db.query("INSERT INTO tessera_tenants (id, name) VALUES ($1::uuid, $2)", [id, `tenant ${id.slice(0, 4)}`]);
  }
  return { db: test.db, schema, ...(test.url ? { url: test.url } : {}), drop: test.drop };
}
