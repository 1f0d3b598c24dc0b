// Browser sign-in: authorization code + PKCE (S256) against the configured issuer.
//   GET  /auth/login     → 302 to the issuer, with state, nonce and the code challenge; the
//                          verifier, state and nonce travel in a sealed, httpOnly, 10-minute cookie.
//   GET  /auth/callback  → checks state, exchanges the code with the verifier, verifies the ID
//                          token (audience = client, nonce) and the access token (the API's own
//                          verifier), then puts the access token in the HttpOnly session cookie
//                          (browserSession.ts) and 303s to `<returnTo>` with no token in the URL:
//                          a token in a fragment is readable by page script and leaves the origin
//                          with any redirect that a crafted returnTo makes possible.
//   POST /auth/logout    → clears the sign-in and session cookies and answers the issuer's end-session URL.
import type { FastifyInstance, FastifyReply } from "fastify";
import { isAuthError, unauthenticated } from "./AuthError.ts";
import { discoveryCache, type OidcMetadata } from "./discovery.ts";
import { createPkce, randomToken } from "./pkce.ts";
import type { Principal } from "./Principal.ts";
import { clearSessionCookies, secondsUntilExpiry, sessionCookie } from "./browserSession.ts";
import { readCookie, seal, serializeCookie, unseal, type CookieOptions } from "./sealedCookie.ts";
import { createJwtVerifier, DEFAULT_ALGORITHMS, type JwtVerifier } from "./verifyJwt.ts";

export const LOGIN_COOKIE = "tessera_login";
const LOGIN_TTL_SECONDS = 600;

export interface OidcLoginOptions {
  issuer: string;
  clientId: string;
  /** Confidential clients (client_secret_basic); public clients omit it and rely on PKCE. */
  clientSecret?: string;
  /** The absolute URL of `/auth/callback` as registered at the issuer. */
  redirectUri: string;
  /** Default `openid profile email`. */
  scopes?: readonly string[];
  /** Extra authorization parameters (`resource`, `audience`, ZITADEL's `urn:zitadel:…` scopes go in `scopes`). */
  authorizationParams?: Readonly<Record<string, string>>;
  /** Seals the sign-in cookie; at least 32 characters of randomness. */
  cookieSecret: string;
  /** The API's verifier: the access token handed to the SPA must pass it. */
  verifyAccessToken: (token: string) => Promise<Principal>;
  /** Where the issuer sends the browser after logout. */
  postLogoutRedirectUri?: string;
  /** Default: true when `redirectUri` is https. */
  secureCookies?: boolean;
  algorithms?: readonly string[];
  fetch?: typeof fetch;
}

