// A small app of another domain, written the way a stranger would, that declares no User, Team or
// Membership: the platform supplies them. Tokens carry subjects as identity providers issue them
// (ZITADEL's numeric ids, Auth0's `auth0|…`, a UUID); each user is provisioned on first use, acts
// under row rules on `$principal.sub`, and tenants stay apart. Real HTTP, real tokens, real database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { defineEnum, defineSchema, f, model } from "@tessera/schema";
import { Engine, systemContext } from "@tessera/engine";
import type { DevIssuer, RoleSource } from "@tessera/auth";
import { createApiServer } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "./support/crmDatabase.ts";

const A = "3a000000-0000-4000-8000-00000000000a";
const B = "3b000000-0000-4000-8000-00000000000b";

const BookStatus = defineEnum("BookStatus", ["available", "lent", "lost"]);
const library = defineSchema({
  config: { permissionPrefix: "library" },
  models: {
    Shelf: model({
      fields: { label: f.string().required().max(40) },
      access: { read: "authenticated", create: "librarian", update: "librarian", delete: "librarian" },
    }),
    Book: model({
      fields: {
        title: f.string().required().max(200),
        isbn: f.string().unique().max(20),
        status: f.enum(BookStatus).required().default("available"),
        ownerId: f.id().required(),
      },
      access: { read: "authenticated", create: "member|librarian", update: "member|librarian", delete: "librarian" },
      // Members see and change their own books; librarians and viewers have no row rule.
      rowRules: {
        read: [{ roles: "member", where: { ownerId: "$principal.sub" } }],
        update: [{ roles: "member", where: { ownerId: "$principal.sub" } }],
      },
      relationships: { owner: { type: "belongsTo", model: "User", foreignKey: "ownerId" } },
      ui: { displayField: "title" },
    }),
  },
});

let db: CrmDatabase;
let engine: Engine;
let stateDir: string;
let app: FastifyInstance;
let issuer: DevIssuer;

async function serve(roleSource: RoleSource): Promise<void> {
  await app?.close();
  const server = await createApiServer({
    engine,
    ir: db.schema,
    appName: "library",
    dataDir: stateDir,
    logger: false,
    roleSource,
    membershipCacheTtlMs: 0,
    credentialRecheckMs: 100,
    rateLimit: { perIp: 100_000, perPrincipal: 100_000, durationSeconds: 60 },
  });
  app = server.app;
  issuer = server.devIssuer!;
}

const token = (sub: string, roles: string[], tenantId: string | null) => issuer.issueDevToken({ sub, roles, tenantId });

async function gql(bearer: string, query: string, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${bearer}`, ...headers }, payload: { query } });
  return { status: response.statusCode, body: response.json() as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } };
}

/** A refused root field: exactly one error, with this code, on this field, which answers null. */
function expectRefused(answer: Awaited<ReturnType<typeof gql>>, code: string, field: string): void {
  const context = JSON.stringify(answer.body);
  expect(answer.status, context).toBe(200);
  expect(answer.body.errors?.map((e) => e.extensions?.code), context).toEqual([code]);
  expect(answer.body.data, context).toEqual({ [field]: null });
}

async function session(bearer: string): Promise<{ status: number; userId: string; body: string }> {
  const response = await app.inject({ method: "GET", url: "/auth/session", headers: { authorization: `Bearer ${bearer}` } });
  const body = response.json() as { user?: { id: string } };
  return { status: response.statusCode, userId: body.user?.id ?? "", body: response.body };
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS x`, params)).rows[0].n);
}

