import type { SchemaIR } from "@tessera/schema";
import type { Database } from "@tessera/db";
import type { ReadCache } from "./cache/ReadCache.ts";

/** What repositories share: the schema, the database, the cache and the after-commit hook. */
export interface EngineCore {
  readonly schema: SchemaIR;
  readonly db: Database;
  readonly cache: ReadCache | undefined;
  /** Runs on this node right after a write commits, before the dispatcher delivers the event anywhere. */
  afterCommit(tenantId: string | null, model: string): void;
}