interface LoginTransaction {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

function isLoginTransaction(value: unknown): value is LoginTransaction {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.state === "string" && typeof v.nonce === "string" && typeof v.verifier === "string" && typeof v.returnTo === "string";
}

const RETURN_BASE = "http://tessera.invalid";

/**
 * Only a path on this origin: `/deals?x=1`, never `//evil.example`, `/<TAB>/evil`, `\\evil` or
 * `https://…`. The WHATWG URL parser reads the value exactly as a browser reads a Location header
 * (it drops tabs and newlines, turns backslashes into slashes, resolves dot segments), and what is
 * sent back is the parser's own serialisation (ASCII, percent-encoded), which must parse to the same
 * URL again: `/.//evil` resolves to the path `//evil`, which a browser would read as another host.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(value, RETURN_BASE);
  } catch {
    return "/";
  }
  if (url.origin !== RETURN_BASE) return "/";
  const path = `${url.pathname}${url.search}`;
  return new URL(path, RETURN_BASE).href === `${RETURN_BASE}${path}` && !path.startsWith("//") ? path : "/";
}

interface TokenResponse {
  access_token?: string;
  id_token?: string;
  token_type?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

export async function oidcLoginPlugin(app: FastifyInstance, options: OidcLoginOptions): Promise<void> {
  if (options.cookieSecret.length < 32) throw new Error("oidcLoginPlugin: cookieSecret must be at least 32 characters");
  const fetchImpl = options.fetch ?? fetch;
  const metadata = discoveryCache(options.issuer, fetchImpl);
  const scopes = options.scopes ?? ["openid", "profile", "email"];
  const cookie: CookieOptions = {
    path: "/auth",
    maxAgeSeconds: LOGIN_TTL_SECONDS,
    secure: options.secureCookies ?? options.redirectUri.startsWith("https:"),
    // Lax: the issuer's redirect back to /auth/callback is a top-level GET, which Lax lets through.
    sameSite: "Lax",
  };
  const clearCookie = serializeCookie(LOGIN_COOKIE, "", { ...cookie, maxAgeSeconds: 0 });
  let idTokens: { jwksUri: string; verifier: JwtVerifier } | undefined;
  const idTokenVerifier = (meta: OidcMetadata): JwtVerifier => {
    if (idTokens?.jwksUri !== meta.jwks_uri) {
      const verifier = createJwtVerifier({
        issuer: meta.issuer,
        audience: options.clientId,
        jwks: new URL(meta.jwks_uri),
        algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      });
      idTokens = { jwksUri: meta.jwks_uri, verifier };
    }
    return idTokens.verifier;
  };

  const fail = (reply: FastifyReply, error: unknown): FastifyReply => {
    void reply.header("set-cookie", clearCookie).header("cache-control", "no-store");
    if (isAuthError(error)) return reply.code(error.statusCode).send({ code: error.code, message: error.message });
    throw error;
  };

  app.get("/auth/login", async (request, reply) => {
    const meta = await metadata();
    const pkce = createPkce();
    const query = request.query as Record<string, unknown>;
    const tx: LoginTransaction = { state: randomToken(), nonce: randomToken(), verifier: pkce.verifier, returnTo: safeReturnTo(query.returnTo) };
    const url = new URL(meta.authorization_endpoint);
    const params: Record<string, string> = {
      ...options.authorizationParams,
      response_type: "code",
      client_id: options.clientId,
      redirect_uri: options.redirectUri,
      scope: scopes.join(" "),
      state: tx.state,
      nonce: tx.nonce,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return reply
      .header("set-cookie", serializeCookie(LOGIN_COOKIE, seal(options.cookieSecret, tx, LOGIN_TTL_SECONDS), cookie))
      .header("cache-control", "no-store")
      .redirect(url.toString(), 302);
  });

  app.get("/auth/callback", async (request, reply) => {
    try {
      const query = request.query as Record<string, unknown>;
      const sealed = readCookie(request.headers, LOGIN_COOKIE);
      const tx = sealed ? unseal(options.cookieSecret, sealed) : null;
      if (!isLoginTransaction(tx)) throw unauthenticated("missing", "The sign-in took too long or was started in another browser; start again at /auth/login.");
      if (typeof query.error === "string") {
        const detail = typeof query.error_description === "string" ? `: ${query.error_description}` : "";
        throw unauthenticated("invalid", `The identity provider refused the sign-in (${query.error}${detail}).`);
      }
      if (query.state !== tx.state) throw unauthenticated("invalid", "The sign-in response does not match this browser's sign-in (state); start again at /auth/login.");
      const meta = await metadata();
      // RFC 9207: when the issuer says who it is, it must be the one we asked.
      if (query.iss !== undefined && query.iss !== meta.issuer) throw unauthenticated("wrong_issuer", "The sign-in response comes from another issuer; start again.");
      if (typeof query.code !== "string" || query.code === "") throw unauthenticated("malformed", "The sign-in response carries no authorization code; start again.");

      const tokens = await exchangeCode(meta, query.code, tx.verifier);
      if (!tokens.id_token || !tokens.access_token) throw unauthenticated("invalid", "The identity provider returned no ID token or no access token.");
      await idTokenVerifier(meta).verifyClaims(tokens.id_token, { nonce: tx.nonce });
      if (tokens.access_token.split(".").length !== 3) {
        throw unauthenticated("malformed", "The identity provider issued an opaque access token; configure the application to issue JWT access tokens for this API.");
      }
      await options.verifyAccessToken(tokens.access_token);

      const maxAge = secondsUntilExpiry(tokens.access_token, typeof tokens.expires_in === "number" ? tokens.expires_in : LOGIN_TTL_SECONDS);
      return reply
        .header("set-cookie", [clearCookie, sessionCookie(tokens.access_token, { secure: cookie.secure, maxAgeSeconds: maxAge })])
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        // Re-checked here: a transaction sealed before this check existed may still be in a cookie.
        .redirect(safeReturnTo(tx.returnTo), 303);
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.post("/auth/logout", async (request, reply) => {
    const meta = await metadata();
    const body = (request.body ?? {}) as Record<string, unknown>;
    let logoutUrl: string | null = null;
    if (meta.end_session_endpoint) {
      const url = new URL(meta.end_session_endpoint);
      url.searchParams.set("client_id", options.clientId);
      if (typeof body.idToken === "string" && body.idToken !== "") url.searchParams.set("id_token_hint", body.idToken);
      if (options.postLogoutRedirectUri) url.searchParams.set("post_logout_redirect_uri", options.postLogoutRedirectUri);
      logoutUrl = url.toString();
    }
    return reply.header("set-cookie", [clearCookie, ...clearSessionCookies()]).header("cache-control", "no-store").send({ logoutUrl });
  });

  async function exchangeCode(meta: OidcMetadata, code: string, verifier: string): Promise<TokenResponse> {
    const form = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: options.redirectUri, code_verifier: verifier });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    if (options.clientSecret !== undefined) {
      const id = encodeURIComponent(options.clientId);
      const secret = encodeURIComponent(options.clientSecret);
      headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
    } else {
      form.set("client_id", options.clientId);
    }
    const response = await fetchImpl(meta.token_endpoint, { method: "POST", headers, body: form });
    const tokens = (await response.json().catch(() => ({}))) as TokenResponse;
    if (!response.ok) {
      const detail = tokens.error ? ` (${tokens.error}${tokens.error_description ? `: ${tokens.error_description}` : ""})` : "";
      throw unauthenticated("invalid", `The identity provider did not accept the authorization code${detail}; start again at /auth/login.`);
    }
    return tokens;
  }
}