beforeAll(async () => {
  db = await openCrmDatabase([A, B], library.ir);
  engine = new Engine({ schema: db.schema, db: db.db });
  stateDir = mkdtempSync(join(tmpdir(), "tessera-any-app-"));
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("the platform's identity models in an app that declares none", () => {
  it("has User, Team and Membership with their tables, beside the app's models", async () => {
    expect(library.ir.models.map((m) => m.name)).toEqual(["Shelf", "Book", "User", "Team", "Membership"]);
    expect(await count(`SELECT 1 FROM information_schema.tables WHERE table_name IN ('users', 'teams', 'memberships', 'tessera_identities', 'tessera_tenant_links')`)).toBe(5);
  });
});

describe("identity provider subjects, with tenant and roles from the token (TESSERA_ROLE_SOURCE=token)", () => {
  const zitadel = "274893204823049231";
  const auth0 = "auth0|abc";
  const uuidSub = randomUUID();
  const tokens: Record<string, string> = {};
  const userIds: Record<string, string> = {};
  const bookIds: Record<string, string> = {};

  beforeAll(async () => {
    await serve("token");
    tokens.zitadel = await token(zitadel, ["member"], A);
    tokens.auth0 = await token(auth0, ["member"], A);
    tokens.uuid = await token(uuidSub, ["viewer"], A);
    tokens.librarian = await token("auth0|librarian", ["librarian"], A);
    tokens.other = await token("auth0|other-tenant", ["member"], B);
  });

  it("provisions one user per subject on first use and keeps it", async () => {
    for (const name of Object.keys(tokens)) {
      const first = await session(tokens[name]);
      expect(first.status, first.body).toBe(200);
      expect(first.userId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await session(tokens[name])).userId).toBe(first.userId);
      userIds[name] = first.userId;
    }
    expect(new Set(Object.values(userIds)).size).toBe(5);
    expect(await count(`SELECT 1 FROM tessera_identities WHERE subject IN ($1, $2, $3)`, [zitadel, auth0, uuidSub])).toBe(3);
    // Provisioning went through the write path: each user has its Created event.
    expect(await count(`SELECT 1 FROM tessera_events WHERE model = 'User' AND type = 'Created' AND record_id = ANY($1::text[])`, [Object.values(userIds)])).toBe(5);
    // A UUID subject is a subject like any other: not taken as a user id.
    expect(userIds.uuid).not.toBe(uuidSub);
  });

  it("lets each member create and read their own books, under the row rule on $principal.sub", async () => {
    for (const name of ["zitadel", "auth0"] as const) {
      const created = await gql(tokens[name], `mutation { createBook(data: { title: "${name}'s book", isbn: "isbn-${name}", ownerId: "${userIds[name]}" }) { id title owner { id } } }`);
      expect(created.body.errors, JSON.stringify(created.body)).toBeUndefined();
      expect(created.body.data?.createBook).toMatchObject({ title: `${name}'s book`, owner: { id: userIds[name] } });
      bookIds[name] = (created.body.data?.createBook as { id: string }).id;
    }
    const seen = await gql(tokens.zitadel, `{ books { title } }`);
    expect(seen.body.data?.books).toEqual([{ title: "zitadel's book" }]);
    // Handing a book to someone else is outside the member's rule.
    const handed = await gql(tokens.zitadel, `mutation { createBook(data: { title: "Gift", ownerId: "${userIds.auth0}" }) { id } }`);
    expectRefused(handed, "FORBIDDEN", "createBook");
    expect(await count(`SELECT 1 FROM books WHERE title = 'Gift'`)).toBe(0);
    const librarian = await gql(tokens.librarian, `{ books(orderBy: title_ASC) { title } }`);
    expect(librarian.body.data?.books).toEqual([{ title: "auth0's book" }, { title: "zitadel's book" }]);
  });

  it("refuses a viewer's write", async () => {
    const refused = await gql(tokens.uuid, `mutation { createBook(data: { title: "Nope", ownerId: "${userIds.uuid}" }) { id } }`);
    expectRefused(refused, "FORBIDDEN", "createBook");
    expect(refused.body.errors?.[0].message).toContain("requires one of");
    expect(await count(`SELECT 1 FROM books WHERE title = 'Nope'`)).toBe(0);
  });

  it("keeps tenant B out of tenant A: no books, no users", async () => {
    const seen = await gql(tokens.other, `{ books { id } users { id } }`);
    expect(seen.body.errors).toBeUndefined();
    expect(seen.body.data?.books).toEqual([]);
    expect(seen.body.data?.users).toEqual([{ id: userIds.other }]);
    const inA = await gql(tokens.librarian, `{ books { id } users { id } }`);
    expect(inA.body.errors).toBeUndefined();
    expect((inA.body.data?.books as { id: string }[]).map((b) => b.id).sort()).toEqual([bookIds.zitadel, bookIds.auth0].sort());
    // By unique keys of rows that exist in tenant A: the same query answers them to A's librarian.
    const probe = `{ byIsbn: book(where: { isbn: "isbn-zitadel" }) { id } byId: book(where: { id: "${bookIds.zitadel}" }) { id } user(where: { id: "${userIds.zitadel}" }) { id } }`;
    expect((await gql(tokens.other, probe)).body).toEqual({ data: { byIsbn: null, byId: null, user: null } });
    expect((await gql(tokens.librarian, probe)).body).toEqual({ data: { byIsbn: { id: bookIds.zitadel }, byId: { id: bookIds.zitadel }, user: { id: userIds.zitadel } } });
  });

  it("shows a tenant its members as users, with the token's role recorded on first entry", async () => {
    const users = await gql(tokens.librarian, `{ users { id } memberships { userId role } }`);
    expect((users.body.data?.users as { id: string }[]).map((u) => u.id).sort()).toEqual([userIds.zitadel, userIds.auth0, userIds.uuid, userIds.librarian].sort());
    expect(users.body.data?.memberships).toContainEqual({ userId: userIds.zitadel, role: "member" });
  });

  it("refuses a token that names no tenant, or carries no role", async () => {
    const noTenant = await session(await token("auth0|lost", ["member"], null));
    expect(noTenant.status).toBe(403);
    expect(noTenant.body).toContain("No tenant was chosen");
    const noRoles = await session(await token("auth0|roleless", [], A));
    expect(noRoles.status).toBe(403);
    expect(noRoles.body).toContain("carries none");
  });

  it("provisions a subject once under concurrent first requests", async () => {
    const racer = await token("auth0|race", ["member"], A);
    const answers = await Promise.all(Array.from({ length: 8 }, () => session(racer)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.userId)).size).toBe(1);
    expect(await count(`SELECT 1 FROM tessera_identities WHERE subject = 'auth0|race'`)).toBe(1);
    expect(await count(`SELECT 1 FROM users WHERE id = $1`, [answers[0].userId])).toBe(1);
  });
});

