// Loads the generated demo data through the engine's write path (validation, events, audit),
// as the system principal of the given tenant.
import { systemContext, type Engine } from "@tessera/engine";
import { DEMO_DATA_ORDER, DEMO_USERS, generateDemoData } from "./generateDemoData.ts";

export interface SeedSummary {
  counts: Record<string, number>;
  /** Seconds spent per model, for benchmark-scale runs. */
  seconds: Record<string, number>;
  users: { email: string; name: string; role: string }[];
}

export async function seed(engine: Engine, options: { tenantId: string; scale?: number }): Promise<SeedSummary> {
  const data = generateDemoData({ tenantId: options.tenantId, scale: options.scale });
  const ctx = systemContext(options.tenantId);
  const counts: Record<string, number> = {};
  const seconds: Record<string, number> = {};
  for (const { key, model } of DEMO_DATA_ORDER) {
    const started = performance.now();
    const rows = data[key] as unknown as Record<string, unknown>[];
    const repo = engine.model(model);
    if (!repo.model.tenantScoped) {
      // Platform records (users) are shared by tenants: a second tenant's seed reuses them.
      let created = 0;
      for (const row of rows) {
        if (await repo.findUnique({ id: row.id }, ctx)) continue;
        await repo.create(row, ctx);
        created++;
      }
      counts[model] = created;
      seconds[model] = (performance.now() - started) / 1000;
      continue;
    }
    counts[model] = (await repo.createMany(rows, ctx, { batchSize: 2000 })).count;
    seconds[model] = (performance.now() - started) / 1000;
  }
  return { counts, seconds, users: DEMO_USERS.map((u) => ({ email: u.email, name: u.name, role: u.role })) };
}

/** The seeded users, for `start` to print and sign a dev token for. */
export const demoUsers = DEMO_USERS.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role }));
