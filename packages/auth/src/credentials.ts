// Reads the credential a request carries: `Authorization: Bearer <jwt>`, `Authorization: Bearer
// tsk_…` or `x-api-key: tsk_…`, and — only when the caller passes `session` — the browser's session
// cookie (browserSession.ts), which the headers win over. Nothing sent is null; something unusable is
// a 401 (a cookie without its CSRF proof a 403), never ignored.
import type { IncomingHttpHeaders } from "node:http";
import { looksLikeApiKey } from "@tessera/engine";
import { unauthenticated } from "./AuthError.ts";
import { sessionTokenOfRequest, type SessionOrigins } from "./browserSession.ts";

export type Credential = { kind: "jwt"; token: string } | { kind: "apiKey"; key: string };

function single(value: string | string[] | undefined, header: string): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) throw unauthenticated("malformed", `Send one ${header} header, not ${value.length}.`);
    return value[0];
  }
  return value;
}

export function readCredential(headers: IncomingHttpHeaders, session?: SessionOrigins): Credential | null {
  const authorization = single(headers.authorization, "Authorization")?.trim();
  const apiKey = single(headers["x-api-key"], "x-api-key")?.trim();
  if (authorization && apiKey) throw unauthenticated("malformed", "Send either an Authorization header or an x-api-key header, not both.");
  if (apiKey !== undefined) {
    if (apiKey === "") throw unauthenticated("malformed", "The x-api-key header is empty; send the API key (tsk_…).");
    return { kind: "apiKey", key: apiKey };
  }
  if (authorization === undefined || authorization === "") {
    const token = session ? sessionTokenOfRequest(headers, session) : null;
    return token ? { kind: "jwt", token } : null;
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthenticated("malformed", "The Authorization header must read `Bearer <token>`.");
  const token = match[1];
  return looksLikeApiKey(token) ? { kind: "apiKey", key: token } : { kind: "jwt", token };
}
