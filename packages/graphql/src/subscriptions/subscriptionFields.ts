// Resolvers of `<model>Changed(where, events)`: `subscribe` checks the subscription with the engine
// and opens a change stream on the node's hub; `resolve` turns each streamed item into the field's
// value (or its error).
import type { GraphQLFieldResolver, GraphQLResolveInfo } from "graphql";
import { EngineError, validationFailed, type FieldError, type Where } from "@tessera/engine";
import type { ModelIR, SchemaIR } from "@tessera/schema";
import type { GraphQLContext } from "../context.ts";
import { toGraphQLError } from "../errors.ts";
import { asObject, requestOf } from "../resolvers/guarded.ts";
import { NODE_TYPE } from "../resolvers/nodeType.ts";
import { collectFieldNodes, recordSelection } from "../resolvers/selection.ts";
import { ChangeFailure, type ChangeEventHub } from "./ChangeEventHub.ts";
import { CHANGE_TYPES, checkSubscription, type ChangeSubscriptionSpec, type ChangeType } from "./changeEvents.ts";

/** The context of operations over `/graphql/ws`: the HTTP context plus this node's change hub. */
export interface SubscriptionContext extends GraphQLContext {
  changes?: ChangeEventHub;
}

type Args = { [name: string]: unknown };

function eventsArg(value: unknown): ReadonlySet<ChangeType> | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) {
    throw validationFailed([{ path: ["events"], rule: "required", message: "give at least one event type, or leave `events` out for all of them" }]);
  }
  const known = new Set<string>(CHANGE_TYPES);
  const errors: FieldError[] = [];
  list.forEach((v, i) => {
    if (typeof v !== "string" || !known.has(v)) errors.push({ path: ["events", i], rule: "type", message: "not a ChangeEventType" });
  });
  if (errors.length > 0) throw validationFailed(errors);
  return new Set(list as ChangeType[]);
}

/** `previous` carries the record's own fields from the event log; relationships are not read for it. */
function checkPreviousSelection(info: GraphQLResolveInfo, model: ModelIR): void {
  const top = collectFieldNodes(info, info.fieldNodes.map((n) => n.selectionSet), "any");
  const previous = top.get("previous") ?? [];
  const fields = collectFieldNodes(info, previous.map((n) => n.selectionSet), new Set([model.name, NODE_TYPE]));
  const errors: FieldError[] = [];
  for (const name of fields.keys()) {
    if (model.relations.some((r) => r.name === name)) {
      errors.push({
        path: [info.path.key, "previous", name],
        rule: "unsupported",
        message: `'previous' is the ${model.name} as the event log recorded it, without relationships: select '${name}' on 'node'`,
      });
    }
  }
  if (errors.length > 0) throw validationFailed(errors);
}

/** The `subscribe` resolver of `<model>Changed`. */
export function changeSubscriber(ir: SchemaIR, model: ModelIR): GraphQLFieldResolver<unknown, SubscriptionContext, Args> {
  return async (_source, args, context, info) => {
    try {
      const hub = context?.changes;
      if (!hub) throw new EngineError("VALIDATION_FAILED", WS_ONLY);
      const request = requestOf(context);
      checkPreviousSelection(info, model);
      const top = collectFieldNodes(info, info.fieldNodes.map((n) => n.selectionSet), "any");
      const nodeFields = top.get("node") ?? [];
      const where = args.where === undefined || args.where === null ? undefined : (asObject(args.where) as Where | undefined);
      const spec: ChangeSubscriptionSpec = {
        model,
        request,
        where,
        events: eventsArg(args.events),
        nodeSelection: recordSelection(info, ir, model, nodeFields.map((n) => n.selectionSet), [info.path.key, "node"]),
      };
      await checkSubscription(hub.engine, ir, spec);
      return hub.open(spec);
    } catch (error) {
      throw toGraphQLError(error);
    }
  };
}

const WS_ONLY = "subscriptions are served over WebSocket at /graphql/ws (graphql-ws protocol)";

/**
 * The `resolve` of `<model>Changed`: each stream item is the event, or the error to report. Without
 * an item the operation was executed rather than subscribed (e.g. POSTed to /graphql).
 */
export function changeResolver(): GraphQLFieldResolver<unknown, SubscriptionContext> {
  return (item) => {
    if (item instanceof ChangeFailure) throw toGraphQLError(item.error);
    if (item === undefined || item === null) throw toGraphQLError(new EngineError("VALIDATION_FAILED", WS_ONLY));
    return item;
  };
}
