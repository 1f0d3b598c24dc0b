// OpenTelemetry spans for GraphQL root fields. Only root fields do work (one engine call each; child
// fields read the returned objects), so a span per root resolver covers every database round trip
// without a span per scalar. Without a registered SDK the API is a no-op, so the exporter is optional:
// an operator registers one (e.g. with NODE_OPTIONS=--require …) and the spans appear.
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { GraphQLFieldResolver, GraphQLSchema } from "graphql";
import { EngineError } from "@tessera/engine";

const tracer = trace.getTracer("@tessera/graphql");

/** Wraps every Query and Mutation field resolver of `schema` in a span named `graphql.Query.deals`. */
export function traceRootResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      const name = `graphql.${root.name}.${field.name}`;
      const traced: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) =>
        tracer.startActiveSpan(name, { attributes: { "graphql.operation.type": root.name.toLowerCase(), "graphql.field.name": field.name } }, async (span) => {
          try {
            return await resolve(source, args, context, info);
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
            const code = error instanceof EngineError ? error.code : (error as { extensions?: { code?: unknown } }).extensions?.code;
            if (typeof code === "string") span.setAttribute("tessera.error.code", code);
            throw error;
          } finally {
            span.end();
          }
        });
      field.resolve = traced;
    }
  }
  return schema;
}
