// Root query resolvers: each converts its whole selection into one engine call (one SQL statement);
// nested relationship fields then resolve from the returned objects with default resolvers.
import type { GraphQLFieldResolver } from "graphql";
import { validationFailed, type FindManyArgs, type GroupByArgs } from "@tessera/engine";
import { UUID_PATTERN, type ModelIR, type SchemaIR } from "@tessera/schema";
import type { GraphQLContext } from "../context.ts";
import { fromGlobalId } from "../globalId.ts";
import { modelNames } from "../names.ts";
import { asObject, guarded, requestOf, withoutNulls, type Args } from "./guarded.ts";
import { aggregateRequest, connectionSelection, rootRecordSelection } from "./selection.ts";

type Resolver = GraphQLFieldResolver<Record<string, unknown>, GraphQLContext>;

const LIST_ARG_NAMES = ["where", "orderBy", "skip", "first", "last", "after", "before", "deleted"] as const;

export function findManyArgs(args: Args): FindManyArgs {
  return withoutNulls(args, LIST_ARG_NAMES) as FindManyArgs;
}

export function singleResolver(ir: SchemaIR, model: ModelIR): Resolver {
  return guarded(async (args, context, info) => {
    const selection = rootRecordSelection(info, ir, model);
    const { deleted } = withoutNulls(args, ["deleted"]) as Pick<FindManyArgs, "deleted">;
    return context.engine.model(model.name).findUnique(asObject(args.where) ?? {}, requestOf(context), { ...selection, ...(deleted ? { deleted } : {}) });
  });
}

export function listResolver(ir: SchemaIR, model: ModelIR): Resolver {
  return guarded(async (args, context, info) => {
    const selection = rootRecordSelection(info, ir, model);
    const page = await context.engine.model(model.name).findMany({ ...findManyArgs(args), ...selection }, requestOf(context));
    return page.nodes;
  });
}

export function connectionResolver(ir: SchemaIR, model: ModelIR): Resolver {
  return guarded(async (args, context, info) => {
    const { node, aggregate } = connectionSelection(info, ir, model);
    // The aggregates are computed in the page's statement (over every row matching `where`).
    const page = await context.engine.model(model.name).findMany({ ...findManyArgs(args), ...node, ...(aggregate ? { aggregate } : {}) }, requestOf(context));
    return {
      edges: page.nodes.map((n, i) => ({ node: n, cursor: page.cursors[i] })),
      pageInfo: page.pageInfo,
      aggregate: page.aggregate ?? {},
    };
  });
}

export function groupByResolver(ir: SchemaIR, model: ModelIR): Resolver {
  void ir;
  return guarded(async (args, context, info) => {
    const request = aggregateRequest(info, info.fieldNodes.map((n) => n.selectionSet));
    const { count: _count, ...functions } = request;
    void _count;
    // The engine checks `by` and `orderBy` (grouped fields only; an empty list is the default order).
    const base = withoutNulls(args, ["by", "where", "orderBy", "deleted"]) as Omit<GroupByArgs, "sum" | "avg" | "min" | "max">;
    return context.engine.model(model.name).groupBy({ ...base, ...functions }, requestOf(context));
  });
}

export function nodeResolver(ir: SchemaIR): Resolver {
  return guarded(async (args, context, info) => {
    const decoded = typeof args.id === "string" ? fromGlobalId(args.id) : undefined;
    const model = decoded ? ir.models.find((m) => m.name === decoded.model) : undefined;
    if (!decoded || !model || !UUID_PATTERN.test(decoded.id)) {
      throw validationFailed([{ path: ["id"], rule: "type", message: "not a global id of this API (use a record's nodeId)" }]);
    }
    const selection = rootRecordSelection(info, ir, model);
    const record = await context.engine.model(model.name).findUnique({ [model.primaryKey]: decoded.id }, requestOf(context), selection);
    return record ? { ...record, __typename: modelNames(model).type } : null;
  });
}

/** A record's change history (audit panel): the engine's `history`, one statement, read rules applied. */
export function historyResolver(model: ModelIR): Resolver {
  return guarded(async (args, context) => {
    if (typeof args.id !== "string" || !UUID_PATTERN.test(args.id)) {
      throw validationFailed([{ path: ["id"], rule: "type", message: `not a ${model.name} id (a uuid)` }]);
    }
    const events = await context.engine.model(model.name).history(args.id, requestOf(context));
    return events;
  });
}
