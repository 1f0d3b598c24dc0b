// The browser's side of the API, as an attacker would try it: security headers on the UI and the
// API, CORS for refused and allowed origins, the session cookie (HttpOnly, SameSite=Strict, never
// handed to page script) and its CSRF checks, and the realtime WebSocket signed in by the cookie
// (cross-site WebSocket hijacking refused).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine, systemContext } from "@tessera/engine";
import { CSRF_HEADER, SESSION_COOKIE } from "@tessera/auth";
import { createApiServer, type ApiServer } from "@tessera/server";
import { CONTENT_SECURITY_POLICY, registerSecurityHeaders, STRICT_TRANSPORT_SECURITY } from "../src/plugins/securityHeaders.ts";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const A = "3a000000-0000-4000-8000-00000000000a";
const LIMITS = { perIp: 10_000, perPrincipal: 10_000, durationSeconds: 60 };
const ALLOWED = "https://crm-ui.example";
const EVIL = "https://evil.example";

let crm: CrmDatabase;
let engine: Engine;
let stateDir: string;
let api: ApiServer;
let base: string;
let anaId: string;

beforeAll(async () => {
  crm = await openCrmDatabase([A]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  const ana = await engine.model("User").create({ email: "ana@example.com", name: "Ana" }, systemContext(A));
  anaId = ana.id as string;
  await engine.model("Membership").create({ userId: anaId, role: "admin" }, systemContext(A));
  stateDir = mkdtempSync(join(tmpdir(), "tessera-browser-security-"));
  const uiDir = join(stateDir, "ui");
  mkdirSync(join(uiDir, "assets"), { recursive: true });
  writeFileSync(join(uiDir, "index.html"), `<!doctype html><title>Tessera UI</title><script type="module" src="/assets/app.js"></script>`);
  writeFileSync(join(uiDir, "assets", "app.js"), "console.log('ui')");
  api = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, rateLimit: LIMITS, devSignInTenantId: A, adminDir: uiDir, corsOrigins: [ALLOWED] });
  await api.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await api?.app.close();
  await crm?.drop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Signs in through the UI's route and returns the `name=value` of the session cookie. */
async function sessionCookie(): Promise<string> {
  const response = await api.app.inject({ method: "POST", url: "/auth/dev/session", headers: { [CSRF_HEADER]: "1" }, payload: { userId: anaId } });
  expect(response.statusCode, response.body).toBe(200);
  const header = String(response.headers["set-cookie"]);
  return header.split(";")[0];
}

const QUERY = { query: "{ contacts(first: 1) { id } }" };

describe("security headers", () => {
  it("are on the UI page, its assets, API answers and 404s", async () => {
    for (const url of ["/", "/m/Contact/1", "/assets/app.js", "/healthz", "/api/nothing", "/auth/config"]) {
      const response = await api.app.inject({ url });
      expect(response.headers["content-security-policy"], url).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      expect(response.headers["x-frame-options"], url).toBe("DENY");
      expect(response.headers["referrer-policy"], url).toBe("no-referrer");
      // Plain HTTP: HSTS would be ignored, and must not be sent.
      expect(response.headers["strict-transport-security"], url).toBeUndefined();
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
  });

  it("send HSTS over TLS as a trusted proxy reports it, and not when an untrusted client claims it", async () => {
    for (const [trustProxy, expected] of [[true, STRICT_TRANSPORT_SECURITY], [false, undefined]] as const) {
      const app = Fastify({ trustProxy });
      registerSecurityHeaders(app);
      app.get("/", async () => "ok");
      const response = await app.inject({ url: "/", headers: { "x-forwarded-proto": "https" } });
      expect(response.headers["strict-transport-security"]).toBe(expected);
      await app.close();
    }
  });
});

describe("CORS", () => {
  const corsHeaders = (headers: Record<string, unknown>) => Object.keys(headers).filter((k) => k.startsWith("access-control-"));

  it("answers a refused origin with no CORS header at all, preflight or simple request", async () => {
    for (const origin of [EVIL, "null"]) {
      const preflight = await api.app.inject({ method: "OPTIONS", url: "/graphql", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": `content-type,${CSRF_HEADER}` } });
      expect(corsHeaders(preflight.headers), origin).toEqual([]);
      const simple = await api.app.inject({ method: "GET", url: "/auth/config", headers: { origin } });
      expect(corsHeaders(simple.headers), origin).toEqual([]);
    }
  });

  it("lets an allowed origin in, with credentials and the CSRF header", async () => {
    const preflight = await api.app.inject({ method: "OPTIONS", url: "/graphql", headers: { origin: ALLOWED, "access-control-request-method": "POST", "access-control-request-headers": `content-type,${CSRF_HEADER}` } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(preflight.headers["access-control-allow-credentials"]).toBe("true");
    expect(String(preflight.headers["access-control-allow-headers"])).toContain(CSRF_HEADER);
    const simple = await api.app.inject({ method: "GET", url: "/auth/config", headers: { origin: ALLOWED } });
    expect(simple.headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(simple.headers.vary).toContain("Origin");
  });
});

describe("browser session cookie", () => {
  it("is set HttpOnly and SameSite=Strict by the UI's dev sign-in, which hands page script no token", async () => {
    const response = await api.app.inject({ method: "POST", url: "/auth/dev/session", headers: { [CSRF_HEADER]: "1" }, payload: { userId: anaId } });
    expect(response.statusCode).toBe(200);
    const cookie = String(response.headers["set-cookie"]);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Strict$`));
    expect(response.json()).toEqual({ tenantId: A, roles: ["admin"], expiresAt: expect.any(String) });
    expect(response.body).not.toContain(cookie.split(";")[0].split("=")[1]);
  });

  it("refuses the UI's sign-in without the CSRF header (login CSRF)", async () => {
    const response = await api.app.inject({ method: "POST", url: "/auth/dev/session", payload: { userId: anaId } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining(CSRF_HEADER) });
    expect(response.headers["set-cookie"]).toBeUndefined();
  });

  it("signs a GraphQL POST in with the CSRF header, from this origin or an allowed one", async () => {
    const cookie = await sessionCookie();
    for (const origin of [undefined, base, ALLOWED]) {
      const response = await api.app.inject({ method: "POST", url: "/graphql", headers: { cookie, [CSRF_HEADER]: "1", ...(origin ? { origin } : {}), host: new URL(base).host }, payload: QUERY });
      expect(response.json(), String(origin)).toEqual({ data: { contacts: [] } });
    }
  });

  it("refuses a cookie request without the CSRF header, or from a foreign origin", async () => {
    const cookie = await sessionCookie();
    const noHeader = await api.app.inject({ method: "POST", url: "/graphql", headers: { cookie }, payload: QUERY });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" }, message: expect.stringContaining(CSRF_HEADER) });
    const foreign = await api.app.inject({ method: "POST", url: "/graphql", headers: { cookie, [CSRF_HEADER]: "1", origin: EVIL }, payload: QUERY });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().errors[0].message).toContain("CORS_ORIGINS");
    const rest = await api.app.inject({ url: "/api/meta", headers: { cookie } });
    expect(rest.statusCode).toBe(403);
    expect(rest.json().error.code).toBe("FORBIDDEN");
  });

  it("leaves bearer tokens as they were: the Authorization header wins over a cookie", async () => {
    const cookie = await sessionCookie();
    const token = (await api.app.inject({ method: "POST", url: "/auth/dev/token", payload: { userId: anaId } })).json().token as string;
    const response = await api.app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${token}`, cookie: `${cookie}x` }, payload: QUERY });
    expect(response.json()).toEqual({ data: { contacts: [] } });
  });

  it("tells the UI who is signed in, and signs out", async () => {
    const cookie = await sessionCookie();
    const session = await api.app.inject({ url: "/auth/session", headers: { cookie, [CSRF_HEADER]: "1" } });
    expect(session.json()).toEqual({ user: { id: anaId, name: "Ana", roles: ["admin"] }, tenantId: A, expiresAt: expect.any(String) });
    expect((await api.app.inject({ url: "/auth/session", headers: { [CSRF_HEADER]: "1" } })).statusCode).toBe(401);
    const out = await api.app.inject({ method: "POST", url: "/auth/signout", headers: { cookie, [CSRF_HEADER]: "1" } });
    expect(out.statusCode).toBe(204);
    expect(out.headers["set-cookie"]).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${SESSION_COOKIE}=; Path=/; Max-Age=0`))]));
  });
});

describe("realtime WebSocket signed in by the session cookie", () => {
  /** The first frame, or the close code when the server closes first. */
  function firstAnswer(headers: Record<string, string>): Promise<{ frame?: { type: string; code?: string }; close?: number }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${base.replace("http", "ws")}/realtime/ws`, { headers });
      socket.once("message", (data) => {
        resolve({ frame: JSON.parse(String(data)) as { type: string; code?: string } });
        socket.close();
      });
      socket.once("close", (code) => resolve({ close: code }));
      socket.once("error", reject);
    });
  }

  it("opens from this server's own page", async () => {
    const cookie = await sessionCookie();
    expect((await firstAnswer({ cookie, origin: base })).frame).toMatchObject({ type: "welcome" });
  });

  it("refuses another site's page, and a cookie without an Origin", async () => {
    const cookie = await sessionCookie();
    expect((await firstAnswer({ cookie, origin: EVIL })).frame).toMatchObject({ type: "error", code: "FORBIDDEN" });
    expect((await firstAnswer({ cookie })).frame).toMatchObject({ type: "error", code: "FORBIDDEN" });
  });
});
