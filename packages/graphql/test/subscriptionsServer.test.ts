// /graphql/ws on the whole API server (createApiServer): the credential in connection_init goes
// through the auth package's request authenticator (dev issuer JWTs, memberships), and the
// wsConnections gauge follows the open sockets.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { Engine, systemContext, type RequestContext } from "@tessera/engine";
import type { DevIssuer } from "@tessera/auth";
import { createApiServer } from "@tessera/server";
import type { FastifyInstance } from "fastify";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0c000000-0000-4000-8000-00000000000c";
const OTHER_TENANT = "0d000000-0000-4000-8000-00000000000d";

let crm: CrmDatabase;
let engine: Engine;
let app: FastifyInstance;
let devIssuer: DevIssuer;
let stateDir: string;
let url: string;
let httpUrl: string;
let userId: string;
let contactId: string;
const clients: Client[] = [];

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT, OTHER_TENANT]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  const system = systemContext(TENANT);
  userId = (await engine.model("User").create({ email: "ana@server-subs.test", name: "Ana" }, system)).id as string;
  await engine.model("Membership").create({ userId, role: "admin" }, system);
  const ctx: RequestContext = { tenantId: TENANT, principal: { sub: userId, roles: ["admin"], kind: "user" } };
  contactId = (await engine.model("Contact").create({ firstName: "Ana" }, ctx)).id as string;
  await engine.start({ nodeId: "server-subs-test" });
  stateDir = mkdtempSync(join(tmpdir(), "tessera-subs-"));
  const server = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, nodeEnv: "test", nodeId: "server-subs-test" });
  app = server.app;
  devIssuer = server.devIssuer!;
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  url = `ws://127.0.0.1:${port}/graphql/ws`;
  httpUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await app?.close();
  await engine?.stop();
  await crm?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

function client(connectionParams: { [key: string]: unknown }, onClosed?: (code: number) => void): Client {
  const c = createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, on: { closed: (e) => onClosed?.((e as { code: number }).code) } });
  clients.push(c);
  return c;
}

function closeCode(connectionParams: { [key: string]: unknown }): Promise<number> {
  return new Promise((resolve) => {
    client(connectionParams, resolve).subscribe({ query: `subscription { dealChanged { type } }` }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  });
}

async function gauge(): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('tessera_ws_connections{endpoint="/graphql/ws"}'));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

describe("/graphql/ws on the API server", () => {
  it("closes a connection with 4401 when its token expires", async () => {
    const shortLived = await devIssuer.issueDevToken({ sub: userId, roles: ["admin"], tenantId: TENANT, expiresIn: "2s" });
    const closed = new Promise<number>((resolve) => {
      client({ token: shortLived }, resolve).subscribe({ query: `subscription { dealChanged { type } }` }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(await closed).toBe(4401);
  });

  it("refuses a connection without a token or with a bad one (4401), and one for a tenant the user is not a member of (4403)", async () => {
    expect(await closeCode({})).toBe(4401);
    expect(await closeCode({ token: "eyJhbGciOiJFUzI1NiJ9.e30.bad" })).toBe(4401);
    const foreign = await devIssuer.issueDevToken({ sub: userId, roles: ["admin"], tenantId: OTHER_TENANT });
    expect(await closeCode({ authorization: `Bearer ${foreign}` })).toBe(4403);
  });

  it("delivers a committed change to a subscriber authenticated by a dev-issuer token, and counts the socket in the gauge", async () => {
    const token = await devIssuer.issueDevToken({ sub: userId, roles: ["admin"], tenantId: TENANT });
    const received = new Promise<unknown>((resolve, reject) => {
      client({ token, tenantId: TENANT }).subscribe(
        { query: `subscription { dealChanged(events: [CREATED]) { type actor node { title } } }` },
        { next: resolve, error: reject, complete: () => undefined },
      );
    });
    // The subscription is open once the socket is counted and a write is seen; write until then.
    const ctx: RequestContext = { tenantId: TENANT, principal: { sub: userId, roles: ["admin"], kind: "user" } };
    let done = false;
    void received.then(() => (done = true));
    for (let i = 0; i < 50 && !done; i++) {
      await engine.model("Deal").create({ title: "Live", contactId }, ctx);
      await engine.events.drain();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await received).toEqual({ data: { dealChanged: { type: "CREATED", actor: userId, node: { title: "Live" } } } });
    expect(await gauge()).toBeGreaterThanOrEqual(1);
  });
});
