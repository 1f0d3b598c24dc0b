// The migration planner: diffs the Schema IR against a catalog snapshot and returns ordered DDL.
// Pure and deterministic: the same IR and catalog always give byte-identical statements.
import type { SchemaIR } from "@tessera/schema";
import { DEFAULT_APP_ROLE } from "../Database.ts";
import type { Catalog } from "./catalog.ts";
import { desiredSchema } from "./desiredSchema.ts";
import { planForeignKeys, planGrants, planIndexes, planSecurity } from "./planConstraints.ts";
import { planEnums } from "./planEnums.ts";
import { planPrelude } from "./planPrelude.ts";
import { planTables } from "./planTables.ts";
import { emptyPhases, type MigrationPlan, type PlanContext, type PlanOptions } from "./planTypes.ts";

export function planMigration(ir: SchemaIR, catalog: Catalog, options: PlanOptions = {}): MigrationPlan {
  const ctx: PlanContext = {
    desired: desiredSchema(ir, options.appRole ?? DEFAULT_APP_ROLE),
    catalog,
    options,
    out: emptyPhases(),
    warnings: [],
  };
  planPrelude(ctx);
  planEnums(ctx);
  planTables(ctx);
  planForeignKeys(ctx);
  planIndexes(ctx);
  planSecurity(ctx);
  planGrants(ctx);
  // Object.values follows the key order of emptyPhases(), which is the execution order.
  return { statements: Object.values(ctx.out).flat(), warnings: ctx.warnings };
}
