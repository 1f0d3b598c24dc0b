// `tessera user`, `tessera member` and `tessera tenant list|link|unlink` driven in-process on a real
// database (PGlite, or a private database on the DATABASE_URL server), on an app made by
// `tessera init --template blank` (no identity models of its own) and on the CRM (its
// Membership.role is an enum). The end of the user/member story is checked where it matters: a dev
// token for the added identity signs in as the added user with the added role.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase } from "@tessera/db";
import { Engine, systemContext } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import { loadApp, main } from "@tessera/cli";
import { createTestDatabase, type TestDatabase } from "../../../test/support/testDatabase.ts";

// Inside the repo so the app's schema.ts resolves @tessera/schema under vitest; git-ignored.
const root = join(process.cwd(), ".tessera", "test-apps", randomBytes(4).toString("hex"));
const appDir = join(root, "blank");
const crmApp = join(process.cwd(), "apps", "crm");
const T1 = "4a000000-0000-4000-8000-000000000001";
const T2 = "4b000000-0000-4000-8000-000000000002";
const databases: TestDatabase[] = [];

interface Db {
  args: string[];
  open: () => ReturnType<typeof openDatabase>;
}

/** A database of its own for each app (their migrations differ). */
async function freshDb(name: string): Promise<Db> {
  if (!process.env.DATABASE_URL) {
    const dataDir = join(root, `data-${name}`);
    return { args: ["--data-dir", dataDir], open: () => openDatabase({ dataDir }) };
  }
  // Its own pool stays open until drop(), which closes it (closing it twice would skip the DROP).
  const db = await createTestDatabase();
  databases.push(db);
  return { args: ["--database-url", db.url!, "--data-dir", join(root, `data-${name}`)], open: () => openDatabase({ databaseUrl: db.url!, dataDir: "" }) };
}

async function run(...args: string[]): Promise<{ code: number; out: string; stdout: string }> {
  const lines: string[] = [];
  const stdout: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void (lines.push(a.join(" ")), stdout.push(a.join(" "))));
  const err = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    const code = await main(args);
    return { code, out: lines.join("\n"), stdout: stdout.join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

let blank: Db;
let blankArgs: string[];

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  expect((await run("init", appDir, "--template", "blank")).code).toBe(0);
  blank = await freshDb("blank");
  blankArgs = ["--app", appDir, ...blank.args];
  // Before the first migration there are no tables: the command says what to run.
  expect(await run("user", "list", ...blankArgs)).toMatchObject({ code: 1, out: expect.stringContaining(`run first: tessera migrate --app ${appDir}`) });
  expect((await run("migrate", ...blankArgs)).code).toBe(0);
  for (const [id, name] of [[T1, "Acme"], [T2, "Globex"]]) expect((await run("tenant", "create", "--id", id, "--name", name, "--slug", name.toLowerCase(), ...blankArgs)).code).toBe(0);
});

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  for (const db of databases) await db.drop().catch(() => undefined);
});

describe("tessera user add / list", () => {
  it("creates a platform user once: the same e-mail again is reported with the same id", async () => {
    const first = await run("user", "add", "--email", "ada@example.com", "--name", "Ada", ...blankArgs);
    expect(first.code, first.out).toBe(0);
    expect(first.stdout).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.out).toContain(`created user ${first.stdout} (ada@example.com)`);
    const again = await run("user", "add", "--email", "ada@example.com", "--name", "Someone else", ...blankArgs);
    expect(again).toMatchObject({ code: 0, stdout: first.stdout });
    expect(again.out).toContain("already exists; its name stays 'Ada'");
    const listed = JSON.parse((await run("user", "list", "--json", ...blankArgs)).stdout) as { id: string; email: string }[];
    expect(listed.filter((u) => u.email === "ada@example.com")).toEqual([{ id: first.stdout, email: "ada@example.com", name: "Ada", identities: [] }]);
  });

  it("records an identity with --issuer/--subject, shown by user list, and refuses to give it to a second user", async () => {
    const added = await run("user", "add", "--email", "bo@example.com", "--issuer", "https://acme.eu.auth0.com/", "--subject", "auth0|bo", ...blankArgs);
    expect(added.code, added.out).toBe(0);
    // An existing user gains a further identity.
    const linked = await run("user", "add", "--email", "bo@example.com", "--issuer", "tessera-dev", "--subject", "auth0|bo", ...blankArgs);
    expect(linked).toMatchObject({ code: 0, stdout: added.stdout });
    const table = (await run("user", "list", ...blankArgs)).stdout;
    expect(table.split("\n")[0]).toMatch(/^id +email +name +identities$/);
    expect(table).toMatch(new RegExp(`${added.stdout} +bo@example.com +- +https://acme.eu.auth0.com/ auth0\\|bo, tessera-dev auth0\\|bo`));

    const taken = await run("user", "add", "--email", "cy@example.com", "--issuer", "tessera-dev", "--subject", "auth0|bo", ...blankArgs);
    expect(taken.code).toBe(1);
    expect(taken.out).toContain(`the identity auth0|bo at tessera-dev already belongs to user ${added.stdout}`);
    const emails = (JSON.parse((await run("user", "list", "--json", ...blankArgs)).stdout) as { email: string }[]).map((u) => u.email);
    expect(emails).not.toContain("cy@example.com");
  });

  it("lists every user, past the largest page the engine reads at once", async () => {
    const db = await blank.open();
    let maxPageSize: number;
    try {
      const engine = new Engine({ schema: (await loadApp(appDir)).schema, db, cache: false });
      maxPageSize = engine.schema.config.maxPageSize;
      await engine.model("User").createMany(Array.from({ length: maxPageSize + 1 }, (_, i) => ({ email: `bulk${String(i).padStart(3, "0")}@example.com` })), systemContext(null));
    } finally {
      await db.close();
    }
    const listed = JSON.parse((await run("user", "list", "--json", ...blankArgs)).stdout) as { email: string }[];
    expect(listed.filter((u) => u.email.startsWith("bulk"))).toHaveLength(maxPageSize + 1);
  });

  it("refuses bad input naming the flag", async () => {
    await expect(main(["user", "add", "--email", "x@example.com", "--issuer", "tessera-dev", ...blankArgs])).rejects.toThrow("--subject is missing");
    await expect(main(["user", "add", "--name", "X", ...blankArgs])).rejects.toThrow("user add needs --email");
    const invalid = await run("user", "add", "--email", "not-an-email", ...blankArgs);
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(/Validation failed: .*email/);
  });
});

