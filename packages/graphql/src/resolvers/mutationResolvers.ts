// Root mutation resolvers. create/update (with any nested relationship inputs, see nestedWrites.ts)
// are one engine write tree: one transaction that also reads the selection back when it asks for
// relationships. The other mutations are one engine write, then — only when the selection asks for
// relationships — one read of the written record with the whole selection.
import type { GraphQLFieldResolver, GraphQLResolveInfo } from "graphql";
import { EngineError, type RecordData, type RequestContext, type Selection, type Where } from "@tessera/engine";
import type { ModelIR, SchemaIR } from "@tessera/schema";
import type { GraphQLContext } from "../context.ts";
import { DEFAULT_MAX_WRITE_RECORDS } from "../limits.ts";
import { asObject, findOne, guarded, requestOf } from "./guarded.ts";
import { NestedWriter } from "./nestedWrites.ts";
import { hasIncludes, rootRecordSelection } from "./selection.ts";

type Resolver = GraphQLFieldResolver<Record<string, unknown>, GraphQLContext>;

export interface MutationResolvers {
  create: Resolver;
  update: Resolver;
  upsert: Resolver;
  delete: Resolver;
  restore: Resolver;
  destroy: Resolver;
  updateMany: Resolver;
  deleteMany: Resolver;
}

function whereOf(args: { [name: string]: unknown }): Where {
  return asObject(args.where) ?? {};
}

/**
 * Refuses an updateMany/deleteMany whose filter matches more rows than one request may write, before
 * it writes anything. The count is of rows the principal may read (a superset of those it may change),
 * one statement ahead of the write: rows created in between can pass the cap by that many.
 */
async function checkManyCap(context: GraphQLContext, model: ModelIR, where: Where, request: RequestContext): Promise<void> {
  const max = context.maxWriteRecords ?? DEFAULT_MAX_WRITE_RECORDS;
  const { count = 0 } = await context.engine.model(model.name).aggregate({ where, count: true }, request);
  if (count > max) {
    throw new EngineError("VALIDATION_FAILED", `the filter matches ${count} ${model.plural}; one request may write at most ${max} records (maxWriteRecords): narrow the where filter and repeat`, [
      { path: ["where"], message: `matches ${count} records, over the limit of ${max} per request`, rule: "maxWriteRecords" },
    ]);
  }
}

export function mutationResolvers(ir: SchemaIR, model: ModelIR): MutationResolvers {
  const repo = (context: GraphQLContext) => context.engine.model(model.name);

  /** The written record, re-read with the selection's relationships when it has any. */
  async function readBack(context: GraphQLContext, request: RequestContext, info: GraphQLResolveInfo, record: RecordData): Promise<RecordData | null> {
    const selection = rootRecordSelection(info, ir, model);
    if (!hasIncludes(selection)) return record;
    return findOne(repo(context), { [model.primaryKey]: record[model.primaryKey] }, request, selection, "include");
  }

  const writer = (context: GraphQLContext, request: RequestContext) => new NestedWriter(context.engine, ir, request);

  /** The selection the write tree reads back in its transaction; none when the written row answers it. */
  function treeSelection(info: GraphQLResolveInfo): Selection | undefined {
    const selection = rootRecordSelection(info, ir, model);
    return hasIncludes(selection) ? selection : undefined;
  }

  return {
    create: guarded(async (args, context, info) => {
      const request = requestOf(context);
      return writer(context, request).create(model, asObject(args.data) ?? {}, treeSelection(info));
    }),
    update: guarded(async (args, context, info) => {
      const request = requestOf(context);
      const expectedVersion = typeof args.expectedVersion === "number" ? args.expectedVersion : undefined;
      return writer(context, request).update(model, whereOf(args), asObject(args.data) ?? {}, expectedVersion, treeSelection(info));
    }),
    upsert: guarded(async (args, context, info) => {
      const request = requestOf(context);
      const upsert = asObject(args.upsert) ?? {};
      const record = await writer(context, request).upsert(model, whereOf(args), asObject(upsert.create) ?? {}, asObject(upsert.update) ?? {});
      return readBack(context, request, info, record);
    }),
    delete: guarded(async (args, context, info) => {
      const request = requestOf(context);
      const selection = rootRecordSelection(info, ir, model);
      // Without soft deletes, delete is a hard delete: read the relationships first, as destroy does.
      const before = !ir.config.softDeletes && hasIncludes(selection) ? await repo(context).findUnique(whereOf(args), request, selection) : null;
      const record = await repo(context).delete(whereOf(args), request);
      return before ?? (ir.config.softDeletes ? readBack(context, request, info, record) : record);
    }),
    restore: guarded(async (args, context, info) => {
      const request = requestOf(context);
      const record = await repo(context).restore(whereOf(args), request);
      return readBack(context, request, info, record);
    }),
    destroy: guarded(async (args, context, info) => {
      const request = requestOf(context);
      const selection = rootRecordSelection(info, ir, model);
      // The record is gone afterwards: relationships asked for are read first, as they were.
      const before = hasIncludes(selection) ? await findOne(repo(context), whereOf(args), request, selection, "include") : null;
      const record = await repo(context).destroy(whereOf(args), request);
      return before ?? record;
    }),
    updateMany: guarded(async (args, context) => {
      const request = requestOf(context);
      await checkManyCap(context, model, whereOf(args), request);
      return repo(context).updateMany(whereOf(args), asObject(args.data) ?? {}, request);
    }),
    deleteMany: guarded(async (args, context) => {
      const request = requestOf(context);
      await checkManyCap(context, model, whereOf(args), request);
      return repo(context).deleteMany(whereOf(args), request);
    }),
  };
}
