// Browser sign-in end to end against a real OpenID Provider (oidc-provider) on 127.0.0.1:
// /auth/login → issuer (login + consent done programmatically) → /auth/callback → the SPA gets a
// JWT access token that the API's own verifier accepts, mapped with the ZITADEL claims.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import Provider from "oidc-provider";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJwtVerifier, LOGIN_COOKIE, oidcLoginPlugin, safeReturnTo, SESSION_COOKIE, ZITADEL_CLAIMS, ZITADEL_ORG_CLAIM, ZITADEL_ROLES_CLAIM } from "@tessera/auth";
import { CookieJar } from "./support.ts";

const TENANT = "0a000000-0000-4000-8000-00000000000a";
const CLIENT_ID = "tessera-spa";
const ACCOUNT = "user-ana";
const RESOURCE = "https://api.tessera.test";

let issuerServer: Server;
let issuer: string;
let app: FastifyInstance;
let appServer: Server;
let appUrl: string;
let provider: Provider;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Logs ACCOUNT in and consents to everything asked, without a browser. */
async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === "login") {
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session?.accountId ?? ACCOUNT, clientId: String(details.params.client_id) });
  if (!grant) throw new Error("grant not found");
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(" "));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

beforeAll(async () => {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  issuerServer = createServer();
  issuer = await listen(issuerServer);
  // The app's server listens first so the client can be registered with its redirect URI.
  appServer = createServer();
  appUrl = await listen(appServer);

  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: "none",
        redirect_uris: [`${appUrl}/auth/callback`],
        post_logout_redirect_uris: [`${appUrl}/`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: "op-key", alg: "RS256", use: "sig" }] },
    cookies: { keys: ["a-test-cookie-key-that-is-long-enough"] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: "api", audience: "tessera", accessTokenFormat: "jwt", accessTokenTTL: 600, jwt: { sign: { alg: "RS256" } } }),
      },
    },
    // The access token looks like ZITADEL's: project roles as an object, the organisation as the tenant.
    extraTokenClaims: async () => ({ [ZITADEL_ROLES_CLAIM]: { Sales: { "org-1": "demo.example" } }, [ZITADEL_ORG_CLAIM]: TENANT }),
  });
  const callback = provider.callback();
  issuerServer.on("request", (req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  });

  const apiVerifier = createJwtVerifier({ issuer, audience: "tessera", jwks: new URL(`${issuer}/jwks`), claims: ZITADEL_CLAIMS });
  app = Fastify({
    serverFactory: (handler) => {
      appServer.on("request", handler);
      return appServer;
    },
  });
  await app.register(oidcLoginPlugin, {
    issuer,
    clientId: CLIENT_ID,
    redirectUri: `${appUrl}/auth/callback`,
    scopes: ["openid", "api"],
    cookieSecret: "0123456789abcdef0123456789abcdef-test",
    verifyAccessToken: (token) => apiVerifier.verify(token),
    postLogoutRedirectUri: `${appUrl}/`,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  for (const server of [appServer, issuerServer]) {
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe("browser sign-in (authorization code + PKCE)", () => {
  it("signs in against a real OpenID Provider and puts a verified access token in the session cookie, not the URL", async () => {
    const browser = new CookieJar();
    const login = await browser.fetch(`${appUrl}/auth/login?returnTo=/deals`);
    expect(login.status).toBe(302);
    expect(browser.has(appUrl, LOGIN_COOKIE)).toBe(true);
    expect(login.headers.get("set-cookie")).toMatch(/HttpOnly/);
    const authorize = new URL(login.headers.get("location") ?? "");
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get("state")).toBeTruthy();
    expect(authorize.searchParams.get("nonce")).toBeTruthy();

    // Follow the redirects through the issuer (authorize → interaction → authorize → …) until it
    // sends the browser back to our callback.
    let url = authorize.toString();
    let callbackUrl: string | undefined;
    for (let hop = 0; hop < 12 && !callbackUrl; hop++) {
      const response = await browser.fetch(url);
      const location = response.headers.get("location");
      expect(location, `hop ${hop} at ${url} answered ${response.status}: ${await response.text()}`).toBeTruthy();
      url = new URL(location as string, url).toString();
      if (url.startsWith(`${appUrl}/auth/callback`)) callbackUrl = url;
    }
    expect(callbackUrl).toBeDefined();
    expect(new URL(callbackUrl as string).searchParams.get("code")).toBeTruthy();

    const done = await browser.fetch(callbackUrl as string);
    expect(done.status, await done.clone().text()).toBe(303);
    expect(done.headers.get("location")).toBe("/deals");
    expect(browser.has(appUrl, LOGIN_COOKIE)).toBe(false);
    const session = done.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? "";
    expect(session).toMatch(/; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    const accessToken = decodeURIComponent(session.split(";")[0].slice(SESSION_COOKIE.length + 1));
    expect(accessToken.split(".")).toHaveLength(3);

    // The token the SPA got is one the API accepts, with the ZITADEL mapping applied.
    const principal = await createJwtVerifier({ issuer, audience: "tessera", jwks: new URL(`${issuer}/jwks`), claims: ZITADEL_CLAIMS }).verify(accessToken);
    expect(principal).toMatchObject({ sub: ACCOUNT, tenantId: TENANT, roles: ["sales"], kind: "user" });

    // A replayed callback (same code, cookie gone) is refused.
    const replay = await browser.fetch(callbackUrl as string);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("refuses a callback whose state does not match the browser's sign-in", async () => {
    const browser = new CookieJar();
    await browser.fetch(`${appUrl}/auth/login`);
    const response = await browser.fetch(`${appUrl}/auth/callback?code=abc&state=forged`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toMatch(/state/);
  });

  it("refuses a callback without the sign-in cookie", async () => {
    const response = await fetch(`${appUrl}/auth/callback?code=abc&state=x`, { redirect: "manual" });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toMatch(/start again/);
  });

  it("logout clears the sign-in cookie and names the issuer's end-session URL", async () => {
    const response = await fetch(`${appUrl}/auth/logout`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ idToken: "x.y.z" }) });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`${LOGIN_COOKIE}=; .*Max-Age=0`));
    const { logoutUrl } = (await response.json()) as { logoutUrl: string };
    expect(new URL(logoutUrl).origin).toBe(issuer);
    expect(new URL(logoutUrl).searchParams.get("post_logout_redirect_uri")).toBe(`${appUrl}/`);
  });

  it("keeps returnTo on this origin", () => {
    expect(safeReturnTo("/deals?x=1")).toBe("/deals?x=1");
    expect(safeReturnTo("/deals?x=1#frag")).toBe("/deals?x=1");
    expect(safeReturnTo("//evil.example/")).toBe("/");
    expect(safeReturnTo("https://evil.example/")).toBe("/");
    expect(safeReturnTo(undefined)).toBe("/");
    expect(safeReturnTo(["/a", "/b"])).toBe("/");
    // Still paths here: a browser reads the encoded slash or tab as part of the path.
    expect(safeReturnTo("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example");
    expect(safeReturnTo("/%09/evil.example")).toBe("/%09/evil.example");
  });

  // Each ends on the app's origin after a whole sign-in through the provider, read as a browser
  // reads the Location header (the WHATWG URL parser), and the answer is a redirect, never a 500.
  it.each([
    ["/\t/evil.example", "/"],
    ["/%09/evil.example", "/%09/evil.example"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["/.//evil.example", "/"],
    ["/\r\n/evil.example", "/"],
    ["/deals\r\nSet-Cookie: x=1", "/dealsSet-Cookie:%20x=1"],
    ["/d\u00e9als/\u4e2d", "/d%C3%A9als/%E4%B8%AD"],
  ])("returnTo %j ends on this origin at %j", async (returnTo, expected) => {
    const browser = new CookieJar();
    const done = await signInThroughProvider(browser, `${appUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(done.status, await done.clone().text()).toBe(303);
    const location = done.headers.get("location") ?? "";
    expect(location).toBe(expected);
    expect(new URL(location, appUrl).origin).toBe(appUrl);
    expect(location).not.toContain("token");
  });
});

/** /auth/login → the provider's redirects → /auth/callback; the callback's answer. */
async function signInThroughProvider(browser: CookieJar, loginUrl: string): Promise<Response> {
  const login = await browser.fetch(loginUrl);
  let url = new URL(login.headers.get("location") ?? "").toString();
  for (let hop = 0; hop < 12; hop++) {
    const response = await browser.fetch(url);
    url = new URL(response.headers.get("location") ?? "", url).toString();
    if (url.startsWith(`${appUrl}/auth/callback`)) return browser.fetch(url);
  }
  throw new Error(`the provider never sent the browser back to the callback (last: ${url})`);
}
