// Engine errors become GraphQL errors with `extensions: { code, fieldErrors }`; anything else is
// INTERNAL with a generic message (the original stays on `originalError` for logs, never in the response).
import { GraphQLError } from "./graphqlRuntime.ts";
import type { GraphQLFormattedError } from "graphql";
import { EngineError, type ErrorCode, type FieldError } from "@tessera/engine";

export const INTERNAL_MESSAGE = "Internal server error";

export interface TesseraErrorExtensions {
  code: ErrorCode;
  fieldErrors?: FieldError[];
  [key: string]: unknown;
}

/** The GraphQL error for anything a resolver throws. */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError && typeof error.extensions?.code === "string") return error;
  if (error instanceof EngineError) {
    const extensions: TesseraErrorExtensions = { code: error.code };
    if (error.fieldErrors.length > 0) extensions.fieldErrors = error.fieldErrors.map((e) => ({ path: e.path, message: e.message, rule: e.rule }));
    return new GraphQLError(error.message, { originalError: error, extensions });
  }
  return new GraphQLError(INTERNAL_MESSAGE, { originalError: error instanceof Error ? error : new Error(String(error)), extensions: { code: "INTERNAL" } });
}

/** A VALIDATION_FAILED error raised by the GraphQL layer itself (limits, unsupported inputs). */
export function validationError(message: string, fieldErrors: FieldError[] = []): GraphQLError {
  const extensions: TesseraErrorExtensions = { code: "VALIDATION_FAILED" };
  if (fieldErrors.length > 0) extensions.fieldErrors = fieldErrors;
  return new GraphQLError(message, { extensions });
}

/** The innermost non-GraphQL cause of an error, for logging. */
export function rootCause(error: GraphQLError): unknown {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/**
 * The response form of an error that reached the response. Errors carrying a code keep it; GraphQL's
 * own errors (syntax, validation, variable coercion: `phase: "request"`) get VALIDATION_FAILED;
 * errors during execution without a code are INTERNAL, with a generic message unless they come
 * from graphql-js itself (which never holds SQL or stack traces).
 */
export function formatGraphQLError(error: GraphQLError, phase: "request" | "execution"): GraphQLFormattedError {
  const formatted = error.toJSON();
  // graphql-jit's errors leave `extensions` undefined when there are none.
  const code = error.extensions?.code;
  if (typeof code === "string") return formatted;
  if (phase === "request") return { ...formatted, extensions: { ...formatted.extensions, code: "VALIDATION_FAILED" } };
  const cause = rootCause(error);
  const fromGraphQL = cause instanceof GraphQLError;
  return { ...formatted, message: fromGraphQL ? formatted.message : INTERNAL_MESSAGE, extensions: { code: "INTERNAL" } };
}
