// Root mutation resolvers: one engine write (several for nested relationship inputs, see
// nestedWrites.ts), then — only when the selection asks for relationships — one read of the
// written record with the whole selection.
import type { GraphQLFieldResolver, GraphQLResolveInfo } from "graphql";
import type { RecordData, RequestContext, Where } from "@tessera/engine";
import type { ModelIR, SchemaIR } from "@tessera/schema";
import type { GraphQLContext } from "../context.ts";
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

export function mutationResolvers(ir: SchemaIR, model: ModelIR): MutationResolvers {
  const repo = (context: GraphQLContext) => context.engine.model(model.name);

  /** The written record, re-read with the selection's relationships when it has any. */
  async function readBack(context: GraphQLContext, request: RequestContext, info: GraphQLResolveInfo, record: RecordData): Promise<RecordData | null> {
    const selection = rootRecordSelection(info, ir, model);
    if (!hasIncludes(selection)) return record;
    return findOne(repo(context), { [model.primaryKey]: record[model.primaryKey] }, request, selection, "include");
  }

  const writer = (context: GraphQLContext, request: RequestContext) => new NestedWriter(context.engine, ir, request);

  return {
    create: guarded(async (args, context, info) => {
      const request = requestOf(context);
      const record = await writer(context, request).create(model, asObject(args.data) ?? {});
      return readBack(context, request, info, record);
    }),
    update: guarded(async (args, context, info) => {
      const request = requestOf(context);
      const expectedVersion = typeof args.expectedVersion === "number" ? args.expectedVersion : undefined;
      const record = await writer(context, request).update(model, whereOf(args), asObject(args.data) ?? {}, expectedVersion);
      return readBack(context, request, info, record);
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
    updateMany: guarded(async (args, context) => repo(context).updateMany(whereOf(args), asObject(args.data) ?? {}, requestOf(context))),
    deleteMany: guarded(async (args, context) => repo(context).deleteMany(whereOf(args), requestOf(context))),
  };
}
