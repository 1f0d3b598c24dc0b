// The dev issuer: only without a configured issuer and outside production; keys kept (0600) in the
// data directory so tokens survive a restart; tokens verified through the same jose path.
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, createJwtVerifier, createTokenVerifier, DEV_AUDIENCE, DEV_ISSUER, DEV_ISSUER_FILE, DevIssuer, isDevIssuerEnabled, JWKS_PATH, jwksRoute } from "@tessera/auth";

const TENANT = "0d000000-0000-4000-8000-00000000000d";
const USER = "5a000000-0000-4000-8000-000000000001";
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "tessera-dev-issuer-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("dev issuer", () => {
  it("is on only when no issuer is configured and NODE_ENV is not production", () => {
    expect(isDevIssuerEnabled({ issuer: undefined, nodeEnv: undefined })).toBe(true);
    expect(isDevIssuerEnabled({ issuer: "", nodeEnv: "development" })).toBe(true);
    expect(isDevIssuerEnabled({ issuer: null, nodeEnv: "test" })).toBe(true);
    expect(isDevIssuerEnabled({ issuer: undefined, nodeEnv: "production" })).toBe(false);
    expect(isDevIssuerEnabled({ issuer: "https://id.example.test", nodeEnv: "development" })).toBe(false);
    expect(isDevIssuerEnabled({ issuer: "https://id.example.test", nodeEnv: "production" })).toBe(false);
  });

  it("refuses to start in production without an issuer", async () => {
    await expect(createTokenVerifier({ dataDir, nodeEnv: "production" })).rejects.toThrow(/no identity provider is configured/);
  });

  it("issues a token that verifies (round trip)", async () => {
    const issuer = await DevIssuer.open(dataDir);
    const token = await issuer.issueDevToken({ sub: USER, roles: ["Admin"], tenantId: TENANT, teams: ["team-1"] });
    const principal = await issuer.verifier().verify(token);
    expect(principal).toEqual({ sub: USER, tenantId: TENANT, roles: ["admin"], teams: ["team-1"], permissions: [], kind: "user", issuer: DEV_ISSUER });
    // It is an ordinary JWT: any verifier with the published JWKS accepts it.
    const external = createJwtVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: issuer.jwks });
    await expect(external.verify(token)).resolves.toMatchObject({ sub: USER });
  });

  it("keeps its key pair across restarts, in a 0600 file", async () => {
    const first = await DevIssuer.open(dataDir);
    const token = await first.issueDevToken({ sub: USER, roles: ["sales"], tenantId: TENANT });
    const restarted = await DevIssuer.open(dataDir);
    expect(restarted.jwks).toEqual(first.jwks);
    await expect(restarted.verifier().verify(token)).resolves.toMatchObject({ sub: USER, roles: ["sales"] });
    const file = join(dataDir, DEV_ISSUER_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The JWKS it publishes carries no private part.
    expect(JSON.stringify(restarted.jwks)).not.toMatch(/"d"/);
    expect(JSON.parse(await readFile(file, "utf8")).privateJwk.d).toBeTruthy();
  });

  it("a new data directory means a new key: old tokens are refused", async () => {
    const otherDir = await mkdtemp(join(tmpdir(), "tessera-dev-issuer-"));
    try {
      const token = await (await DevIssuer.open(dataDir)).issueDevToken({ sub: USER, roles: [], tenantId: null });
      const other = await DevIssuer.open(otherDir);
      await expect(other.verifier().verify(token)).rejects.toBeInstanceOf(AuthError);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it("honours expiresIn", async () => {
    const issuer = await DevIssuer.open(dataDir);
    const token = await issuer.issueDevToken({ sub: USER, roles: [], tenantId: TENANT, expiresIn: -60 });
    await expect(issuer.verifier().verify(token)).rejects.toMatchObject({ reason: "expired", statusCode: 401 });
  });

  it("serves its JWKS at /.well-known/jwks.json", async () => {
    const issuer = await DevIssuer.open(dataDir);
    const app = Fastify();
    await app.register(jwksRoute, { jwks: issuer.jwks });
    const response = await app.inject({ method: "GET", url: JWKS_PATH });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(issuer.jwks);
    await app.close();
  });

  it("createTokenVerifier picks the dev issuer when none is configured", async () => {
    const setup = await createTokenVerifier({ dataDir, nodeEnv: "development" });
    expect(setup.issuer).toBe(DEV_ISSUER);
    const token = await (setup.devIssuer as DevIssuer).issueDevToken({ sub: USER, roles: ["viewer"], tenantId: TENANT });
    await expect(setup.verify(token)).resolves.toMatchObject({ roles: ["viewer"] });
  });
});