describe("tessera member add / remove", () => {
  it("gives a user a role in a tenant by e-mail or id, once; a dev token for its identity then signs in with it", async () => {
    const userId = (await run("user", "add", "--email", "dee@example.com", "--issuer", "tessera-dev", "--subject", "auth0|dee", ...blankArgs)).stdout;
    const byEmail = await run("member", "add", "--tenant", T1, "--email", "dee@example.com", "--role", "member", ...blankArgs);
    expect(byEmail.code, byEmail.out).toBe(0);
    expect(byEmail.out).toContain(`dee@example.com is now member in tenant ${T1}`);
    const again = await run("member", "add", "--tenant", T1, "--user", userId, "--role", "member", ...blankArgs);
    expect(again).toMatchObject({ code: 0, stdout: byEmail.stdout });
    expect(again.out).toContain("already has the role member");
    expect((await run("member", "add", "--tenant", T2, "--user", userId, "--role", "admin", ...blankArgs)).code).toBe(0);

    // Roles from memberships (the default): the token carries no role, the membership gives it.
    const db = await blank.open();
    try {
      const app = await loadApp(appDir);
      const engine = new Engine({ schema: app.schema, db });
      const { app: server, devIssuer } = await createApiServer({ engine, ir: app.schema, appName: "blank", dataDir: join(root, "state"), logger: false, membershipCacheTtlMs: 0 });
      try {
        const token = await devIssuer!.issueDevToken({ sub: "auth0|dee", roles: [], tenantId: T1 });
        const session = await server.inject({ method: "GET", url: "/auth/session", headers: { authorization: `Bearer ${token}` } });
        expect(session.json()).toMatchObject({ user: { id: userId, roles: ["member"] }, tenantId: T1 });
      } finally {
        await server.close();
      }
    } finally {
      await db.close();
    }
  });

  it("removes the user's memberships of one tenant only, never the user", async () => {
    const userId = (await run("user", "add", "--email", "dee@example.com", ...blankArgs)).stdout;
    const removed = await run("member", "remove", "--tenant", T1, "--email", "dee@example.com", ...blankArgs);
    expect(removed).toMatchObject({ code: 0, out: expect.stringContaining(`removed 1 membership(s) of dee@example.com in tenant ${T1}`) });
    expect((await run("member", "remove", "--tenant", T1, "--user", userId, ...blankArgs)).out).toContain("has no membership in tenant");
    const db = await blank.open();
    try {
      const engine = new Engine({ schema: (await loadApp(appDir)).schema, db, cache: false });
      const roles = async (tenant: string) => (await engine.model("Membership").findMany({ where: { userId }, fields: ["role"] }, systemContext(tenant))).nodes.map((n) => n.role);
      expect(await roles(T1)).toEqual([]);
      expect(await roles(T2)).toEqual(["admin"]);
      expect(await engine.model("User").findUnique({ id: userId }, systemContext(null), { fields: ["email"] })).toEqual({ email: "dee@example.com" });
    } finally {
      await db.close();
    }
  });

  it("names an unknown tenant, an unknown user and a malformed id", async () => {
    const unknownTenant = await run("member", "add", "--tenant", "4c000000-0000-4000-8000-000000000009", "--email", "ada@example.com", "--role", "member", ...blankArgs);
    expect(unknownTenant).toMatchObject({ code: 1, out: expect.stringContaining("no tenant 4c000000-0000-4000-8000-000000000009") });
    const unknownEmail = await run("member", "add", "--tenant", T1, "--email", "nobody@example.com", "--role", "member", ...blankArgs);
    expect(unknownEmail).toMatchObject({ code: 1, out: expect.stringContaining("no user with the e-mail nobody@example.com") });
    const unknownId = await run("member", "remove", "--tenant", T1, "--user", "4d000000-0000-4000-8000-000000000009", ...blankArgs);
    expect(unknownId).toMatchObject({ code: 1, out: expect.stringContaining("no user 4d000000-0000-4000-8000-000000000009") });
    const unknownTeam = await run("member", "add", "--tenant", T1, "--email", "ada@example.com", "--role", "member", "--team", "4e000000-0000-4000-8000-000000000009", ...blankArgs);
    expect(unknownTeam.code).toBe(1);
    expect(unknownTeam.out).toMatch(/teamId/);
    await expect(main(["member", "add", "--tenant", "acme", "--email", "ada@example.com", "--role", "member", ...blankArgs])).rejects.toThrow("--tenant takes an id (a UUID), got 'acme'");
    await expect(main(["member", "add", "--tenant", T1, "--email", "a@b.c", "--user", T1, "--role", "x", ...blankArgs])).rejects.toThrow("one of --user (a user id) or --email");
    await expect(main(["member", "add", "--tenant", T1, "--email", "ada@example.com", ...blankArgs])).rejects.toThrow("member add needs --role");
  });

  it("refuses a role the app's Membership.role does not accept with the engine's validation message", async () => {
    const crm = await freshDb("crm");
    const crmArgs = ["--app", crmApp, ...crm.args];
    expect((await run("tenant", "create", "--id", T1, "--name", "Acme", ...crmArgs)).code).toBe(0);
    expect((await run("user", "add", "--email", "eve@example.com", "--name", "Eve", ...crmArgs)).code).toBe(0);
    const refused = await run("member", "add", "--tenant", T1, "--email", "eve@example.com", "--role", "member", ...crmArgs);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^Validation failed: .*role.*viewer, sales, manager, admin/m);
    expect((await run("member", "add", "--tenant", T1, "--email", "eve@example.com", "--role", "sales", ...crmArgs)).code).toBe(0);
  });
});

