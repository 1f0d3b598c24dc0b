// Runs one GraphQL request outside HTTP (tests, workflows, server-side callers): parse, validate
// (with the depth limit), check the cost, execute; errors formatted as the HTTP API formats them.
import { execute, getOperationAST, getVariableValues, GraphQLError, parse, specifiedRules, validate } from "./graphqlRuntime.ts";
import type { DocumentNode, FormattedExecutionResult, GraphQLSchema } from "graphql";
import type { SchemaIR } from "@tessera/schema";
import type { GraphQLContext } from "./context.ts";
import { formatGraphQLError, validationError } from "./errors.ts";
import { GRAPHQL_WS_PATH } from "./subscriptions/graphqlWsPlugin.ts";
import { checkCost, checkWrites, countWrittenRecords, depthLimitRule, type QueryLimits } from "./limits.ts";

export interface ExecuteGraphQLOptions {
  schema: GraphQLSchema;
  ir: SchemaIR;
  source: string | DocumentNode;
  variableValues?: { [name: string]: unknown } | null;
  operationName?: string | null;
  contextValue: GraphQLContext;
  limits?: QueryLimits;
}

export interface GraphQLResponse extends FormattedExecutionResult {
  /** "request": rejected before execution (parse, validation, variables, limits) — HTTP 400. */
  phase: "request" | "execution";
}

function rejected(errors: readonly GraphQLError[]): GraphQLResponse {
  return { phase: "request", errors: errors.map((e) => formatGraphQLError(e, "request")) };
}

export async function executeGraphQL(options: ExecuteGraphQLOptions): Promise<GraphQLResponse> {
  let document: DocumentNode;
  try {
    document = typeof options.source === "string" ? parse(options.source) : options.source;
  } catch (error) {
    return rejected([error instanceof GraphQLError ? error : new GraphQLError(String(error))]);
  }
  const validationErrors = validate(options.schema, document, [...specifiedRules, depthLimitRule(options.limits?.maxDepth)]);
  if (validationErrors.length > 0) return rejected(validationErrors);
  const costErrors = checkCost(options.schema, document, {
    ir: options.ir,
    maxCost: options.limits?.maxCost,
    variables: options.variableValues,
    operationName: options.operationName,
  });
  if (costErrors.length > 0) return rejected(costErrors);
  const operation = getOperationAST(document, options.operationName ?? undefined);
  // Subscriptions need a stream (graphql-ws); `execute` would run their fields as plain resolvers.
  if (operation?.operation === "subscription") return rejected([validationError(`Subscriptions cannot be executed as a single request; subscribe over WebSocket at ${GRAPHQL_WS_PATH} (graphql-transport-ws protocol).`)]);
  const variables = options.variableValues;
  if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) {
    return rejected([validationError("variables must be an object (a map of names to values) or null")]);
  }
  if (operation) {
    const coerced = getVariableValues(options.schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) return rejected(coerced.errors);
    const writeErrors = checkWrites(countWrittenRecords(options.schema, document, { variables: coerced.coerced, operationName: options.operationName }), options.limits?.maxWriteRecords);
    if (writeErrors.length > 0) return rejected(writeErrors);
  }
  const result = await execute({
    schema: options.schema,
    document,
    variableValues: options.variableValues,
    operationName: options.operationName,
    contextValue: options.limits?.maxWriteRecords !== undefined ? { ...options.contextValue, maxWriteRecords: options.limits.maxWriteRecords } : options.contextValue,
  });
  // Errors without data come from variable coercion or operation selection: the request's fault.
  const phase = result.data === undefined ? "request" : "execution";
  const response: GraphQLResponse = { phase, data: result.data };
  if (result.errors) response.errors = result.errors.map((e) => formatGraphQLError(e, phase));
  return response;
}
