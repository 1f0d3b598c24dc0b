// The /realtime/ws protocol on one real API server node: real tokens, real memberships, the
// browser client (with `ws`'s WebSocket) and raw sockets for what the client would never send.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RealtimeError, type ErrorServerFrame, type LockServerFrame } from "@tessera/realtime/client";
import { eventually, inboxOf, openOneNode, RealtimeWorld, unique, type RealtimeNode } from "./support/realtimeWorld.ts";

let world: RealtimeWorld;
let node: RealtimeNode;

// Short timeouts so heartbeats and lock expiry happen within a test; bounds are conditions, not timings.
beforeAll(async () => ({ world, node } = await openOneNode({ heartbeatMs: 300, clientTimeoutMs: 1_500, sweepIntervalMs: 50, minLockTtlMs: 100 })));
afterAll(() => world?.close());

/** A channel of this test only (the board of a model, the record channels of a deal). */
const dealChannel = (): string => `record:Deal:${world.deals.ofSales1}`;

describe("connecting", () => {
  it("greets a connection authenticated by an auth frame with welcome (its principal, name and heartbeat)", async () => {
    const client = await world.client(node, "sales1");
    const welcome = client.welcome!;
    expect(welcome).toMatchObject({ type: "welcome", protocol: 1, tenantId: world.people.sales1.tenant, principal: { sub: world.people.sales1.id, name: "Ana Sales" }, heartbeatMs: 300, timeoutMs: 1_500 });
    expect(welcome.nodeId).toBe(node.hub.nodeId);
  });

  it("accepts the token as a query parameter too", async () => {
    const raw = await world.raw(`${node.wsUrl}?token=${encodeURIComponent(world.tokens.manager)}`);
    const welcome = await raw.frames.waitFor((f) => f.type === "welcome", "welcome");
    expect(welcome).toMatchObject({ principal: { sub: world.people.manager.id } });
  });

  it("answers ping with pong and keeps a pinging client connected past the server's timeout", async () => {
    const client = await world.client(node, "viewer");
    const closes = inboxOf(client, "close");
    await client.ping();
    // The client pings every heartbeatMs/2; wait until the server's timeout has passed twice.
    const started = Date.now();
    await eventually(async () => (Date.now() - started > 3_100 ? true : undefined), "two server timeouts");
    await client.ping();
    expect(closes.items).toEqual([]);
    expect(client.status).toBe("open");
  });

  it("closes a connection that sends nothing within the timeout with 4408", async () => {
    const raw = await world.raw(node.wsUrl);
    raw.send({ op: "auth", token: world.tokens.viewer });
    await raw.frames.waitFor((f) => f.type === "welcome", "welcome");
    expect((await raw.closed).code).toBe(4408);
    const health = await world.health(node);
    expect(health.disconnects.heartbeat).toBeGreaterThanOrEqual(1);
  });
});

describe("bad input", () => {
  it("answers a frame that is not JSON with BAD_FRAME and keeps the socket open", async () => {
    const raw = await world.raw(node.wsUrl);
    raw.send({ op: "auth", token: world.tokens.sales1 });
    await raw.frames.waitFor((f) => f.type === "welcome", "welcome");
    raw.send("{not json");
    const error = (await raw.frames.waitFor((f) => f.type === "error", "error")) as ErrorServerFrame;
    expect(error.code).toBe("BAD_FRAME");
    raw.send({ op: "ping", ref: "still-open" });
    expect(await raw.frames.waitFor((f) => f.type === "pong", "pong")).toEqual({ type: "pong", ref: "still-open" });
  });

  it("refuses unknown keys, wrong types and binary frames with BAD_FRAME (with the ref), and unknown ops with UNKNOWN_OP", async () => {
    const raw = await world.raw(node.wsUrl);
    raw.send({ op: "auth", token: world.tokens.sales1 });
    await raw.frames.waitFor((f) => f.type === "welcome", "welcome");
    raw.send({ op: "join", channel: "board:Deal", colour: "red", ref: "k" });
    raw.send({ op: "publish", channel: "board:Deal", event: 42, ref: "t" });
    raw.send({ op: "teleport", ref: "u" });
    raw.send([1, 2]);
    raw.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    const byRef = (ref: string) => raw.frames.waitFor((f) => f.type === "error" && f.ref === ref, `error ${ref}`) as Promise<ErrorServerFrame>;
    expect((await byRef("k")).message).toContain("'colour'");
    expect((await byRef("t")).code).toBe("BAD_FRAME");
    expect((await byRef("u")).code).toBe("UNKNOWN_OP");
    const unref = await raw.frames.waitFor((f) => f.type === "error" && f.ref === undefined && f.message.includes("binary"), "binary refused");
    expect(unref).toMatchObject({ code: "BAD_FRAME" });
    expect(raw.frames.items.filter((f) => f.type === "error" && f.ref === undefined && f.code === "BAD_FRAME").length).toBe(2);
  });

  it("refuses a second auth frame and operations on channels not joined", async () => {
    const client = await world.client(node, "sales1");
    await expect(client.publish(`board:Deal`, "typing")).rejects.toMatchObject({ code: "NOT_JOINED" });
    await expect(client.lock(dealChannel(), "title")).rejects.toMatchObject({ code: "NOT_JOINED" });
    const raw = await world.raw(node.wsUrl);
    raw.send({ op: "auth", token: world.tokens.sales1 });
    await raw.frames.waitFor((f) => f.type === "welcome", "welcome");
    raw.send({ op: "auth", token: world.tokens.sales1, ref: "again" });
    expect(await raw.frames.waitFor((f) => f.type === "error" && f.ref === "again", "second auth refused")).toMatchObject({ code: "BAD_FRAME" });
  });
});