describe("roles from the tenant's memberships (the default)", () => {
  beforeAll(() => serve("membership"));

  it("refuses a provisioned user who is not a member, then gives the membership's role, whatever the token claims", async () => {
    const bearer = await token("auth0|newcomer", ["librarian"], A);
    const refused = await session(bearer);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("not a member");
    // The user exists now (provisioned), so an administrator can add them to the tenant.
    const userId = (await db.db.query<{ user_id: string }>(`SELECT user_id::text FROM tessera_identities WHERE subject = 'auth0|newcomer'`)).rows[0].user_id;
    await engine.model("Membership").create({ userId, role: "viewer" }, systemContext(A));
    const admitted = await app.inject({ method: "GET", url: "/auth/session", headers: { authorization: `Bearer ${bearer}` } });
    expect(admitted.statusCode).toBe(200);
    expect((admitted.json() as { user: { roles: string[] } }).user.roles).toEqual(["viewer"]);
    const write = await gql(bearer, `mutation { createShelf(data: { label: "Mine" }) { id } }`);
    expectRefused(write, "FORBIDDEN", "createShelf");
    expect(write.body.errors?.[0].message).toContain("requires one of librarian");
    const shelves = library.ir.models.find((m) => m.name === "Shelf")!.tableName;
    expect(await count(`SELECT 1 FROM ${shelves} WHERE label = 'Mine'`)).toBe(0);
  });
});

describe("both: the token's tenant and roles, and a membership of that tenant", () => {
  beforeAll(() => serve("both"));

  it("refuses a token whose tenant is not among the user's memberships, and admits a member with the token's roles", async () => {
    const bearer = await token("auth0|both", ["librarian"], B);
    const outside = await session(bearer);
    expect(outside.status).toBe(403);
    expect(outside.body).toContain("not a member of this tenant");
    const userId = (await db.db.query<{ user_id: string }>(`SELECT user_id::text FROM tessera_identities WHERE subject = 'auth0|both'`)).rows[0].user_id;
    await engine.model("Membership").create({ userId, role: "viewer" }, systemContext(B));
    const admitted = await app.inject({ method: "GET", url: "/auth/session", headers: { authorization: `Bearer ${bearer}` } });
    expect((admitted.json() as { user: { roles: string[] } }).user.roles).toEqual(["librarian"]);
    // A token for tenant A, where the user has no membership, stays refused.
    const otherTenant = await session(await token("auth0|both", ["librarian"], A));
    expect(otherTenant.status).toBe(403);
    expect(otherTenant.body).toContain("not a member of this tenant");
    // An open subscription socket of the member, to see it closed when the membership goes.
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const socket = new WebSocket(`${address.replace("http", "ws")}/graphql/ws`, "graphql-transport-ws");
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${bearer}` } }));
    expect(JSON.parse(String(await new Promise((resolve) => socket.once("message", resolve))))).toEqual({ type: "connection_ack" });

    // Removing the membership revokes access: requests at once (the membership cache is off in this
    // test), open sockets at their next credential check (credentialRecheckMs).
    await engine.model("Membership").deleteMany({ userId }, systemContext(B));
    const removed = await session(bearer);
    expect(removed.status).toBe(403);
    expect(removed.body).toContain("not a member of this tenant");
    expect(await closed).toBe(4403);
  });
});
