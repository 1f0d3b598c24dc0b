// `tessera permissions [--json]`: every permission the schema defines, for drift checks against an
// identity provider's role configuration (diff the JSON in CI).
import { listPermissions } from "@tessera/schema";
import { loadApp } from "../loadApp.ts";
import type { CommonOptions } from "../options.ts";

export async function permissionsCommand(options: CommonOptions & { json: boolean }): Promise<number> {
  const app = await loadApp(options.app);
  const permissions = listPermissions(app.schema);
  if (options.json) {
    console.log(JSON.stringify(permissions, null, 2));
    return 0;
  }
  for (const p of permissions) console.log(`${p.name.padEnd(32)} ${p.roles.join(", ")}`);
  return 0;
}
