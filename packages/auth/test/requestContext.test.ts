// Tenancy at the edge: the tenant comes from the token, the API key, the x-tenant-id header or the
// deployment's single tenant, and a user must be a member (Membership rows read through the
// engine's system API) of the tenant they act in.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Engine, systemContext } from "@tessera/engine";
import { cachedMembershipCheck, createRequestAuthenticator, DevIssuer, engineMembershipCheck, isAuthError, type MembershipCheck, type RequestAuthenticator } from "@tessera/auth";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT_A = "0a000000-0000-4000-8000-0000000000a1";
const TENANT_B = "0b000000-0000-4000-8000-0000000000b1";
let crm: CrmDatabase;
let engine: Engine;
let dataDir: string;
let issuer: DevIssuer;
let isMember: MembershipCheck;
let auth: RequestAuthenticator;
let ana: string; // admin of tenant A, in a team
let teamId: string;
let bob: string; // viewer in tenant B only

const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT_A, TENANT_B]);
  engine = new Engine({ schema: crm.schema, db: crm.db, cache: false });
  dataDir = await mkdtemp(join(tmpdir(), "tessera-auth-ctx-"));
  issuer = await DevIssuer.open(dataDir);
  // Rows are written with plain SQL on the system path: this test is about reading them.
  const insert = async (sql: string, params: unknown[]): Promise<string> =>
    (await crm.db.transaction((tx) => tx.query<{ id: string }>(sql, params), { role: false })).rows[0].id;
  ana = await insert("INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id", ["ana@example.test", "Ana"]);
  bob = await insert("INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id", ["bob@example.test", "Bob"]);
  teamId = await insert("INSERT INTO teams (tenant_id, name) VALUES ($1::uuid, $2) RETURNING id", [TENANT_A, "EMEA"]);
  await insert("INSERT INTO memberships (tenant_id, user_id, team_id, role) VALUES ($1::uuid, $2::uuid, $3::uuid, 'admin') RETURNING id", [TENANT_A, ana, teamId]);
  // Bob belongs to tenant B only.
  await insert("INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1::uuid, $2::uuid, 'viewer') RETURNING id", [TENANT_B, bob]);
  isMember = engineMembershipCheck(engine);
  auth = createRequestAuthenticator({ verifyToken: (t) => issuer.verifier().verify(t), isMember });
});
afterAll(async () => {
  await crm?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("membership check through the engine", () => {
  it("finds the user's role and team in a tenant, and nothing elsewhere", async () => {
    expect(await isMember(ana, TENANT_A)).toEqual({ roles: ["admin"], teams: [teamId] });
    expect(await isMember(ana, TENANT_B)).toBeNull();
    expect(await isMember(bob, TENANT_A)).toBeNull();
    expect(await isMember(bob, TENANT_B)).toEqual({ roles: ["viewer"], teams: [] });
    expect(await isMember("not-a-uuid", TENANT_A)).toBeNull();
  });
});

describe("cached membership check", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("serves repeated lookups from the cache until the TTL ends", async () => {
    let calls = 0;
    const check = cachedMembershipCheck(async () => ({ roles: ["admin"], teams: [String(++calls)] }), { ttlMs: 1_000 });
    const first = await check(ana, TENANT_A);
    first!.roles.push("mutated");
    expect(await check(ana, TENANT_A)).toEqual({ roles: ["admin"], teams: ["1"] });
    expect(await check(bob, TENANT_A)).toEqual({ roles: ["admin"], teams: ["2"] });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 1_001);
    expect(await check(ana, TENANT_A)).toEqual({ roles: ["admin"], teams: ["3"] });
  });

  it("does not cache a lookup that was running while its tenant was invalidated", async () => {
    let release!: () => void;
    let answer: string[] = ["admin"];
    const check = cachedMembershipCheck(async () => {
      const roles = answer;
      await new Promise<void>((resolve) => (release = resolve));
      return { roles, teams: [] };
    }, { ttlMs: 60_000 });
    const running = check(ana, TENANT_A);
    await Promise.resolve();
    answer = ["viewer"];
    check.invalidate(TENANT_A); // the revoking change committed while the old answer was in flight
    release();
    expect(await running).toEqual({ roles: ["admin"], teams: [] });
    const next = check(ana, TENANT_A);
    await Promise.resolve();
    release();
    expect(await next).toEqual({ roles: ["viewer"], teams: [] });
  });

  it("a revoked membership takes effect as soon as the Membership change commits (no waiting for the TTL)", async () => {
    const carol = (await crm.db.transaction((tx) => tx.query<{ id: string }>("INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id", ["carol@example.test", "Carol"]), { role: false })).rows[0].id;
    const membership = await engine.model("Membership").create({ userId: carol, role: "viewer" }, systemContext(TENANT_A));
    const cached = cachedMembershipCheck(engineMembershipCheck(engine), { ttlMs: 3_600_000 });
    const stop = engine.onCommit((tenantId, model) => {
      if (model === "Membership") cached.invalidate(tenantId);
    });
    try {
      expect(await cached(carol, TENANT_A)).toEqual({ roles: ["viewer"], teams: [] });
      await engine.model("Membership").delete({ id: membership.id }, systemContext(TENANT_A));
      expect(await cached(carol, TENANT_A)).toBeNull();
      await engine.model("Membership").create({ userId: carol, role: "admin" }, systemContext(TENANT_A));
      expect(await cached(carol, TENANT_A)).toEqual({ roles: ["admin"], teams: [] });
    } finally {
      stop();
    }
  });
});

