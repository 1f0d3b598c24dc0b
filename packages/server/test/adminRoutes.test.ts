// The routes the admin UI needs besides GraphQL: /auth/config, the dev sign-in, /api/meta and the
// static UI with history fallback — and the ways one might try to misuse them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine, systemContext } from "@tessera/engine";
import { createApiServer, type ApiServer } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const A = "2a000000-0000-4000-8000-00000000000a";
const B = "2b000000-0000-4000-8000-00000000000b";
const LIMITS = { perIp: 10_000, perPrincipal: 10_000, durationSeconds: 60 };

let crm: CrmDatabase;
let engine: Engine;
let stateDir: string;
let uiDir: string;
let api: ApiServer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  crm = await openCrmDatabase([A, B]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  for (const [name, role, tenant] of [["Ana", "admin", A], ["Dan", "viewer", A], ["Olga", "admin", B]] as const) {
    const user = await engine.model("User").create({ email: `${name.toLowerCase()}@example.com`, name }, systemContext(tenant));
    ids[name] = user.id as string;
    await engine.model("Membership").create({ userId: user.id, role }, systemContext(tenant));
  }
  stateDir = mkdtempSync(join(tmpdir(), "tessera-admin-routes-"));
  uiDir = join(stateDir, "ui");
  mkdirSync(join(uiDir, "assets"), { recursive: true });
  writeFileSync(join(uiDir, "index.html"), "<!doctype html><title>Tessera UI</title>");
  writeFileSync(join(uiDir, "assets", "app.js"), "console.log('ui')");
  api = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, rateLimit: LIMITS, devSignInTenantId: A, adminDir: uiDir });
});

afterAll(async () => {
  await api?.app.close();
  await crm?.drop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function signIn(userId: string): Promise<{ status: number; body: { token?: string; roles?: string[]; error?: { code: string } } }> {
  const response = await api.app.inject({ method: "POST", url: "/auth/dev/token", payload: { userId } });
  return { status: response.statusCode, body: response.json() };
}

describe("dev sign-in", () => {
  it("lists the dev tenant's members with their roles, and nobody from another tenant", async () => {
    expect((await api.app.inject({ url: "/auth/config" })).json()).toEqual({ signIn: "dev" });
    const users = (await api.app.inject({ url: "/auth/dev/users" })).json() as { users: { name: string; roles: string[] }[] };
    expect(users.users.map((u) => [u.name, u.roles])).toEqual([["Ana", ["admin"]], ["Dan", ["viewer"]]]);
  });

  it("issues a token with the roles of the membership, not of the request", async () => {
    const claimed = await api.app.inject({ method: "POST", url: "/auth/dev/token", payload: { userId: ids.Dan, roles: ["admin"] } });
    expect(claimed.statusCode).toBe(400);
    expect(claimed.json().error).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("roles") });
    const answer = await api.app.inject({ method: "POST", url: "/auth/dev/token", payload: { userId: ids.Dan } });
    const { token, roles } = answer.json() as { token: string; roles: string[] };
    expect(roles).toEqual(["viewer"]);
    const refused = await api.app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${token}` }, payload: { query: `mutation { createTag(data: { name: "x" }) { id } }` } });
    expect(refused.json().errors[0].extensions.code).toBe("FORBIDDEN");
    // The token lives for hours, not an instant (a numeric expiresIn once meant "expired in 1970").
    const meta = await api.app.inject({ url: "/api/meta", headers: { authorization: `Bearer ${token}` } });
    expect(meta.statusCode).toBe(200);
  });

  it("refuses users of other tenants, unknown users and malformed bodies", async () => {
    expect((await signIn(ids.Olga)).status).toBe(403);
    expect((await signIn("00000000-0000-4000-8000-0000000000ff")).status).toBe(403);
    const bad = await signIn("not-a-uuid");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("VALIDATION_FAILED");
  });

  it("does not exist in production or with an identity provider configured", async () => {
    const production = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, rateLimit: LIMITS, devSignInTenantId: A, nodeEnv: "production", issuer: { issuer: "https://id.example.com", audience: "tessera", jwksUri: "https://id.example.com/jwks" } });
    try {
      expect((await production.app.inject({ url: "/auth/dev/users" })).statusCode).toBe(404);
      expect((await production.app.inject({ method: "POST", url: "/auth/dev/token", payload: { userId: ids.Ana } })).statusCode).toBe(404);
      expect((await production.app.inject({ url: "/auth/config" })).json()).toEqual({ signIn: "token" });
    } finally {
      await production.app.close();
    }
  });
});

describe("/api/meta", () => {
  it("needs a token", async () => {
    const response = await api.app.inject({ url: "/api/meta" });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe("UNAUTHENTICATED");
  });

  it("describes the API as the principal may use it", async () => {
    const viewer = (await signIn(ids.Dan)).body.token!;
    const admin = (await signIn(ids.Ana)).body.token!;
    type Meta = { principal: { roles: string[] }; models: { name: string; can: Record<string, boolean>; fields: { name: string; writable: boolean; values?: string[]; references?: { model: string } }[]; api: { history: string } }[] };
    const asViewer = (await api.app.inject({ url: "/api/meta", headers: { authorization: `Bearer ${viewer}` } })).json() as Meta;
    const asAdmin = (await api.app.inject({ url: "/api/meta", headers: { authorization: `Bearer ${admin}` } })).json() as Meta;
    const contactFor = (m: Meta) => m.models.find((x) => x.name === "Contact")!;
    expect(asViewer.principal.roles).toEqual(["viewer"]);
    expect(contactFor(asViewer).can).toEqual({ read: true, create: false, update: false, delete: false });
    expect(contactFor(asAdmin).can).toEqual({ read: true, create: true, update: true, delete: true });
    // Contact.notes is readable by sales|manager|admin only; Company.annualRevenue by manager|admin.
    expect(contactFor(asViewer).fields.map((f) => f.name)).not.toContain("notes");
    expect(contactFor(asAdmin).fields.map((f) => f.name)).toContain("notes");
    const deal = asAdmin.models.find((x) => x.name === "Deal")!;
    expect(deal.fields.find((f) => f.name === "stage")!.values).toEqual(["lead", "qualified", "proposal", "negotiation", "won", "lost"]);
    expect(deal.fields.find((f) => f.name === "contactId")!.references).toEqual({ relation: "contact", model: "Contact" });
    expect(deal.api.history).toBe("dealHistory");
    // lostReason is writable by manager|admin only: a sales principal would see it read-only.
    expect(deal.fields.find((f) => f.name === "lostReason")!.writable).toBe(true);
  });
});

describe("admin UI hosting", () => {
  it("serves index.html at / and for client routes, assets as files, and JSON 404s for API paths", async () => {
    const root = await api.app.inject({ url: "/" });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain("Tessera UI");
    expect(root.headers["cache-control"]).toBe("no-cache");
    const route = await api.app.inject({ url: "/m/Contact/123" });
    expect(route.statusCode).toBe(200);
    expect(route.body).toContain("Tessera UI");
    const asset = await api.app.inject({ url: "/assets/app.js" });
    expect(asset.body).toContain("console.log");
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect((await api.app.inject({ url: "/assets/missing.js" })).statusCode).toBe(404);
    const unknownApi = await api.app.inject({ url: "/api/nothing" });
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json().error.code).toBe("NOT_FOUND");
    // Nothing outside the UI folder is reachable.
    expect((await api.app.inject({ url: "/../dev-issuer.json" })).body).not.toContain("privateJwk");
    expect((await api.app.inject({ url: "/%2e%2e/dev-issuer.json" })).body).not.toContain("privateJwk");
  });
});
