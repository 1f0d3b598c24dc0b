export * from "./Database.ts";
export { quoteIdent, quoteLiteral } from "./quoteIdent.ts";
export { openPglite, wrapPglite, type PgliteOptions } from "./pgliteDriver.ts";
export { openPostgres, type PostgresOptions } from "./postgresDriver.ts";
export { openDatabase, type OpenDatabaseOptions } from "./openDatabase.ts";
export * from "./constraintNames.ts";
export * from "./migrations/index.ts";
