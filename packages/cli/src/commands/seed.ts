import { openDatabase, applyMigrations } from "@tessera/db";
import { Engine } from "@tessera/engine";
import { loadApp } from "../loadApp.ts";
import type { CommonOptions } from "../options.ts";
import { DEMO_TENANT, ensureTenant } from "../demoTenant.ts";

export async function seedCommand(options: CommonOptions & { scale?: number; tenant?: string }): Promise<number> {
  const app = await loadApp(options.app);
  if (!app.seed) {
    console.error(`${app.dir} has no seed module (seed/index.ts or seed.ts exporting 'seed')`);
    return 1;
  }
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await applyMigrations({ db, dir: app.migrationsDir });
    const engine = new Engine({ schema: app.schema, db, cache: false });
    const tenantId = options.tenant ?? DEMO_TENANT.id;
    await ensureTenant(engine, { id: tenantId, name: tenantId === DEMO_TENANT.id ? DEMO_TENANT.name : tenantId });
    const started = performance.now();
    const summary = await app.seed(engine, { tenantId, scale: options.scale });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const per = summary.seconds ?? {};
    console.log(`seeded tenant ${tenantId} in ${seconds}s: ${Object.entries(summary.counts).map(([m, n]) => `${n} ${m}${per[m] !== undefined && per[m] >= 1 ? ` (${per[m].toFixed(1)}s)` : ""}`).join(", ")}`);
    return 0;
  } finally {
    await db.close();
  }
}
