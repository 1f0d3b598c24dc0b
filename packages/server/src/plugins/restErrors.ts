// One JSON error shape for the REST routes (`/api/*`, `/auth/dev/*`), with the codes GraphQL uses:
// `{ error: { code, message, fieldErrors? } }`. Unknown errors are logged and answered as INTERNAL
// without their message, which may carry SQL or stack details.
import type { FastifyReply, FastifyRequest } from "fastify";
import { EngineError, type ErrorCode } from "@tessera/engine";
import { isAuthError } from "@tessera/auth";
import { RateLimitedError, sendRateLimited } from "./rateLimit.ts";

const STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export interface RestErrorBody {
  error: { code: ErrorCode; message: string; fieldErrors?: EngineError["fieldErrors"] };
}

export function restError(code: ErrorCode, message: string, fieldErrors?: EngineError["fieldErrors"]): { status: number; body: RestErrorBody } {
  return { status: STATUS[code], body: { error: { code, message, ...(fieldErrors && fieldErrors.length > 0 ? { fieldErrors } : {}) } } };
}

export function sendRestError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  let answer: { status: number; body: RestErrorBody };
  if (isAuthError(error)) answer = restError(error.code, error.message);
  else if (error instanceof EngineError) answer = restError(error.code, error.message, error.fieldErrors);
  else if (error instanceof RateLimitedError) return sendRateLimited(request, reply, error);
  else {
    request.log.error({ err: error }, "REST route failed");
    answer = restError("INTERNAL", "the server failed to handle this request; the log has the details (request id in x-request-id)");
  }
  return reply.code(answer.status).send(answer.body);
}