describe("channels, publish and presence", () => {
  it("gives a joiner the presence snapshot, tells the others of joins, state updates and leaves", async () => {
    const channel = `board:Deal`;
    const ana = await world.client(node, "sales1");
    const mia = await world.client(node, "manager");
    const anaPresence = inboxOf(ana, "presence");
    await ana.join(channel, { state: { viewing: true } });
    const joined = await mia.join(channel, { state: { viewing: true } });
    expect(joined.presence.map((m) => m.sub).sort()).toEqual([world.people.sales1.id, world.people.manager.id].sort());
    const miaIn = await anaPresence.waitFor((e) => e.joins.some((m) => m.sub === world.people.manager.id), "Mia's join");
    expect(miaIn.joins[0]).toMatchObject({ sub: world.people.manager.id, name: "Mia Manager", metas: [{ state: { viewing: true } }] });

    await mia.setPresence(channel, { editing: "title" });
    const update = await anaPresence.waitFor((e) => e.updates.some((m) => m.metas.some((meta) => meta.state.editing === "title")), "Mia's update");
    expect(update.members.find((m) => m.sub === world.people.manager.id)?.metas[0].state).toEqual({ editing: "title" });

    await mia.leave(channel);
    const left = await anaPresence.waitFor((e) => e.leaves.some((m) => m.sub === world.people.manager.id), "Mia's leave");
    expect(left.members.map((m) => m.sub)).toEqual([world.people.sales1.id]);
    expect(ana.presence(channel).map((m) => m.sub)).toEqual([world.people.sales1.id]);
  });

  it("keeps a connection that joins without a state out of presence until it sends one (a listener)", async () => {
    const channel = `record:Deal:${world.deals.ofSales2}`;
    const mia = await world.client(node, "manager");
    const miaPresence = inboxOf(mia, "presence");
    await mia.join(channel, { state: { viewing: true } });
    const bo = await world.client(node, "sales2");
    const listening = await bo.join(channel);
    expect(listening.presence.map((m) => m.sub)).toEqual([world.people.manager.id]);
    await bo.setPresence(channel, { viewing: true });
    const boIn = await miaPresence.waitFor((e) => e.joins.some((m) => m.sub === world.people.sales2.id), "Bo appears");
    // Nothing about Bo came before he sent a state.
    expect(miaPresence.items.indexOf(boIn)).toBe(miaPresence.items.findIndex((e) => [...e.joins, ...e.updates].some((m) => m.sub === world.people.sales2.id)));
  });

  it("de-duplicates presence per principal: a second tab is an update with two metas, closing it an update again", async () => {
    const channel = `record:Deal:${world.deals.ofSales1}`;
    const mia = await world.client(node, "manager");
    const miaPresence = inboxOf(mia, "presence");
    await mia.join(channel);
    const tab1 = await world.client(node, "sales1");
    await tab1.join(channel, { state: { tab: 1 } });
    await miaPresence.waitFor((e) => e.joins.some((m) => m.sub === world.people.sales1.id), "Ana joins");
    const tab2 = await world.client(node, "sales1");
    await tab2.join(channel, { state: { tab: 2 } });
    const second = await miaPresence.waitFor((e) => e.updates.some((m) => m.sub === world.people.sales1.id && m.metas.length === 2), "Ana's second tab");
    expect(second.joins).toEqual([]);
    expect(mia.presence(channel).filter((m) => m.sub === world.people.sales1.id)).toHaveLength(1);
    tab2.close();
    await miaPresence.waitFor((e) => e.updates.some((m) => m.sub === world.people.sales1.id && m.metas.length === 1), "second tab closed");
    expect(mia.presence(channel).find((m) => m.sub === world.people.sales1.id)?.metas.map((x) => x.state)).toEqual([{ tab: 1 }]);
    tab1.close();
    await miaPresence.waitFor((e) => e.leaves.some((m) => m.sub === world.people.sales1.id), "Ana gone");
  });

  it("does not echo a publish to its sender unless asked, but delivers it to the sender's other tab and to others", async () => {
    const channel = `board:Deal`;
    const tab1 = await world.client(node, "sales1");
    const tab2 = await world.client(node, "sales1");
    const mia = await world.client(node, "manager");
    const inboxes = [tab1, tab2, mia].map((c) => inboxOf(c, "message"));
    for (const c of [tab1, tab2, mia]) await c.join(channel);
    const marker = unique();
    await tab1.publish(channel, "typing", { marker });
    for (const inbox of inboxes.slice(1)) {
      const message = await inbox.waitFor((m) => (m.payload as { marker?: string }).marker === marker, "typing");
      expect(message).toMatchObject({ channel, event: "typing", from: { sub: world.people.sales1.id, name: "Ana Sales" } });
    }
    const echoed = unique();
    await tab1.publish(channel, "typing", { marker: echoed }, { echo: true });
    await inboxes[0].waitFor((m) => (m.payload as { marker?: string }).marker === echoed, "echo");
    // Frames of one connection arrive in order: the echoed one came after the first, which it never got.
    expect(inboxes[0].items.some((m) => (m.payload as { marker?: string }).marker === marker)).toBe(false);
  });

  it("lets anyone of the tenant post to a user channel that only its user may join (a toast)", async () => {
    const ana = await world.client(node, "sales1");
    const anaMessages = inboxOf(ana, "message");
    await ana.join(`user:${world.people.sales1.id}`);
    const bo = await world.client(node, "sales2");
    await bo.publish(`user:${world.people.sales1.id}`, "toast", { text: "assigned to you" });
    expect(await anaMessages.waitFor((m) => m.event === "toast", "toast")).toMatchObject({ from: { sub: world.people.sales2.id }, payload: { text: "assigned to you" } });
  });
});

