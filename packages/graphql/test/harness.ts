// A CRM database, engine and GraphQL schema for the GraphQL tests, on the driver under test.
import { Engine, type RequestContext } from "@tessera/engine";
import type { GraphQLSchema } from "graphql";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";
import { buildGraphQLSchema, createGraphQLContext, executeGraphQL, type GraphQLResponse, type QueryLimits } from "../src/index.ts";

export const TENANT = "0a000000-0000-4000-8000-00000000000a";
export const OTHER_TENANT = "0b000000-0000-4000-8000-00000000000b";
export const admin: RequestContext = { tenantId: TENANT, principal: { sub: "ana", roles: ["admin"], kind: "user" } };

export interface Harness {
  crm: CrmDatabase;
  engine: Engine;
  schema: GraphQLSchema;
  gql(source: string, variables?: { [name: string]: unknown }, options?: { request?: RequestContext; limits?: QueryLimits }): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export async function openHarness(options: { cache?: boolean } = {}): Promise<Harness> {
  const crm = await openCrmDatabase([TENANT, OTHER_TENANT]);
  const engine = new Engine({ schema: crm.schema, db: crm.db, cache: options.cache ? undefined : false });
  const schema = buildGraphQLSchema(crm.schema);
  return {
    crm,
    engine,
    schema,
    gql: (source, variables, opts = {}) =>
      executeGraphQL({
        schema,
        ir: crm.schema,
        source,
        variableValues: variables,
        contextValue: createGraphQLContext(engine, opts.request ?? admin),
        limits: opts.limits,
      }),
    close: () => crm.drop(),
  };
}

/** The data of a response that must have no errors. */
export function dataOf(response: GraphQLResponse): { [key: string]: any } {
  if (response.errors && response.errors.length > 0) throw new Error(`unexpected errors: ${JSON.stringify(response.errors, null, 2)}`);
  return response.data as { [key: string]: any };
}
