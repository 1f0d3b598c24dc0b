// Bearer JWTs are verified against the issuer's keys, issuer, audience and expiry; every failure
// is a 401 with a code and a reason, and claims map to a Principal (ZITADEL built in).
import Fastify, { type FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLocalJWKSet, type JWTVerifyGetKey } from "jose";
import { AuthError, createJwtVerifier, toRequestContext, ZITADEL_CLAIMS, type JwtVerifier } from "@tessera/auth";
import { sign, testKey, type TestKey } from "./support.ts";

const ISSUER = "https://id.example.test";
const AUDIENCE = "tessera";
const TENANT = "0b000000-0000-4000-8000-00000000000b";
let key: TestKey;
let verifier: JwtVerifier;

beforeAll(async () => {
  key = await testKey("k1");
  verifier = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: key.jwks });
});

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe("JWT verification", () => {
  it("accepts a valid token and maps the Tessera claims", async () => {
    const token = await sign(
      key,
      { roles: ["Sales", "sales", "Manager"], tenant_id: TENANT, teams: ["t1"], permissions: ["crm.deal.read"], email: "ada@example.test", preferred_username: "ada" },
      { issuer: ISSUER, audience: AUDIENCE },
    );
    const principal = await verifier.verify(token);
    // The issuer and profile are for the platform identity (who `sub` is, provisioning); the engine never sees them.
    expect(principal).toEqual({
      sub: "user-1",
      tenantId: TENANT,
      roles: ["sales", "manager"],
      teams: ["t1"],
      permissions: ["crm.deal.read"],
      kind: "user",
      issuer: ISSUER,
      profile: { email: "ada@example.test", name: "ada" },
    });
    expect(toRequestContext(principal, { tenantId: TENANT, correlationId: "req-1" })).toEqual({
      tenantId: TENANT,
      correlationId: "req-1",
      principal: { sub: "user-1", roles: ["sales", "manager"], teams: ["t1"], permissions: ["crm.deal.read"], kind: "user" },
    });
  });

  it.each([
    ["expired", () => sign(key, {}, { issuer: ISSUER, audience: AUDIENCE, expiresIn: -120 }), /expired/],
    ["wrong_issuer", () => sign(key, {}, { issuer: "https://evil.example", audience: AUDIENCE }), /not issued by https:\/\/id\.example\.test/],
    ["wrong_audience", () => sign(key, {}, { issuer: ISSUER, audience: "another-api" }), /audience/],
    ["invalid", () => sign(key, {}, { issuer: ISSUER, audience: AUDIENCE, expiresIn: null }), /"exp" claim is missing/],
    ["invalid", () => sign(key, {}, { issuer: ISSUER, audience: AUDIENCE, sub: null }), /"sub" claim is missing/],
  ])("rejects a token: %s", async (reason, make, message) => {
    const error = await rejection(verifier.verify(await make()));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", statusCode: 401, reason });
    expect(error.message).toMatch(message);
  });

  it("rejects a token signed by another key under the same key id (bad signature)", async () => {
    const forger = await testKey("k1");
    const error = await rejection(verifier.verify(await sign(forger, {}, { issuer: ISSUER, audience: AUDIENCE })));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", statusCode: 401, reason: "bad_signature" });
  });

  it("rejects a token signed with a key the issuer does not publish", async () => {
    const other = await testKey("k2");
    const error = await rejection(verifier.verify(await sign(other, {}, { issuer: ISSUER, audience: AUDIENCE })));
    expect(error).toMatchObject({ statusCode: 401, reason: "unknown_key" });
  });

  it("rejects a symmetric (HS256) token even when it claims the right issuer", async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256", kid: "k1" }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject("x").setExpirationTime("5m").sign(new Uint8Array(32));
    const error = await rejection(verifier.verify(token));
    expect(error).toMatchObject({ statusCode: 401, reason: "bad_algorithm" });
  });

  it.each([["not-a-jwt"], ["a.b.c"], ["eyJhbGciOiJFUzI1NiJ9.e30"]])("rejects a malformed token %s", async (token) => {
    const error = await rejection(verifier.verify(token));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", statusCode: 401, reason: "malformed" });
  });

  it.each([[undefined], [null], [""], ["  "]])("rejects a missing token (%s)", async (token) => {
    const error = await rejection(verifier.verify(token));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", statusCode: 401, reason: "missing" });
    expect(error.message).toMatch(/Authorization: Bearer/);
  });

  it("allows clock skew up to the configured tolerance (default 30 s)", async () => {
    const justExpired = await sign(key, {}, { issuer: ISSUER, audience: AUDIENCE, expiresIn: -10 });
    await expect(verifier.verify(justExpired)).resolves.toMatchObject({ sub: "user-1" });
    const strict = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: key.jwks, clockToleranceSeconds: 0 });
    expect(await rejection(strict.verify(justExpired))).toMatchObject({ reason: "expired" });
  });

  it("maps a ZITADEL token: roles are the keys of the roles objects, the tenant is the organisation", async () => {
    const zitadel = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: key.jwks, claims: ZITADEL_CLAIMS });
    const token = await sign(
      key,
      {
        "urn:zitadel:iam:org:project:roles": { Admin: { "2301": "acme.zitadel.cloud" }, sales: { "2301": "acme.zitadel.cloud" } },
        "urn:zitadel:iam:org:project:2298:roles": { Manager: { "2301": "acme.zitadel.cloud" } },
        "urn:zitadel:iam:user:resourceowner:id": TENANT,
        "urn:zitadel:iam:user:resourceowner:name": "ACME",
      },
      { issuer: ISSUER, audience: AUDIENCE, sub: "240000000000000001" },
    );
    const principal = await zitadel.verify(token);
    expect(principal).toMatchObject({ sub: "240000000000000001", tenantId: TENANT, kind: "user" });
    expect([...principal.roles].sort()).toEqual(["admin", "manager", "sales"]);
  });

  it("turns an organisation id into a tenant id through tenantFromClaim", async () => {
    const zitadel = createJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: key.jwks,
      claims: { ...ZITADEL_CLAIMS, tenantFromClaim: (org) => (org === "2301" ? TENANT : null) },
    });
    const token = await sign(key, { "urn:zitadel:iam:user:resourceowner:id": "2301" }, { issuer: ISSUER, audience: AUDIENCE });
    expect((await zitadel.verify(token)).tenantId).toBe(TENANT);
  });
});