describe("soft locks", () => {
  /** Ana (sales, owner) and Mia (manager) on Ana's deal; Mia's lock frames collected. */
  async function twoEditors() {
    const channel = dealChannel();
    const ana = await world.client(node, "sales1");
    const mia = await world.client(node, "manager");
    const miaLocks = inboxOf(mia, "lock");
    await ana.join(channel);
    await mia.join(channel);
    return { channel, ana, mia, miaLocks };
  }

  it("grants a lock, refuses it to another editor with CONFLICT naming the holder, and tells the channel", async () => {
    const { channel, ana, mia, miaLocks } = await twoEditors();
    const grant = await ana.lock(channel, "value", { ttlMs: 60_000 });
    expect(grant.ttlMs).toBeGreaterThan(50_000);
    const acquired = await miaLocks.waitFor((l) => l.field === "value" && l.reason === "acquired", "lock frame");
    expect(acquired.holder).toMatchObject({ sub: world.people.sales1.id, name: "Ana Sales" });
    const conflict = await mia.lock(channel, "value").catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(RealtimeError);
    expect(conflict).toMatchObject({ code: "CONFLICT", details: { holder: { sub: world.people.sales1.id, name: "Ana Sales" } } });
    expect((conflict as RealtimeError).message).toContain("Ana Sales");
    await expect(mia.unlock(channel, "value")).rejects.toMatchObject({ code: "CONFLICT" });
    expect(mia.locks(channel).map((l) => l.field)).toContain("value");
    // Renewal by the holder keeps it; release frees it for others.
    await ana.lock(channel, "value", { ttlMs: 60_000 });
    await miaLocks.waitFor((l) => l.field === "value" && l.reason === "renewed", "renewal");
    await ana.unlock(channel, "value");
    await miaLocks.waitFor((l) => l.field === "value" && l.reason === "released", "release");
    await mia.lock(channel, "value");
    await mia.unlock(channel, "value");
  });

  it("expires a lock that is not renewed, and tells the channel", async () => {
    const { channel, ana, mia, miaLocks } = await twoEditors();
    await ana.lock(channel, "stage", { ttlMs: 300 });
    const expired = await miaLocks.waitFor((l) => l.field === "stage" && l.reason === "expired", "expiry");
    expect(expired.holder).toBeNull();
    await mia.lock(channel, "stage");
    await mia.unlock(channel, "stage");
  });

  it("releases the locks of a holder that disconnects", async () => {
    const { channel, ana, mia, miaLocks } = await twoEditors();
    await ana.lock(channel, "title", { ttlMs: 60_000 });
    await miaLocks.waitFor((l) => l.field === "title" && l.reason === "acquired", "acquired");
    ana.close();
    const gone: LockServerFrame = await miaLocks.waitFor((l) => l.field === "title" && l.reason === "disconnected", "released on disconnect");
    expect(gone.holder).toBeNull();
    await mia.lock(channel, "title");
    expect((await mia.join(channel)).locks.map((l) => l.holder.sub)).toEqual([world.people.manager.id]);
    await mia.unlock(channel, "title");
  });
});

