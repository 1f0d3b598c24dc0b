// POST and GET /graphql on fastify through mercurius. The auth layer's `resolveContext` turns each
// HTTP request into a RequestContext (tenant, principal) before anything runs; an error it throws
// with statusCode 401/403 (or an EngineError UNAUTHENTICATED/FORBIDDEN) becomes that HTTP status.
// Parse/validation/limit errors answer 400; resolver errors answer 200 with `errors`.
// GraphiQL (/graphiql) only when NODE_ENV !== "production". Subscriptions are not enabled here.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import mercurius, { type MercuriusContext } from "mercurius";
import { GraphQLError, getOperationAST, getVariableValues, Kind, parse } from "./graphqlRuntime.ts";
import type { DocumentNode, ExecutionResult, GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from "graphql";
import { EngineError, type Engine, type ErrorCode, type RequestContext } from "@tessera/engine";
import type { SchemaIR } from "@tessera/schema";
import { buildGraphQLSchema } from "./buildGraphQLSchema.ts";
import type { GraphQLContext } from "./context.ts";
import { formatGraphQLError, INTERNAL_MESSAGE, rootCause, validationError } from "./errors.ts";
import { checkCost, checkWrites, countWrittenRecords, depthLimitRule, type QueryLimits } from "./limits.ts";
import { hasRecursiveVariable } from "./recursiveInputs.ts";
import { traceRootResolvers } from "./tracing.ts";
import { GRAPHQL_RESPONSE_MEDIA_TYPE, responseMediaType } from "./responseMediaType.ts";
import { GRAPHQL_WS_PATH } from "./subscriptions/graphqlWsPlugin.ts";

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
  /**
   * Called before a mutation runs with the records it will write (limits.ts countWrittenRecords),
   * so the server can charge them against the principal's rate limit. Throw an error with
   * `statusCode` 429 (and `retryAfterSeconds`) to refuse the request before anything is written.
   */
  chargeWrites?: (request: FastifyRequest, records: number) => Promise<void>;
  /**
   * Whether an anonymous request may introspect the schema (`__schema`, `__type`). Default
   * NODE_ENV !== "production": in production the schema is shown to authenticated principals only.
   */
  anonymousIntrospection?: boolean;
}

interface RejectedRequest extends Error {
  statusCode: number;
  errors: GraphQLError[];
}

function rejectedRequest(errors: GraphQLError[], statusCode = 400): RejectedRequest {
  return Object.assign(new Error(errors[0]?.message ?? "Bad request"), { statusCode, errors });
}

const isPlainObject = (value: unknown): value is { [key: string]: unknown } => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * What GraphQL over HTTP requires of a request's parameters (query a string; variables and
 * extensions maps; operationName a string), checked before mercurius sees them: mercurius hands
 * other shapes to graphql-js, which fails inside (INTERNAL) or differently on compiled runs.
 */
