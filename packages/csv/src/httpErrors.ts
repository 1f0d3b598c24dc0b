// The CSV routes answer errors like every REST route (`sendApiError`), with one addition: an upload
// the route did not read is not drained (it may be 100 MiB), the connection is closed after the answer.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { sendApiError } from "@tessera/auth";

export function sendCsvError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const upload = request.body as { readableEnded?: boolean; pipe?: unknown } | undefined;
  if (upload && typeof upload.pipe === "function" && upload.readableEnded === false) reply.header("connection", "close");
  return sendApiError(error, request, reply, "send the CSV as the request body with content-type: text/csv");
}
