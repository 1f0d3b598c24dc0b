// What every resolver receives: the engine and the request's identity (tenant, principal), as
// produced by the auth layer. Nothing else is needed to run a query.
import type { Engine, RequestContext } from "@tessera/engine";

export interface GraphQLContext {
  engine: Engine;
  /** Absent when the HTTP layer could not resolve one; resolvers then answer UNAUTHENTICATED. */
  request: RequestContext | undefined;
  /** Most rows an updateMany/deleteMany may change (limits.ts maxWriteRecords); default 200. */
  maxWriteRecords?: number;
}

export function createGraphQLContext(engine: Engine, request: RequestContext): GraphQLContext {
  return { engine, request };
}
