// `tessera apikey create|list|revoke`: API keys for machines. The plaintext key is printed once,
// at creation; only its hash is stored.
import { applyMigrations, openDatabase } from "@tessera/db";
import { ApiKeyStore, TenantRegistry } from "@tessera/engine";
import { loadApp } from "../loadApp.ts";
import type { CommonOptions } from "../options.ts";

export type ApiKeyAction =
  | { action: "create"; tenant: string; name: string; roles: string[]; permissions: string[] }
  | { action: "list"; tenant: string }
  | { action: "revoke"; tenant: string; id: string };

export async function apiKeyCommand(options: CommonOptions & ApiKeyAction): Promise<number> {
  const app = await loadApp(options.app);
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await applyMigrations({ db, dir: app.migrationsDir });
    const store = new ApiKeyStore(db);
    if (!(await new TenantRegistry(db).get(options.tenant))) {
      console.error(`no tenant ${options.tenant}: create it first with \`tessera tenant create --id ${options.tenant} --name …\``);
      return 1;
    }
    switch (options.action) {
      case "create": {
        const { key, record } = await store.create({ tenantId: options.tenant, name: options.name, roles: options.roles, permissions: options.permissions });
        console.log(key);
        console.error(`created API key ${record.id} (${record.name}) for tenant ${options.tenant}; store it now, it is not shown again`);
        return 0;
      }
      case "list":
        console.log(JSON.stringify(await store.list(options.tenant), null, 2));
        return 0;
      case "revoke": {
        const revoked = await store.revoke(options.tenant, options.id);
        console.error(revoked ? `revoked ${options.id}` : `no API key ${options.id} in tenant ${options.tenant}`);
        return revoked ? 0 : 1;
      }
    }
  } finally {
    await db.close();
  }
}
