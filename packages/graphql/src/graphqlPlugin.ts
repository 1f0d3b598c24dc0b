// POST and GET /graphql on fastify through mercurius. The auth layer's `resolveContext` turns each
// HTTP request into a RequestContext (tenant, principal) before anything runs; an error it throws
// with statusCode 401/403 (or an EngineError UNAUTHENTICATED/FORBIDDEN) becomes that HTTP status.
// Parse/validation/limit errors answer 400; resolver errors answer 200 with `errors`.
// GraphiQL (/graphiql) only when NODE_ENV !== "production". Subscriptions are not enabled here.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import mercurius, { type MercuriusContext } from "mercurius";
import { GraphQLError, getOperationAST, getVariableValues } from "./graphqlRuntime.ts";
import type { DocumentNode, ExecutionResult, GraphQLFormattedError, GraphQLSchema } from "graphql";
import { EngineError, type Engine, type ErrorCode, type RequestContext } from "@tessera/engine";
import type { SchemaIR } from "@tessera/schema";
import { buildGraphQLSchema } from "./buildGraphQLSchema.ts";
import type { GraphQLContext } from "./context.ts";
import { formatGraphQLError, INTERNAL_MESSAGE, rootCause } from "./errors.ts";
import { checkCost, depthLimitRule, type QueryLimits } from "./limits.ts";
import { hasRecursiveVariable } from "./recursiveInputs.ts";
import { traceRootResolvers } from "./tracing.ts";

export interface GraphQLPluginOptions {
  engine: Engine;
  ir: SchemaIR;
  /** The request's identity; throw an error with `statusCode` 401 or 403 to refuse it. */
  resolveContext: (request: FastifyRequest) => Promise<RequestContext>;
  limits?: QueryLimits;
  /** A schema built earlier with buildGraphQLSchema(ir); built here when absent. */
  schema?: GraphQLSchema;
  /** Defaults to NODE_ENV !== "production". */
  graphiql?: boolean;
  /**
   * After how many runs of the same query text it is compiled to JavaScript (graphql-jit) instead
   * of interpreted by graphql-js; `false` never. Default 1: from the second run on.
   */
  jit?: number | false;
}

interface RejectedRequest extends Error {
  statusCode: number;
  errors: GraphQLError[];
}

function rejectedRequest(errors: GraphQLError[]): RejectedRequest {
  return Object.assign(new Error(errors[0]?.message ?? "Bad request"), { statusCode: 400, errors });
}

/**
 * Interpreting a selection costs graphql-js about a microsecond per field of every record; a list
 * of 50 deals with two includes has some 700. A compiled query does the same work in a fraction.
 */
const DEFAULT_JIT_AFTER_RUNS = 1;

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };
const CODE_BY_STATUS: { [status: number]: ErrorCode } = { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 429: "RATE_LIMITED" };

function statusOf(error: unknown): number {
  if (error instanceof EngineError) return STATUS_BY_CODE[error.code] ?? (error.code === "INTERNAL" ? 500 : 400);
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}

interface ErrorWithDetails extends Error {
  statusCode?: number;
  errors?: unknown[];
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError(error instanceof Error ? error.message : String(error));
}

