// Tries to break in through /realtime/ws: no token, bad token, a foreign tenant, another user's
// mailbox, a record one may not read, a model one has no permission for; and checks that tenants
// with the same channel names never meet.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyStore } from "@tessera/engine";
import type { ErrorServerFrame } from "@tessera/realtime/client";
import { inboxOf, openOneNode, RealtimeWorld, TENANT_A, TENANT_B, unique, type RealtimeNode } from "./support/realtimeWorld.ts";

let world: RealtimeWorld;
let node: RealtimeNode;

beforeAll(async () => ({ world, node } = await openOneNode()));
afterAll(() => world?.close());

async function refusedWith(url: string, first?: unknown): Promise<{ code: number; error: ErrorServerFrame | undefined }> {
  const raw = await world.raw(url);
  if (first !== undefined) raw.send(first);
  const { code } = await raw.closed;
  return { code, error: raw.frames.items.find((f): f is ErrorServerFrame => f.type === "error") };
}

describe("authentication", () => {
  it("refuses an operation before auth with 4401 and an UNAUTHENTICATED error frame", async () => {
    const { code, error } = await refusedWith(node.wsUrl, { op: "join", channel: "board:Deal", ref: "j" });
    expect(code).toBe(4401);
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", ref: "j" });
  });

  it("refuses a bad token (4401), in the auth frame and in the query", async () => {
    const forged = `${world.tokens.sales1.slice(0, -4)}AAAA`;
    expect((await refusedWith(node.wsUrl, { op: "auth", token: forged })).code).toBe(4401);
    expect((await refusedWith(`${node.wsUrl}?token=${encodeURIComponent(forged)}`)).code).toBe(4401);
    expect((await refusedWith(node.wsUrl, { op: "auth", token: "not-a-token" })).error).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("refuses a user's token for a tenant the user is not a member of (4403)", async () => {
    const { code, error } = await refusedWith(node.wsUrl, { op: "auth", token: world.tokens.sales1, tenantId: TENANT_B });
    expect(code).toBe(4403);
    expect(error).toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses an unknown query parameter (4400)", async () => {
    expect((await refusedWith(`${node.wsUrl}?token=x&debug=1`)).code).toBe(4400);
  });

  it("closes a connection with 4401 when its token expires", async () => {
    const person = world.people.viewer;
    const shortLived = await node.devIssuer.issueDevToken({ sub: person.id, roles: [person.role], tenantId: person.tenant, expiresIn: "2s" });
    const client = await world.client(node, "viewer", { token: shortLived });
    const closes = inboxOf(client, "close");
    expect((await closes.waitFor(() => true, "close")).code).toBe(4401);
  });
});

describe("channel authorisation", () => {
  it("refuses a record channel for a deal the salesperson may not read, and for a deal that does not exist, alike (FORBIDDEN)", async () => {
    const bo = await world.client(node, "sales2");
    await expect(bo.join(`record:Deal:${world.deals.ofSales1}`)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(bo.join(`record:Deal:00000000-0000-4000-8000-000000000001`)).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Their own deal is fine; and a manager (no row rule) may join any deal.
    await bo.join(`record:Deal:${world.deals.ofSales2}`);
    const mia = await world.client(node, "manager");
    await mia.join(`record:Deal:${world.deals.ofSales1}`);
  });

  it("refuses another user's user channel", async () => {
    const bo = await world.client(node, "sales2");
    await expect(bo.join(`user:${world.people.sales1.id}`)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await bo.join(`user:${world.people.sales2.id}`);
  });

  it("refuses a board without read permission on its model (an API key limited to contacts)", async () => {
    const key = await new ApiKeyStore(world.engine.db).create({ tenantId: TENANT_A, name: `contacts-${unique()}`, roles: ["admin"], permissions: ["crm.contact.*"] });
    const service = await world.client(node, "manager", { token: key.key });
    expect(service.welcome?.principal.name).toBeNull();
    await expect(service.join("board:Deal")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await service.join("board:Contact");
  });

  it("refuses unknown channel kinds, unknown models and malformed ids (BAD_CHANNEL)", async () => {
    const mia = await world.client(node, "manager");
    for (const channel of ["room:lobby", "board:Spaceship", "record:Deal:not-a-uuid", "record:Deal", "board:Deal:extra", "user:", "board:Deal|x"]) {
      await expect(mia.join(channel), channel).rejects.toMatchObject({ code: "BAD_CHANNEL" });
    }
  });
});

describe("tenant isolation", () => {
  it("never delivers tenant A's messages, presence or locks to tenant B on a same-named channel", async () => {
    const channel = "board:Deal";
    const ana = await world.client(node, "sales1");
    const otto = await world.client(node, "outsider");
    const ottoMessages = inboxOf(otto, "message");
    const ottoPresence = inboxOf(otto, "presence");
    const ottoLocks = inboxOf(otto, "lock");
    const ottoJoined = await otto.join(channel, { state: { viewing: true } });
    expect(ottoJoined.presence.map((m) => m.sub)).toEqual([world.people.outsider.id]);
    const anaJoined = await ana.join(channel, { state: { viewing: true } });
    expect(anaJoined.presence.map((m) => m.sub)).not.toContain(world.people.outsider.id);
    await ana.publish(channel, "secret", { text: "A only" });
    await ana.lock(channel, "stage");
    // Otto then hears his own tenant's traffic; frames arrive in order, so A's would have come first.
    const mate = await world.client(node, "outsider");
    await mate.join(channel);
    await mate.publish(channel, "hello", { text: "B" });
    await ottoMessages.waitFor((m) => m.event === "hello", "tenant B's own message");
    expect(ottoMessages.items.map((m) => m.event)).toEqual(["hello"]);
    expect(ottoPresence.items.flatMap((e) => [...e.joins, ...e.updates, ...e.leaves]).map((m) => m.sub)).not.toContain(world.people.sales1.id);
    expect(ottoLocks.items).toEqual([]);
    expect(otto.locks(channel)).toEqual([]);
    await ana.unlock(channel, "stage");
  });
});
