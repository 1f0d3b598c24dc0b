// Errors of the CSV routes in the JSON shape of the server's REST routes (server/plugins/restErrors):
// `{ error: { code, message, fieldErrors? } }`, with the HTTP status of the code. Kept here because
// the server depends on this package, and because fastify's own refusals (an unsupported content
// type, a body over the limit) keep their 4xx status.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { EngineError, type ErrorCode, type FieldError } from "@tessera/engine";

export interface CsvErrorBody {
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

export function sendCsvError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let status: number;
  let body: CsvErrorBody;
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
    const message = status === 415 ? "send the CSV as the request body with content-type: text/csv" : error.message;
    body = { error: { code: "VALIDATION_FAILED", message } };
  } else {
    request.log.error({ err: error }, "CSV route failed");
    status = 500;
    body = { error: { code: "INTERNAL", message: "the server failed to handle this request; the log has the details (request id in x-request-id)" } };
  }
  // An unread upload is not drained (it may be 100 MiB): the connection is closed after the answer.
  const upload = request.body as { readableEnded?: boolean; pipe?: unknown } | undefined;
  if (upload && typeof upload.pipe === "function" && upload.readableEnded === false) reply.header("connection", "close");
  return reply.code(status).send(body);
}
