// Root query resolvers: each converts its whole selection into one engine call (one SQL statement);
// nested relationship fields then resolve from the returned objects with default resolvers.
import type { GraphQLFieldResolver } from "graphql";
import { EngineError, validationFailed, type AggregateResult, type Engine, type FindManyArgs, type Page, type RequestContext, type Repository } from "@tessera/engine";
import type { ModelIR, SchemaIR } from "@tessera/schema";
import type { GraphQLContext } from "../context.ts";
import { fromGlobalId } from "../globalId.ts";
import { modelNames } from "../names.ts";
import { asObject, findOne, guarded, requestOf, withoutNulls, type Args } from "./guarded.ts";
import { aggregateRequest, connectionSelection, rootRecordSelection, type AggregateRequest } from "./selection.ts";

type Resolver = GraphQLFieldResolver<Record<string, unknown>, GraphQLContext>;

const LIST_ARG_NAMES = ["where", "orderBy", "skip", "first", "last", "after", "before", "deleted"] as const;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function findManyArgs(args: Args): FindManyArgs {
  return withoutNulls(args, LIST_ARG_NAMES) as FindManyArgs;
}

export function singleResolver(ir: SchemaIR, model: ModelIR): Resolver {
  return guarded(async (args, context, info) => {
    const selection = rootRecordSelection(info, ir, model);
    const { deleted } = withoutNulls(args, ["deleted"]) as Pick<FindManyArgs, "deleted">;
    return findOne(context.engine.model(model.name), asObject(args.where) ?? {}, requestOf(context), selection, deleted);
  });
}

export function listResolver(ir: SchemaIR, model: ModelIR): Resolver {
  return guarded(async (args, context, info) => {
    const selection = rootRecordSelection(info, ir, model);
    const page = await context.engine.model(model.name).findMany({ ...findManyArgs(args), ...selection }, requestOf(context));
    return page.nodes;
  });
}

/** Whether the engine's findMany accepts `aggregate` (computed in the same statement); learnt on first use. */
const aggregateOptionSupport = new WeakMap<Engine, boolean>();

function isUnknownAggregateOption(error: unknown): boolean {
  return error instanceof EngineError && error.code === "VALIDATION_FAILED" && error.fieldErrors.some((e) => e.path[0] === "aggregate" && e.rule === "unknown_field");
}

/**
 * A page with its aggregates. With the engine's `aggregate` option this is one statement; on an
 * engine without it, `count` alone uses `withTotalCount` (still one statement) and sum/avg/min/max
 * cost a second statement.
 */
async function pageWithAggregate(engine: Engine, repo: Repository, args: FindManyArgs, request: AggregateRequest | undefined, ctx: RequestContext): Promise<{ page: Page; aggregate: AggregateResult | undefined }> {
  if (!request) return { page: await repo.findMany(args, ctx), aggregate: undefined };
  if (aggregateOptionSupport.get(engine) !== false) {
    try {
      const withAggregate: FindManyArgs & { aggregate: AggregateRequest } = { ...args, aggregate: request };
      const page = (await repo.findMany(withAggregate, ctx)) as Page & { aggregate?: AggregateResult };
      if (page.aggregate !== undefined) {
        aggregateOptionSupport.set(engine, true);
        return { page, aggregate: page.aggregate };
      }
      aggregateOptionSupport.set(engine, false);
    } catch (error) {
      if (!isUnknownAggregateOption(error)) throw error;
      aggregateOptionSupport.set(engine, false);
    }
  }
  const onlyCount = !request.sum && !request.avg && !request.min && !request.max;
  if (onlyCount) {
    const page = await repo.findMany({ ...args, withTotalCount: true }, ctx);
    return { page, aggregate: { count: page.totalCount } };
  }
  const [page, aggregate] = await Promise.all([
    repo.findMany(args, ctx),
    repo.aggregate({ where: args.where, deleted: args.deleted, ...request }, ctx),
  ]);
  return { page, aggregate };
}

export function connectionResolver(ir: SchemaIR, model: ModelIR): Resolver {
  return guarded(async (args, context, info) => {
    const { node, aggregate } = connectionSelection(info, ir, model);
    const repo = context.engine.model(model.name);
    const result = await pageWithAggregate(context.engine, repo, { ...findManyArgs(args), ...node }, aggregate, requestOf(context));
    const { page } = result;
    return {
      edges: page.nodes.map((n, i) => ({ node: n, cursor: page.cursors[i] })),
      pageInfo: page.pageInfo,
      aggregate: result.aggregate ?? {},
    };
  });
}

export function groupByResolver(ir: SchemaIR, model: ModelIR): Resolver {
  void ir;
  return guarded(async (args, context, info) => {
    const request = aggregateRequest(info, info.fieldNodes.map((n) => n.selectionSet));
    const { count: _count, ...functions } = request;
    void _count;
    const base = withoutNulls(args, ["by", "where", "orderBy", "deleted"]);
    // Groups can only be ordered by grouped fields. Checked here because the engine drops an order
    // on the primary key silently and then emits an empty ORDER BY; an empty list is the default order.
    const by = Array.isArray(base.by) ? (base.by as string[]) : [];
    if (Array.isArray(base.orderBy)) {
      const orderBy = base.orderBy as string[];
      const errors = orderBy.flatMap((key, i) => {
        const field = key.replace(/_(ASC|DESC)$/, "");
        return by.includes(field) ? [] : [{ path: ["orderBy", i], rule: "unknown_field", message: `'${field}' is not grouped by` }];
      });
      if (errors.length > 0) throw validationFailed(errors);
      if (orderBy.length === 0) delete base.orderBy;
    }
    return context.engine.model(model.name).groupBy({ ...base, ...functions, by }, requestOf(context));
  });
}

export function nodeResolver(ir: SchemaIR): Resolver {
  return guarded(async (args, context, info) => {
    const decoded = typeof args.id === "string" ? fromGlobalId(args.id) : undefined;
    const model = decoded ? ir.models.find((m) => m.name === decoded.model) : undefined;
    if (!decoded || !model || !UUID.test(decoded.id)) {
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
    if (typeof args.id !== "string" || !UUID.test(args.id)) {
      throw validationFailed([{ path: ["id"], rule: "type", message: `not a ${model.name} id (a uuid)` }]);
    }
    const events = await context.engine.model(model.name).history(args.id, requestOf(context));
    return events;
  });
}