function formatResponse(execution: ExecutionResult & { errors: readonly GraphQLError[] }, context: MercuriusContext): { statusCode: number; response: { data: ExecutionResult["data"] | null; errors: GraphQLFormattedError[] } } {
  const log = context.reply?.log ?? context.app.log;
  let statusCode = 200;
  const errors: GraphQLFormattedError[] = [];
  for (const error of execution.errors) {
    const original = error.originalError as ErrorWithDetails | undefined;
    const originalStatus = typeof original?.statusCode === "number" ? original.statusCode : undefined;
    if (original && Array.isArray(original.errors) && !(original instanceof EngineError)) {
      // mercurius' validation wrapper (syntax, validation, variables, depth) or our cost rejection.
      statusCode = Math.max(statusCode, originalStatus ?? 400);
      for (const inner of original.errors) errors.push(formatGraphQLError(asGraphQLError(inner), "request"));
      continue;
    }
    if (execution.data === undefined && !original) {
      // Raised before execution began (no `data` at all): a compiled query's variable coercion.
      statusCode = Math.max(statusCode, 400);
      errors.push(formatGraphQLError(error, "request"));
      continue;
    }
    if (!execution.data && originalStatus !== undefined && !(original instanceof EngineError) && !(original instanceof GraphQLError)) {
      // HTTP-level problems: malformed JSON body (400), mutation over GET (405), …
      statusCode = Math.max(statusCode, originalStatus);
      if (originalStatus < 500) {
        errors.push(formatGraphQLError(error, "request"));
        continue;
      }
    }
    const formatted = formatGraphQLError(error, "execution");
    if (formatted.extensions?.code === "INTERNAL") log.error({ err: rootCause(error) }, "GraphQL resolver failed");
    errors.push(formatted);
  }
  // An anonymous request for data that needs a login is a 401, so clients (and curl users) see
  // the same status as for a missing token on any other path; public fields still answer 200.
  if (statusCode === 200 && errors.length > 0 && errors.every((e) => e.extensions?.code === "UNAUTHENTICATED")) statusCode = 401;
  return { statusCode, response: { data: execution.data ?? null, errors } };
}

export const graphqlPlugin: FastifyPluginAsync<GraphQLPluginOptions> = async (app, options) => {
  const schema = traceRootResolvers(options.schema ?? buildGraphQLSchema(options.ir));
  const identities = new WeakMap<FastifyRequest, RequestContext>();

  async function resolveIdentity(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    try {
      identities.set(request, await options.resolveContext(request));
      return undefined;
    } catch (error) {
      const status = statusOf(error);
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? "INTERNAL" : "VALIDATION_FAILED");
      if (status >= 500) request.log.error({ err: error }, "resolving the request context failed");
      const message = status >= 500 ? INTERNAL_MESSAGE : error instanceof Error ? error.message : String(error);
      return reply.code(status).send({ data: null, errors: [{ message, extensions: { code } }] });
    }
  }

  await app.register(mercurius, {
    schema,
    path: "/graphql",
    graphiql: options.graphiql ?? process.env.NODE_ENV !== "production",
    validationRules: [depthLimitRule(options.limits?.maxDepth)],
    ...(options.jit === false ? {} : { jit: options.jit ?? DEFAULT_JIT_AFTER_RUNS }),
    context: (request: FastifyRequest): GraphQLContext => ({ engine: options.engine, request: identities.get(request) }),
    errorFormatter: formatResponse,
    additionalRouteOptions: { preHandler: resolveIdentity },
  });

  app.graphql.addHook("preExecution", async (execSchema, document, context, variables) => {
    // `variables: null` means none, as mercurius and graphql-js read it.
    if (variables !== undefined && variables !== null) {
      const errors = variableErrors(execSchema, document, variables, operationNameOf(context.reply?.request));
      if (errors.length > 0) throw rejectedRequest(errors);
    }
    const errors = checkCost(execSchema, document, { ir: options.ir, maxCost: options.limits?.maxCost, variables: variables as { [name: string]: unknown } | undefined });
    if (errors.length > 0) throw rejectedRequest(errors);
    // Handing mercurius the document as "modified" makes it interpret this request, never compile it.
    if (hasRecursiveVariable(execSchema, document)) return { document };
    return undefined;
  });
};

function operationNameOf(request: FastifyRequest | undefined): string | undefined {
  const source = (request?.method === "GET" ? request.query : request?.body) as { operationName?: unknown } | undefined;
  return typeof source?.operationName === "string" ? source.operationName : undefined;
}

/**
 * graphql-js' coercion errors for the request's variables. mercurius checks variables itself except
 * on the run that compiles a query (graphql-jit then coerces them with other messages); checking
 * here on every run keeps a bad variable's answer the same whether the query is compiled or not.
 */
function variableErrors(schema: GraphQLSchema, document: DocumentNode, variables: object, operationName: string | undefined): GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables as { [name: string]: unknown }, { maxErrors: 50 });
  return coerced.errors ? [...coerced.errors] : [];
}
