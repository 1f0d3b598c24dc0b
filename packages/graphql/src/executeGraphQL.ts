// Runs one GraphQL request outside HTTP (tests, workflows, server-side callers): parse, validate
// (with the depth limit), check the cost, execute; errors formatted as the HTTP API formats them.
import { execute, GraphQLError, parse, specifiedRules, validate } from "./graphqlRuntime.ts";
import type { DocumentNode, FormattedExecutionResult, GraphQLSchema } from "graphql";
import type { SchemaIR } from "@tessera/schema";
import type { GraphQLContext } from "./context.ts";
import { formatGraphQLError } from "./errors.ts";
import { checkCost, depthLimitRule, type QueryLimits } from "./limits.ts";

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
  const result = await execute({
    schema: options.schema,
    document,
    variableValues: options.variableValues,
    operationName: options.operationName,
    contextValue: options.contextValue,
  });
  // Errors without data come from variable coercion or operation selection: the request's fault.
  const phase = result.data === undefined ? "request" : "execution";
  const response: GraphQLResponse = { phase, data: result.data };
  if (result.errors) response.errors = result.errors.map((e) => formatGraphQLError(e, phase));
  return response;
}
