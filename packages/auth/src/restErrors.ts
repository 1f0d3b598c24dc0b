// The JSON error shape of every REST route (`/api/*`, `/auth/dev/*`): `{ error: { code, message,
// fieldErrors? } }` with the codes GraphQL uses and the HTTP status of the code. Engine errors keep
// their field errors, the auth layer's and the rate limiter's errors their status (and Retry-After),
// fastify's own refusals (unsupported content type, body over the limit) their 4xx. Anything else is
// logged and answered as INTERNAL without its message, which may carry SQL or stack details. It lives
// in the auth package, which every package with REST routes (csv, server) already builds on.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { EngineError, type ErrorCode, type FieldError } from "@tessera/engine";

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; fieldErrors?: FieldError[]; retryAfterSeconds?: number };
}

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

const CODES = new Set<string>(Object.keys(STATUS));

/** Errors carrying their own status and code: the auth layer's (401/403), the rate limiter's (429). */
interface CodedError {
  statusCode: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

function isCoded(error: unknown): error is CodedError {
  const e = error as Partial<CodedError> | null;
  return typeof e === "object" && e !== null && typeof e.statusCode === "number" && typeof e.code === "string" && CODES.has(e.code);
}

/** `unsupportedTypeHint`: what a 415 answer tells the caller to send instead. */
export function sendApiError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply, unsupportedTypeHint?: string): FastifyReply {
  let status: number;
  let body: ApiErrorBody;
  if (error instanceof EngineError) {
    status = typeof (error as Partial<CodedError>).statusCode === "number" ? (error as unknown as CodedError).statusCode : STATUS[error.code];
    body = { error: { code: error.code, message: error.message } };
    if (error.fieldErrors.length > 0) body.error.fieldErrors = error.fieldErrors.map((e) => ({ path: e.path, message: e.message, rule: e.rule }));
  } else if (isCoded(error)) {
    status = error.statusCode;
    body = { error: { code: error.code as ErrorCode, message: error.message } };
    if (error.retryAfterSeconds !== undefined) {
      body.error.retryAfterSeconds = error.retryAfterSeconds;
      reply.header("retry-after", String(Math.max(1, error.retryAfterSeconds)));
    }
  } else if (typeof (error as FastifyError).statusCode === "number" && (error as FastifyError).statusCode! < 500) {
    // fastify's own refusals: an unsupported content type (415), a malformed request (400), …
    status = (error as FastifyError).statusCode!;
    const message = status === 415 ? (unsupportedTypeHint ?? "this route does not accept that content-type") : error.message;
    body = { error: { code: "VALIDATION_FAILED", message } };
  } else {
    request.log.error({ err: error }, "REST route failed");
    status = 500;
    body = { error: { code: "INTERNAL", message: "the server failed to handle this request; the log has the details (request id in x-request-id)" } };
  }
  return reply.code(status).send(body);
}