describe("JWT verification against a remote JWKS (createRemoteJWKSet)", () => {
  let server: FastifyInstance;
  let remote: JwtVerifier;

  beforeAll(async () => {
    server = Fastify();
    server.get("/keys", async () => key.jwks);
    await server.listen({ port: 0, host: "127.0.0.1" });
    const port = (server.server.address() as AddressInfo).port;
    remote = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: new URL(`http://127.0.0.1:${port}/keys`) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("fetches the issuer's keys and verifies with them", async () => {
    const token = await sign(key, { roles: ["viewer"] }, { issuer: ISSUER, audience: AUDIENCE });
    await expect(remote.verify(token)).resolves.toMatchObject({ roles: ["viewer"] });
    const forger = await testKey("k1");
    expect(await rejection(remote.verify(await sign(forger, {}, { issuer: ISSUER, audience: AUDIENCE })))).toMatchObject({ reason: "bad_signature" });
  });
});

describe("verified-token cache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A key resolver that counts how often jose asks for a key, i.e. how many full verifications ran. */
  function counting(): { getKey: JWTVerifyGetKey; calls: () => number } {
    const local = createLocalJWKSet(key.jwks);
    let calls = 0;
    return {
      getKey: (header, token) => {
        calls++;
        return local(header, token);
      },
      calls: () => calls,
    };
  }

  it("verifies a token once and serves the same principal from the cache afterwards", async () => {
    const keys = counting();
    const cached = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: keys.getKey });
    const token = await sign(key, { roles: ["sales"], tenant_id: TENANT }, { issuer: ISSUER, audience: AUDIENCE });
    const first = await cached.verify(token);
    first.roles.push("admin"); // a caller mutating its copy must not change what the cache serves
    await expect(cached.verify(` ${token} `)).resolves.toEqual({ ...first, roles: ["sales"] });
    expect(keys.calls()).toBe(1);
    const off = counting();
    const uncached = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: off.getKey, cache: false });
    await uncached.verify(token);
    await uncached.verify(token);
    expect(off.calls()).toBe(2);
  });

  it("rejects a cached token once it has expired (exactly at exp, without the clock tolerance)", async () => {
    const keys = counting();
    const cached = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: keys.getKey, clockToleranceSeconds: 0 });
    const token = await sign(key, {}, { issuer: ISSUER, audience: AUDIENCE, expiresIn: 60 });
    await expect(cached.verify(token)).resolves.toMatchObject({ sub: "user-1" });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 30_000);
    await expect(cached.verify(token)).resolves.toMatchObject({ sub: "user-1" });
    expect(keys.calls()).toBe(1);
    vi.setSystemTime(Date.now() + 31_000); // past exp
    expect(await rejection(cached.verify(token))).toMatchObject({ statusCode: 401, reason: "expired" });
  });

  it("never keeps an entry longer than maxAgeMs, even for a long-lived token", async () => {
    const keys = counting();
    const cached = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: keys.getKey, cache: { maxAgeMs: 1_000 } });
    const token = await sign(key, {}, { issuer: ISSUER, audience: AUDIENCE, expiresIn: 3600 });
    await cached.verify(token);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 1_500);
    await cached.verify(token);
    expect(keys.calls()).toBe(2);
  });
});