function requestShapeError(request: FastifyRequest): string | undefined {
  const where = request.method === "GET" ? "querystring" : "body";
  let params: unknown = request.method === "GET" ? request.query : request.body;
  // `application/graphql` bodies are the document itself.
  if (typeof params === "string" && request.method !== "GET") params = { query: params };
  if (!isPlainObject(params)) return `${where} must be a JSON object with a "query" string`;
  if (typeof params.query !== "string") return `${where}/query must be a string holding the GraphQL document`;
  if (params.operationName !== undefined && params.operationName !== null && typeof params.operationName !== "string") return `${where}/operationName must be a string or null`;
  for (const name of ["variables", "extensions"] as const) {
    let value = params[name];
    if (value === undefined || value === null) continue;
    if (request.method === "GET") {
      // On GET they travel as JSON text (GraphQL over HTTP, "GET").
      if (typeof value !== "string") return `${where}/${name} must be JSON text of an object`;
      try {
        value = JSON.parse(value);
      } catch (error) {
        return `${where}/${name} is not valid JSON: ${(error as Error).message}`;
      }
      if (value === null) continue;
    }
    if (!isPlainObject(value)) return `${where}/${name} must be an object (a map of names to values) or null`;
  }
  return undefined;
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

  // GraphQL over HTTP: the media type the client asked for, on every answer of /graphql (errors included).
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.routeOptions.url !== "/graphql") return payload;
    if (!String(reply.getHeader("content-type") ?? "").startsWith("application/json")) return payload;
    if (responseMediaType(request.headers) === GRAPHQL_RESPONSE_MEDIA_TYPE) reply.header("content-type", `${GRAPHQL_RESPONSE_MEDIA_TYPE}; charset=utf-8`);
    return payload;
  });

  async function resolveIdentity(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const shapeError = requestShapeError(request);
    if (shapeError) return reply.code(400).send({ data: null, errors: [{ message: shapeError, extensions: { code: "VALIDATION_FAILED" } }] });
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
    context: (request: FastifyRequest): GraphQLContext => ({
      engine: options.engine,
      request: identities.get(request),
      ...(options.limits?.maxWriteRecords !== undefined ? { maxWriteRecords: options.limits.maxWriteRecords } : {}),
    }),
    errorFormatter: formatResponse,
    additionalRouteOptions: { preHandler: resolveIdentity },
  });

  // mercurius reads a query text that does not parse as JSON of a document AST (`"5"` becomes the
  // document 5), and graphql-js then fails inside. Only a document parsed from the query text itself
  // carries that text as its source; anything else answers the syntax error of the text.
  app.graphql.addHook("preValidation", async (_schema, document, context) => {
    const source = (context as { __currentQuery?: unknown }).__currentQuery;
    if (typeof source === "string" && document?.loc?.source.body !== source) {
      try {
        parse(source);
      } catch (error) {
        throw rejectedRequest([error instanceof GraphQLError ? error : new GraphQLError(String(error))]);
      }
      throw rejectedRequest([new GraphQLError("The query is not a GraphQL document.")]);
    }
  });

  const anonymousIntrospection = options.anonymousIntrospection ?? process.env.NODE_ENV !== "production";

  app.graphql.addHook("preExecution", async (execSchema, document, context, variables) => {
    const request = context.reply?.request;
    const operationName = operationNameOf(request);
    const operation = getOperationAST(document, operationName);
    if (operation?.operation === "subscription") {
      throw rejectedRequest([validationError(`Subscriptions are not served over HTTP; subscribe over WebSocket at ${GRAPHQL_WS_PATH} (graphql-transport-ws protocol).`)]);
    }
    if (!anonymousIntrospection && !identities.get(request!)?.principal && operation && usesIntrospection(document, operation)) {
      throw rejectedRequest([new GraphQLError("Introspection needs an authenticated principal here: send a token or an API key.", { extensions: { code: "UNAUTHENTICATED" } })], 401);
    }
    // `variables: null` means none, as mercurius and graphql-js read it.
    let coerced: { [name: string]: unknown } = {};
    if (variables !== undefined && variables !== null && operation) {
      const result = getVariableValues(execSchema, operation.variableDefinitions ?? [], variables as { [name: string]: unknown }, { maxErrors: 50 });
      if (result.errors) throw rejectedRequest([...result.errors]);
      coerced = result.coerced;
    }
    const errors = checkCost(execSchema, document, { ir: options.ir, maxCost: options.limits?.maxCost, variables: variables as { [name: string]: unknown } | undefined });
    if (errors.length > 0) throw rejectedRequest(errors);
    const records = countWrittenRecords(execSchema, document, { variables: coerced, operationName });
    if (records > 0) {
      const writeErrors = checkWrites(records, options.limits?.maxWriteRecords);
      if (writeErrors.length > 0) throw rejectedRequest(writeErrors);
      if (options.chargeWrites && request) {
        try {
          await options.chargeWrites(request, records);
        } catch (error) {
          const status = statusOf(error);
          const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
          if (typeof retryAfter === "number") context.reply.header("retry-after", String(Math.max(1, retryAfter)));
          const extensions = { code: CODE_BY_STATUS[status] ?? "INTERNAL", ...(typeof retryAfter === "number" ? { retryAfterSeconds: retryAfter } : {}) };
          throw rejectedRequest([new GraphQLError(status >= 500 ? INTERNAL_MESSAGE : (error as Error).message, { extensions })], status);
        }
      }
    }
    // Handing mercurius the document as "modified" makes it interpret this request, never compile it.
    if (hasRecursiveVariable(execSchema, document)) return { document };
    return undefined;
  });
};

function operationNameOf(request: FastifyRequest | undefined): string | undefined {
  const source = (request?.method === "GET" ? request.query : request?.body) as { operationName?: unknown } | undefined;
  return typeof source?.operationName === "string" ? source.operationName : undefined;
}

/** Whether the operation (or a fragment it spreads) selects `__schema` or `__type` anywhere. */
function usesIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, SelectionSetNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def.selectionSet);
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): boolean =>
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === "__schema" || selection.name.value === "__type" || (selection.selectionSet !== undefined && visit(selection.selectionSet));
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(selection.name.value)) return false;
      seen.add(selection.name.value);
      return visit(fragment);
    });
  return visit(operation.selectionSet);
}
