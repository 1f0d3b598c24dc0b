// The admin UI's session. After a sign-in (dev sign-in, OIDC callback) the server puts the access
// token in an HttpOnly cookie and sends the browser on with nothing in the URL, so page script —
// and so an injected script — never holds the token, and no token can leave the origin in a
// redirect, a Referer or a history entry. The cookie is a credential for the browser only: API
// clients keep sending Authorization / x-api-key, and those win over a cookie.
//
// CSRF (the cookie is sent by the browser whoever asks for the request):
//   - SameSite=Strict: no other site's page, link or form makes the browser send it;
//   - on HTTP requests the cookie counts only with the `x-tessera-csrf` header: a page of another
//     origin cannot add a custom header without a CORS preflight, which the server refuses unless
//     the origin is in CORS_ORIGINS (same-site sibling hosts included, which SameSite lets through);
//   - an Origin header, when present, must be this server's (its Host) or a configured CORS origin;
//   - WebSocket upgrades are outside CORS and carry no custom header, so there the Origin header is
//     required and checked (cross-site WebSocket hijacking).
import type { IncomingHttpHeaders } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { decodeJwt } from "jose";
import type { RequestContext } from "@tessera/engine";
import { forbidden } from "./AuthError.ts";
import { sendApiError } from "./restErrors.ts";
import { readCookie, serializeCookie } from "./sealedCookie.ts";

export const SESSION_COOKIE = "tessera_session";
/**
 * The name over TLS: browsers accept a `__Host-` cookie only when it is Secure, has Path=/ and no
 * Domain, so neither a sibling subdomain nor a plain-HTTP response can plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = "__Host-tessera_session";
export const CSRF_HEADER = "x-tessera-csrf";

export interface SessionCookieOptions {
  /** Served over TLS: the cookie is Secure and takes the `__Host-` name. */
  secure: boolean;
  maxAgeSeconds: number;
}

export interface SessionOrigins {
  /** Origins trusted like the server's own (CORS_ORIGINS). */
  allowedOrigins: readonly string[];
}

export function sessionCookie(token: string, options: SessionCookieOptions): string {
  return serializeCookie(options.secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, token, {
    path: "/",
    maxAgeSeconds: Math.max(0, Math.floor(options.maxAgeSeconds)),
    secure: options.secure,
    sameSite: "Strict",
  });
}

/** Both names: a server moved behind TLS (or off it) still signs the browser out. */
export function clearSessionCookies(): string[] {
  return [
    serializeCookie(SESSION_COOKIE, "", { path: "/", maxAgeSeconds: 0, secure: false, sameSite: "Strict" }),
    serializeCookie(SECURE_SESSION_COOKIE, "", { path: "/", maxAgeSeconds: 0, secure: true, sameSite: "Strict" }),
  ];
}

/** Seconds until a JWT's `exp`, for the cookie's Max-Age; `fallback` when it has none. */
export function secondsUntilExpiry(token: string, fallback: number): number {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === "number" ? exp - Math.floor(Date.now() / 1000) : fallback;
  } catch {
    return fallback;
  }
}

function readSessionCookie(headers: IncomingHttpHeaders): string | undefined {
  return readCookie(headers, SECURE_SESSION_COOKIE) ?? readCookie(headers, SESSION_COOKIE);
}

/** The server's own origin is the one the browser sent the request to: the Host header. */
export function isAllowedOrigin(origin: string, headers: IncomingHttpHeaders, options: SessionOrigins): boolean {
  if (options.allowedOrigins.includes(origin)) return true;
  const host = headers.host;
  if (typeof host !== "string" || host === "") return false;
  try {
    const url = new URL(origin);
    return url.origin === origin && url.host === new URL(`${url.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

function oneOrigin(headers: IncomingHttpHeaders): string | undefined {
  const origin = headers.origin;
  return Array.isArray(origin) ? origin[0] : origin;
}

function refuseOrigin(origin: string): never {
  throw forbidden(
    "csrf",
    `The session cookie came with a request from ${JSON.stringify(origin.slice(0, 100))}, which is neither this server's origin nor in CORS_ORIGINS; use the admin UI on this server, or add the origin to CORS_ORIGINS.`,
  );
}

/**
 * The session token of a browser's HTTP request, or null without the cookie. Throws FORBIDDEN
 * (`csrf`) when the cookie comes without the CSRF header or from a foreign origin.
 */
export function sessionTokenOfRequest(headers: IncomingHttpHeaders, options: SessionOrigins): string | null {
  const token = readSessionCookie(headers);
  if (!token) return null;
  const origin = oneOrigin(headers);
  if (origin !== undefined && !isAllowedOrigin(origin, headers, options)) refuseOrigin(origin);
  if (headers[CSRF_HEADER] === undefined) {
    throw forbidden(
      "csrf",
      `A request signed in by the session cookie must carry the ${CSRF_HEADER} header (the admin UI sends it); API clients send Authorization: Bearer <token> instead.`,
    );
  }
  return token;
}

/** The session token of a WebSocket upgrade, or null without the cookie; the Origin must be allowed. */
export function sessionTokenOfUpgrade(headers: IncomingHttpHeaders, options: SessionOrigins): string | null {
  const token = readSessionCookie(headers);
  if (!token) return null;
  const origin = oneOrigin(headers);
  if (origin === undefined) throw forbidden("csrf", "A WebSocket signed in by the session cookie must come from a browser page (no Origin header was sent); other clients authenticate with a token.");
  if (!isAllowedOrigin(origin, headers, options)) refuseOrigin(origin);
  return token;
}

export interface BrowserSessionRoutesOptions {
  /** The request's context (the cookie is one of the credentials it reads). */
  authenticate: (request: FastifyRequest) => Promise<RequestContext>;
  /** The name the UI shows; null falls back to the principal's id. */
  describe?: (context: RequestContext) => Promise<string | null>;
}

/**
 * `GET /auth/session`: who the browser is signed in as (the UI's replacement for reading its token);
 * `POST /auth/signout`: clears the session cookie. Both need the CSRF header like any cookie request.
 */
export async function browserSessionRoutes(app: FastifyInstance, options: BrowserSessionRoutesOptions): Promise<void> {
  app.get("/auth/session", async (request, reply) => {
    try {
      const context = await options.authenticate(request);
      const principal = context.principal!;
      const token = readSessionCookie(request.headers);
      const expiresIn = token ? secondsUntilExpiry(token, NaN) : NaN;
      const name = (await options.describe?.(context)) ?? principal.sub;
      return reply.header("cache-control", "no-store").send({
        user: { id: principal.sub, name, roles: principal.roles },
        tenantId: context.tenantId,
        expiresAt: Number.isFinite(expiresIn) ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
      });
    } catch (error) {
      return sendApiError(error as Error, request, reply);
    }
  });

  app.post("/auth/signout", async (request, reply) => {
    if (request.headers[CSRF_HEADER] === undefined) {
      return reply.code(403).send({ error: { code: "FORBIDDEN", message: `Send the ${CSRF_HEADER} header to sign out (the admin UI does).` } });
    }
    return reply.header("set-cookie", clearSessionCookies()).header("cache-control", "no-store").code(204).send();
  });
}
