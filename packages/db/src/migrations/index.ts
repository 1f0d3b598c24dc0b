// Public API of the migration planner and runner.
export { readCatalog, type Catalog, type CatalogColumn, type CatalogEnum, type CatalogForeignKey, type CatalogIndex, type CatalogPolicy, type CatalogTable, type CatalogTrigger, type OnDelete, type ReadCatalogOptions } from "./catalog.ts";
export { planMigration } from "./planMigration.ts";
export type { MigrationPlan, PlanOptions } from "./planTypes.ts";
export { readMigrationFiles, type MigrationFile } from "./migrationFiles.ts";
export { applyMigrations, readAppliedMigrations, type ApplyMigrationsOptions, type AppliedMigration, type ApplyResult } from "./applyMigrations.ts";
export { generateMigration, planFromFiles, type GenerateMigrationOptions, type PendingMigration, type PlanFromFilesOptions } from "./generateMigration.ts";
export { checkMigrations, type CheckMigrationsOptions, type CheckResult } from "./checkMigrations.ts";
export { migrate, type MigrateOptions, type MigrateResult } from "./migrate.ts";
export { splitSql } from "./splitSql.ts";
export { API_KEYS_TABLE, IDENTITIES_TABLE, TENANT_LINKS_TABLE } from "./systemTables.ts";
