// Extensions, helper functions, the app role and its schema access: created only when missing,
// so a migrated database plans nothing here.
import type { PlanContext } from "./planTypes.ts";
import { createExtension, createRole, grantSchemaUsage } from "./ddl.ts";

export function planPrelude({ desired, catalog, out }: PlanContext): void {
  for (const ext of desired.extensions) {
    if (!catalog.extensions.includes(ext)) out.prelude.push(createExtension(ext));
  }
  for (const fn of desired.functions) {
    if (!catalog.functions.includes(fn.name)) out.prelude.push(`${fn.sql};`);
  }
  if (!catalog.appRoleExists) out.prelude.push(createRole(desired.appRole));
  // Checked on the role's own ACL entry: USAGE through PUBLIC can be revoked by an operator.
  if (!(catalog.schemaGrants[desired.appRole] ?? []).includes("USAGE")) out.prelude.push(grantSchemaUsage(desired.appRole));
}
