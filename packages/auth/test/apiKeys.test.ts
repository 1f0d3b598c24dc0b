// API keys on a real database (both drivers): created once in plaintext, verified in constant
// time, revoked, listed without secrets, and bound to their own tenant.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyStore } from "@tessera/engine";
import { AuthError, createRequestAuthenticator, verifyApiKey } from "@tessera/auth";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT_A = "0a000000-0000-4000-8000-0000000000aa";
const TENANT_B = "0b000000-0000-4000-8000-0000000000bb";
let crm: CrmDatabase;
let store: ApiKeyStore;

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT_A, TENANT_B]);
  store = new ApiKeyStore(crm.db);
});
afterAll(async () => {
  await crm?.drop();
});

const noJwt = async (): Promise<never> => {
  throw new Error("no JWT expected in this test");
};

describe("API keys", () => {
  it("creates a key shown once, stores only its hash, and verifies it to a service principal", async () => {
    const { key, record } = await store.create({ tenantId: TENANT_A, name: "zapier", roles: ["Sales"], permissions: ["crm.deal.read"] });
    expect(key).toMatch(/^tsk_[0-9a-f]{12}_[0-9a-f]{64}$/);
    expect(key.startsWith(record.prefix + "_")).toBe(true);
    const { rows } = await crm.db.query<{ secret_hash: string }>("SELECT secret_hash FROM tessera_api_keys WHERE id = $1", [record.id]);
    expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(rows[0].secret_hash);

    const principal = await verifyApiKey(store, key);
    expect(principal).toEqual({ sub: `apikey:${record.id}`, tenantId: TENANT_A, roles: ["sales"], teams: [], permissions: ["crm.deal.read"], kind: "service" });
    const [listed] = await store.list(TENANT_A);
    expect(listed).toMatchObject({ id: record.id, name: "zapier", prefix: record.prefix, revokedAt: null });
    expect(listed.lastUsedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(listed)).not.toMatch(/secret|hash/i);
  });

  it("rejects a wrong secret under a real prefix, an unknown key and a malformed key with 401", async () => {
    const { key } = await store.create({ tenantId: TENANT_A, name: "wrong-secret" });
    const tampered = key.slice(0, -1) + (key.endsWith("0") ? "1" : "0");
    for (const bad of [tampered, `tsk_${"0".repeat(12)}_${"0".repeat(64)}`, "tsk_short"]) {
      const error = await verifyApiKey(store, bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: "UNAUTHENTICATED", statusCode: 401 });
    }
  });

  it("a revoked key is refused with 401", async () => {
    const { key, record } = await store.create({ tenantId: TENANT_A, name: "to-revoke" });
    await expect(verifyApiKey(store, key)).resolves.toMatchObject({ kind: "service" });
    expect(await store.revoke(TENANT_B, record.id)).toBe(false); // another tenant cannot revoke it
    expect(await store.revoke(TENANT_A, record.id)).toBe(true);
    expect(await store.revoke(TENANT_A, record.id)).toBe(false); // idempotent
    await expect(verifyApiKey(store, key)).rejects.toMatchObject({ code: "UNAUTHENTICATED", statusCode: 401, reason: "revoked" });
    expect((await store.list(TENANT_A)).find((k) => k.id === record.id)?.revokedAt).toBeInstanceOf(Date);
  });

  it("keeps tenants apart: a key of tenant A gives tenant A, and cannot be pointed at tenant B", async () => {
    const a = await store.create({ tenantId: TENANT_A, name: "a-key", roles: ["admin"] });
    const b = await store.create({ tenantId: TENANT_B, name: "b-key", roles: ["viewer"] });
    const auth = createRequestAuthenticator({ verifyToken: noJwt, apiKeys: store });

    const ctxA = await auth.resolveRequestContext({ headers: { "x-api-key": a.key } });
    expect(ctxA).toMatchObject({ tenantId: TENANT_A, principal: { sub: `apikey:${a.record.id}`, roles: ["admin"], kind: "service" } });
    const ctxB = await auth.resolveRequestContext({ headers: { authorization: `Bearer ${b.key}` } });
    expect(ctxB).toMatchObject({ tenantId: TENANT_B, principal: { roles: ["viewer"], kind: "service" } });
    // A key without explicit permissions is limited by its roles only.
    expect(ctxB.principal).not.toHaveProperty("permissions");
    const scoped = await store.create({ tenantId: TENANT_A, name: "scoped", roles: ["sales"], permissions: ["crm.deal.read"] });
    expect((await auth.resolveRequestContext({ headers: { "x-api-key": scoped.key } })).principal).toMatchObject({ permissions: ["crm.deal.read"] });

    await expect(auth.resolveRequestContext({ headers: { "x-api-key": a.key, "x-tenant-id": TENANT_B } })).rejects.toMatchObject({ code: "FORBIDDEN", statusCode: 403 });
    await expect(auth.resolveRequestContext({ headers: { "x-api-key": a.key, "x-tenant-id": TENANT_A } })).resolves.toMatchObject({ tenantId: TENANT_A });
    expect((await store.list(TENANT_B)).map((k) => k.name)).toEqual(["b-key"]);
  });

  it("a deployment bound to one tenant refuses another tenant's key with 403", async () => {
    const b = await store.create({ tenantId: TENANT_B, name: "b-elsewhere" });
    const auth = createRequestAuthenticator({ verifyToken: noJwt, apiKeys: store, tenantId: TENANT_A });
    await expect(auth.resolveRequestContext({ headers: { "x-api-key": b.key } })).rejects.toMatchObject({ code: "FORBIDDEN", statusCode: 403, reason: "wrong_tenant" });
  });

  it("refuses API keys when the server has no key store", async () => {
    const { key } = await store.create({ tenantId: TENANT_A, name: "no-store" });
    const auth = createRequestAuthenticator({ verifyToken: noJwt });
    await expect(auth.resolveRequestContext({ headers: { "x-api-key": key } })).rejects.toMatchObject({ statusCode: 401 });
  });
});
