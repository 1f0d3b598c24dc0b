// Every root resolver runs through `guarded`: it needs the request's identity and turns whatever
// it throws into a GraphQL error with a code (engine errors keep theirs; the rest is INTERNAL).
import type { GraphQLFieldResolver, GraphQLResolveInfo } from "graphql";
import { EngineError, type FindManyArgs, type RecordData, type Repository, type RequestContext, type Selection, type Where } from "@tessera/engine";
import type { GraphQLContext } from "../context.ts";
import { toGraphQLError } from "../errors.ts";

export type Args = { [name: string]: unknown };
export type Data = { [key: string]: unknown };

export function requestOf(context: GraphQLContext): RequestContext {
  if (!context || !context.request) throw new EngineError("UNAUTHENTICATED", "the request carries no identity: sign in first");
  return context.request;
}

export function guarded(
  resolve: (args: Args, context: GraphQLContext, info: GraphQLResolveInfo) => Promise<unknown>,
): GraphQLFieldResolver<Record<string, unknown>, GraphQLContext> {
  return async (_source, args, context, info) => {
    try {
      return await resolve(args, context, info);
    } catch (error) {
      throw toGraphQLError(error);
    }
  };
}

export function asObject(value: unknown): Data | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Data) : undefined;
}

/** Copies an argument object without null/undefined entries (GraphQL gives null for "not set"). */
export function withoutNulls(args: Args, keys: readonly string[]): Data {
  const out: Data = {};
  for (const key of keys) {
    const value = args[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/**
 * One record by a unique where, optionally among soft-deleted ones: Repository.findUnique, which
 * takes `deleted` itself. Kept only for mutationResolvers.ts (its read-backs); new code calls
 * findUnique directly, and this goes once that file stops importing it.
 */
export async function findOne(repo: Repository, where: Where, ctx: RequestContext, selection: Selection, deleted: FindManyArgs["deleted"]): Promise<RecordData | null> {
  return repo.findUnique(where, ctx, { ...selection, ...(deleted ? { deleted } : {}) });
}