describe("tessera tenant list / link / unlink", () => {
  it("lists tenants with the identity providers' ids linked to them", async () => {
    const linked = await run("tenant", "link", "--issuer", "https://id.example.com", "--external-id", "274893204823049231", "--tenant", T1, ...blankArgs);
    expect(linked.code, linked.out).toBe(0);
    // Idempotent; but one external id stands for one tenant.
    expect((await run("tenant", "link", "--issuer", "https://id.example.com", "--external-id", "274893204823049231", "--tenant", T1, ...blankArgs)).code).toBe(0);
    const elsewhere = await run("tenant", "link", "--issuer", "https://id.example.com", "--external-id", "274893204823049231", "--tenant", T2, ...blankArgs);
    expect(elsewhere).toMatchObject({ code: 1, out: expect.stringContaining(`already linked to tenant ${T1}; unlink it first`) });
    const missing = await run("tenant", "link", "--issuer", "https://id.example.com", "--external-id", "x", "--tenant", "4c000000-0000-4000-8000-000000000009", ...blankArgs);
    expect(missing).toMatchObject({ code: 1, out: expect.stringContaining("no tenant 4c000000-0000-4000-8000-000000000009") });

    const listed = JSON.parse((await run("tenant", "list", "--json", ...blankArgs)).stdout) as unknown[];
    expect(listed).toEqual([
      { id: T1, name: "Acme", slug: "acme", links: [{ issuer: "https://id.example.com", externalId: "274893204823049231" }] },
      { id: T2, name: "Globex", slug: "globex", links: [] },
    ]);
    const table = (await run("tenant", "list", ...blankArgs)).stdout.split("\n");
    expect(table[0]).toMatch(/^id +name +slug +linked$/);
    expect(table[1]).toMatch(new RegExp(`^${T1} +Acme +acme +https://id.example.com 274893204823049231$`));
    expect(table[2]).toMatch(new RegExp(`^${T2} +Globex +globex +-$`));

    expect((await run("tenant", "unlink", "--issuer", "https://id.example.com", "--external-id", "274893204823049231", ...blankArgs)).code).toBe(0);
    expect((await run("tenant", "unlink", "--issuer", "https://id.example.com", "--external-id", "274893204823049231", ...blankArgs)).out).toContain("was not linked");
    expect((JSON.parse((await run("tenant", "list", "--json", ...blankArgs)).stdout) as { links: unknown[] }[])[0].links).toEqual([]);
    await expect(main(["tenant", "link", "--issuer", "i", "--tenant", T1, ...blankArgs])).rejects.toThrow("tenant link needs --external-id");
  });
});