describe("resolveRequestContext", () => {
  it("without credentials: 401, and an anonymous context from resolveOptionalContext", async () => {
    await expect(auth.resolveRequestContext({ headers: {} })).rejects.toMatchObject({ code: "UNAUTHENTICATED", statusCode: 401, reason: "missing" });
    expect(await auth.resolveOptionalContext({ headers: { "x-tenant-id": TENANT_A }, id: "req-9" })).toEqual({ tenantId: TENANT_A, principal: null, correlationId: "req-9" });
  });

  it("bad credentials are 401 even where anonymous access is allowed", async () => {
    await expect(auth.resolveOptionalContext({ headers: bearer("garbage") })).rejects.toMatchObject({ statusCode: 401, reason: "malformed" });
    await expect(auth.resolveOptionalContext({ headers: { authorization: "Basic YTpi" } })).rejects.toMatchObject({ statusCode: 401, reason: "malformed" });
  });

  it("takes the tenant from the token and checks the membership", async () => {
    const token = await issuer.issueDevToken({ sub: ana, roles: ["Admin"], tenantId: TENANT_A });
    expect(await auth.resolveRequestContext({ headers: bearer(token), id: "req-1" })).toEqual({
      tenantId: TENANT_A,
      correlationId: "req-1",
      // No explicit permissions: the key is left out (a present list restricts every action).
      principal: { sub: ana, roles: ["admin"], teams: [teamId], kind: "user" },
    });
  });

  it("takes the tenant from x-tenant-id; roles and teams come from the membership when the token has none", async () => {
    const token = await issuer.issueDevToken({ sub: ana, roles: [], tenantId: null });
    const ctx = await auth.resolveRequestContext({ headers: { ...bearer(token), "x-tenant-id": TENANT_A } });
    expect(ctx).toMatchObject({ tenantId: TENANT_A, principal: { sub: ana, roles: ["admin"], teams: [teamId] } });
  });

  it("a token's roles never lift a member above the tenant's membership role, unless the operator trusts the token for roles", async () => {
    // Bob is a viewer of tenant B; his token claims admin and a team.
    const token = await issuer.issueDevToken({ sub: bob, roles: ["admin"], tenantId: TENANT_B, teams: [teamId] });
    const ctx = await auth.resolveRequestContext({ headers: bearer(token) });
    expect(ctx.principal).toMatchObject({ sub: bob, roles: ["viewer"], teams: [] });
    const trusting = createRequestAuthenticator({ verifyToken: (t) => issuer.verifier().verify(t), isMember, roleSource: "both" });
    expect((await trusting.resolveRequestContext({ headers: bearer(token) })).principal).toMatchObject({ roles: ["admin"], teams: [teamId] });
    // Trusting the token for roles still needs a membership of the tenant.
    const foreign = await issuer.issueDevToken({ sub: bob, roles: ["admin"], tenantId: TENANT_A });
    await expect(trusting.resolveRequestContext({ headers: bearer(foreign) })).rejects.toMatchObject({ statusCode: 403 });
  });

  it("x-tenant-id of a tenant the user is not a member of is 403", async () => {
    const token = await issuer.issueDevToken({ sub: ana, roles: [], tenantId: null });
    const error = await auth.resolveRequestContext({ headers: { ...bearer(token), "x-tenant-id": TENANT_B } }).catch((e: unknown) => e);
    expect(isAuthError(error)).toBe(true);
    expect(error).toMatchObject({ code: "FORBIDDEN", statusCode: 403, reason: "not_member" });
    const stranger = await issuer.issueDevToken({ sub: bob, roles: ["admin"], tenantId: null });
    await expect(auth.resolveRequestContext({ headers: { ...bearer(stranger), "x-tenant-id": TENANT_A } })).rejects.toMatchObject({ statusCode: 403 });
  });

  it("a token claiming a tenant the user does not belong to is 403", async () => {
    const token = await issuer.issueDevToken({ sub: bob, roles: ["admin"], tenantId: TENANT_A });
    await expect(auth.resolveRequestContext({ headers: bearer(token) })).rejects.toMatchObject({ statusCode: 403, reason: "not_member" });
  });

  it("a header naming another tenant than the token's is 403; no tenant at all is 403", async () => {
    const token = await issuer.issueDevToken({ sub: ana, roles: ["admin"], tenantId: TENANT_A });
    await expect(auth.resolveRequestContext({ headers: { ...bearer(token), "x-tenant-id": TENANT_B } })).rejects.toMatchObject({ statusCode: 403, reason: "wrong_tenant" });
    const untenanted = await issuer.issueDevToken({ sub: ana, roles: ["admin"], tenantId: null });
    await expect(auth.resolveRequestContext({ headers: bearer(untenanted) })).rejects.toMatchObject({ statusCode: 403, reason: "no_tenant" });
    await expect(auth.resolveRequestContext({ headers: { ...bearer(untenanted), "x-tenant-id": "demo" } })).rejects.toMatchObject({ statusCode: 403 });
  });

  it("single-tenant mode: every request runs in TENANT_ID; a token claiming another tenant is 403", async () => {
    const single = createRequestAuthenticator({ verifyToken: (t) => issuer.verifier().verify(t), isMember, tenantId: TENANT_A });
    const plain = await issuer.issueDevToken({ sub: ana, roles: [], tenantId: null });
    expect(await single.resolveRequestContext({ headers: bearer(plain) })).toMatchObject({ tenantId: TENANT_A, principal: { roles: ["admin"] } });
    const foreign = await issuer.issueDevToken({ sub: ana, roles: ["admin"], tenantId: TENANT_B });
    await expect(single.resolveRequestContext({ headers: bearer(foreign) })).rejects.toMatchObject({ code: "FORBIDDEN", statusCode: 403, reason: "wrong_tenant" });
    await expect(single.resolveRequestContext({ headers: { ...bearer(plain), "x-tenant-id": TENANT_B } })).rejects.toMatchObject({ statusCode: 403 });
    expect(await single.resolveOptionalContext({ headers: {} })).toMatchObject({ tenantId: TENANT_A, principal: null });
  });

  it("without a membership check, a tenant named only by the header is refused, a token's claim is trusted", async () => {
    const plain = createRequestAuthenticator({ verifyToken: (t) => issuer.verifier().verify(t) });
    const untenanted = await issuer.issueDevToken({ sub: bob, roles: ["sales"], tenantId: null });
    await expect(plain.resolveRequestContext({ headers: { ...bearer(untenanted), "x-tenant-id": TENANT_A } })).rejects.toMatchObject({ statusCode: 403 });
    const claimed = await issuer.issueDevToken({ sub: bob, roles: ["sales"], tenantId: TENANT_B });
    await expect(plain.resolveRequestContext({ headers: bearer(claimed) })).resolves.toMatchObject({ tenantId: TENANT_B, principal: { roles: ["sales"] } });
  });
});

describe("in a fastify route", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    app.setErrorHandler((error, _request, reply) => {
      if (isAuthError(error)) return reply.code(error.statusCode).send({ code: error.code, message: error.message });
      return reply.code(500).send({ code: "INTERNAL" });
    });
    app.get("/whoami", async (request) => auth.resolveRequestContext(request));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("answers 401, 403 and 200 with the request id as correlation id", async () => {
    expect((await app.inject({ method: "GET", url: "/whoami" })).statusCode).toBe(401);
    const token = await issuer.issueDevToken({ sub: ana, roles: [], tenantId: null });
    const forbidden = await app.inject({ method: "GET", url: "/whoami", headers: { ...bearer(token), "x-tenant-id": TENANT_B } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ code: "FORBIDDEN" });
    const ok = await app.inject({ method: "GET", url: "/whoami", headers: { ...bearer(token), "x-tenant-id": TENANT_A } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ tenantId: TENANT_A, principal: { sub: ana, roles: ["admin"] }, correlationId: expect.any(String) });
  });
});
