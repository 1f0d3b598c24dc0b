// The `connection_init` payload of /graphql/ws as HTTP-like headers, so the auth layer's request
// authenticator (which reads `authorization`, `x-api-key` and `x-tenant-id`) serves WebSocket
// connections unchanged. Accepted keys: `authorization` ("Bearer <jwt or API key>"; also spelled
// `Authorization`), `token` (the bare JWT or API key), `tenantId`. Anything else is refused (4400):
// an input the API does not understand is an error, never ignored.
import type { IncomingHttpHeaders } from "node:http";
import type { ConnectionParams } from "./graphqlWsPlugin.ts";

export class ConnectionParamsError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = "ConnectionParamsError";
  }
}

const KNOWN = ["authorization", "Authorization", "token", "tenantId"];

function text(params: ConnectionParams, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new ConnectionParamsError(`connection_init payload: '${key}' must be a string`);
  return value;
}

export function connectionHeaders(params: ConnectionParams): IncomingHttpHeaders {
  const unknown = Object.keys(params).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) throw new ConnectionParamsError(`connection_init payload: unknown key '${unknown[0]}' (use authorization, token, tenantId)`);
  const authorization = text(params, "authorization") ?? text(params, "Authorization");
  const token = text(params, "token");
  if (authorization !== undefined && token !== undefined) throw new ConnectionParamsError("connection_init payload: send either 'authorization' or 'token', not both");
  const headers: IncomingHttpHeaders = {};
  if (authorization !== undefined) headers.authorization = authorization;
  else if (token !== undefined) headers.authorization = `Bearer ${token.trim()}`;
  const tenantId = text(params, "tenantId");
  if (tenantId !== undefined) headers["x-tenant-id"] = tenantId;
  return headers;
}
