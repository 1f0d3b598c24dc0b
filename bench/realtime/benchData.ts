// The little data the realtime benchmark needs, with fixed ids so that every node (each with its own
// PGlite, or sharing a PostgreSQL database) knows the same tenant, user and deal, and tokens signed by
// the driver are valid on all of them.
import { join } from "node:path";
import { applyMigrations, type Database } from "@tessera/db";
import { Engine, systemContext } from "@tessera/engine";

export const TENANT_ID = "0be00000-0000-4000-8000-0000000000be";
/** A manager: reads every deal (no row rule), so one read per event serves all its connections. */
export const USER_ID = "0be00000-0000-4000-8000-000000000001";
export const CONTACT_ID = "0be00000-0000-4000-8000-000000000002";
export const DEAL_ID = "0be00000-0000-4000-8000-000000000003";

export const MIGRATIONS_DIR = join(import.meta.dirname, "../../apps/crm/migrations");

/** Migrates and seeds a database; running it again changes nothing. */
export async function prepareBenchDatabase(db: Database, engine: Engine): Promise<void> {
  await applyMigrations({ db, dir: MIGRATIONS_DIR });
  await engine.tenants.ensure({ id: TENANT_ID, name: "Realtime bench" });
  const system = systemContext(TENANT_ID);
  if (!(await engine.model("User").findUnique({ id: USER_ID }, system))) {
    await engine.model("User").create({ id: USER_ID, email: "bench-manager@realtime.bench", name: "Bench Manager" }, system);
    await engine.model("Membership").create({ userId: USER_ID, role: "manager" }, system);
  }
  if (!(await engine.model("Contact").findUnique({ id: CONTACT_ID }, system))) await engine.model("Contact").create({ id: CONTACT_ID, firstName: "Bench" }, system);
  if (!(await engine.model("Deal").findUnique({ id: DEAL_ID }, system))) await engine.model("Deal").create({ id: DEAL_ID, title: "Bench deal", contactId: CONTACT_ID, ownerId: USER_ID }, system);
}