describe("slow consumers", () => {
  it("drops frames for a client that stops reading, counts them, and disconnects it with 4429", async () => {
    const slowNode = await world.startNode({ ownEngine: true, realtime: { queueLimit: 8, maxInFlight: 2, dropLimit: 20, inboundRate: { perSecond: 10_000, burst: 10_000 }, liveViews: false } });
    const channel = `board:Deal`;
    const slow = await world.raw(slowNode.wsUrl);
    slow.send({ op: "auth", token: world.tokens.viewer });
    await slow.frames.waitFor((f) => f.type === "welcome", "welcome");
    slow.send({ op: "join", channel, ref: "j" });
    await slow.frames.waitFor((f) => f.type === "joined", "joined");
    // Stop reading: the kernel's buffers fill, then the server's queue.
    slow.socket.pause();
    const publisher = await world.client(slowNode, "manager");
    await publisher.join(channel);
    const chunk = "x".repeat(60_000);
    const health = await eventually(async () => {
      for (let i = 0; i < 20; i++) await publisher.publish(channel, "bulk", chunk);
      const h = await world.health(slowNode);
      return h.disconnects.slow >= 1 ? h : undefined;
    }, "the slow client to be disconnected", 60_000);
    expect(health.messages.dropped).toBeGreaterThanOrEqual(20);
    slow.socket.resume();
    expect((await slow.closed).code).toBe(4429);
    // The publisher, who reads, is unaffected.
    await publisher.ping();
    const metrics = await (await fetch(`${slowNode.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/tessera_realtime_messages_dropped_total \d+/);
    expect(Number(/tessera_realtime_messages_dropped_total (\d+)/.exec(metrics)![1])).toBeGreaterThanOrEqual(20);
    await slowNode.stop();
  });
});

describe("stats", () => {
  it("reports connections, channels and message counts at /realtime/health and in /metrics", async () => {
    const client = await world.client(node, "manager");
    await client.join("board:Contact");
    await client.publish("board:Contact", "hello", null);
    const health = await world.health(node);
    expect(health).toMatchObject({ status: "ok", nodeId: node.hub.nodeId });
    expect(health.connections).toBeGreaterThanOrEqual(1);
    expect(health.channels).toBeGreaterThanOrEqual(1);
    expect(health.messages.published).toBeGreaterThanOrEqual(1);
    expect(health.messages.delivered).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${node.httpUrl}/metrics`)).text();
    for (const name of ["tessera_realtime_connections", "tessera_realtime_channels", "tessera_realtime_messages_published_total", "tessera_realtime_messages_delivered_total", "tessera_realtime_messages_dropped_total"]) {
      expect(metrics).toMatch(new RegExp(`^${name} \\d+`, "m"));
    }
    expect(metrics).toMatch(/^tessera_ws_connections\{endpoint="\/realtime\/ws"\} [1-9]/m);
  });
});
