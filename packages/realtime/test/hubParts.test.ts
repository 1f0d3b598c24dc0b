// The hub's parts on their own: bounded queues, presence and lock tables, NOTIFY payloads, channel
// names, and the cluster's repair paths (a lost message, two nodes granting one lock at once) with
// hubs on an in-process bus.
import { describe, expect, it } from "vitest";
import {
  ClientQueue,
  LockTable,
  MemoryBackplane,
  MemoryBus,
  OutboundFrame,
  parseChannel,
  PresenceTable,
  RealtimeHub,
  type Backplane,
  type ChannelAuthorizer,
  type ConnectionTransport,
  type HubConnection,
  type ServerFrame,
} from "@tessera/realtime";
import { batchMessages, batchPayloads, NOTIFY_PAYLOAD_LIMIT, PayloadAssembler } from "../src/backplane/notifyPayloads.ts";
import { Inbox } from "./support/realtimeWorld.ts";

describe("ClientQueue", () => {
  /** A transport whose writes complete only when the test says so (a client that stopped reading). */
  function stalledSink(): { written: string[]; pending: (() => void)[]; send: (frame: OutboundFrame, done: () => void) => void } {
    const sink = { written: [] as string[], pending: [] as (() => void)[], send: (frame: OutboundFrame, done: () => void) => {
      sink.written.push(frame.text);
      sink.pending.push(done);
    } };
    return sink;
  }

  it("keeps at most maxInFlight frames at the transport, drops beyond the limit, and reports the drops once caught up", () => {
    const sink = stalledSink();
    const counts = { delivered: 0, dropped: 0, slow: 0 };
    const queue = new ClientQueue(sink, { limit: 3, maxInFlight: 2, dropLimit: 100 }, { delivered: () => counts.delivered++, dropped: () => counts.dropped++, tooSlow: () => counts.slow++ });
    for (let i = 0; i < 8; i++) queue.push(new OutboundFrame(`f${i}`));
    expect(sink.written).toEqual(["f0", "f1"]);
    expect(queue.waiting).toBe(3);
    expect(counts.dropped).toBe(3);
    while (sink.pending.length > 0) sink.pending.shift()!();
    expect(sink.written).toEqual(["f0", "f1", "f2", "f3", "f4", '{"type":"dropped","count":3}']);
    expect(counts).toEqual({ delivered: 6, dropped: 3, slow: 0 });
  });

  it("gives up on a client that drops dropLimit frames without catching up", () => {
    const sink = stalledSink();
    let slow = 0;
    const queue = new ClientQueue(sink, { limit: 2, maxInFlight: 1, dropLimit: 5 }, { delivered: () => undefined, dropped: () => undefined, tooSlow: () => slow++ });
    for (let i = 0; i < 20; i++) queue.push(new OutboundFrame(`f${i}`));
    expect(slow).toBe(1);
    expect(queue.dropped).toBe(5);
    expect(queue.waiting).toBe(0);
  });
});

describe("PresenceTable", () => {
  const entry = (connectionId: string, sub: string, state = {}) => ({ key: "t|board:Deal", connectionId, nodeId: "n1", sub, name: sub.toUpperCase(), state, joinedAt: Number(connectionId.slice(1)) });

  it("is one member per principal: a second connection is an update, the last one leaving a leave", () => {
    const table = new PresenceTable();
    expect(table.put(entry("c1", "ana"))?.joins.map((m) => m.sub)).toEqual(["ana"]);
    expect(table.put(entry("c2", "ana", { tab: 2 }))?.updates[0].metas.map((m) => m.connectionId)).toEqual(["c1", "c2"]);
    expect(table.put(entry("c2", "ana", { tab: 2 }))).toBeNull();
    expect(table.snapshot("t|board:Deal")).toHaveLength(1);
    expect(table.remove("t|board:Deal", "ana", "c1")?.updates[0].metas.map((m) => m.connectionId)).toEqual(["c2"]);
    expect(table.remove("t|board:Deal", "ana", "c2")?.leaves.map((m) => m.sub)).toEqual(["ana"]);
    expect(table.size).toBe(0);
  });
});

describe("LockTable", () => {
  const holder = (connectionId: string, nodeId = "n1") => ({ sub: connectionId, name: null, connectionId, nodeId });

  it("renews for the holder, refuses others until expiry", () => {
    const table = new LockTable();
    expect("granted" in table.acquire("k", "title", holder("a"), 1_000, 0)).toBe(true);
    expect(table.acquire("k", "title", holder("b"), 1_000, 500)).toMatchObject({ conflict: { holder: { connectionId: "a" } } });
    expect(table.acquire("k", "title", holder("a"), 1_000, 900)).toMatchObject({ renewed: true, granted: { expiresAt: 1_900, acquiredAt: 0 } });
    expect(table.expire(1_899)).toEqual([]);
    expect(table.expire(1_900).map((l) => l.holder.connectionId)).toEqual(["a"]);
    expect("granted" in table.acquire("k", "title", holder("b"), 1_000, 2_000)).toBe(true);
  });

  it("resolves two grants made at once on different nodes to the earlier one, on every node", () => {
    const first = { key: "k", field: "title", holder: holder("a", "n1"), acquiredAt: 100, expiresAt: 5_000 };
    const second = { key: "k", field: "title", holder: holder("b", "n2"), acquiredAt: 101, expiresAt: 5_000 };
    const n1 = new LockTable();
    const n2 = new LockTable();
    n1.applyRemote(first, 200);
    n2.applyRemote(second, 200);
    expect(n1.applyRemote(second, 300)).toEqual({ accepted: false, displaced: null });
    expect(n2.applyRemote(first, 300)).toMatchObject({ accepted: true, displaced: { holder: { connectionId: "b" } } });
    expect(n1.get("k", "title")?.holder.connectionId).toBe("a");
    expect(n2.get("k", "title")?.holder.connectionId).toBe("a");
  });
});

describe("NOTIFY payloads", () => {
  it("batches small messages under PostgreSQL's limit and splits a large one into chunks that reassemble in any order", () => {
    const small = Array.from({ length: 200 }, (_, i) => JSON.stringify({ t: "msg", i, text: "ü\"quoted\"" }));
    const batches = batchMessages(small);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(small);
    for (const batch of batches) for (const payload of batchPayloads(batch)) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(NOTIFY_PAYLOAD_LIMIT);

    const large = JSON.stringify({ t: "state", text: "€".repeat(20_000) });
    const payloads = batchPayloads([large]);
    expect(payloads.length).toBeGreaterThan(3);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8_000);
    const assembler = new PayloadAssembler();
    const shuffled = [...payloads.slice(1), payloads[0]];
    const received = shuffled.flatMap((p) => assembler.accept(p, 0));
    expect(received).toEqual([large]);
    expect(assembler.pending).toBe(0);
  });
});

describe("channel names", () => {
  it("parses the three kinds and refuses everything else with BAD_CHANNEL", () => {
    expect(parseChannel("record:Deal:abc-1")).toEqual({ kind: "record", name: "record:Deal:abc-1", model: "Deal", id: "abc-1" });
    expect(parseChannel("board:Deal")).toEqual({ kind: "board", name: "board:Deal", model: "Deal" });
    expect(parseChannel("user:u1")).toEqual({ kind: "user", name: "user:u1", userId: "u1" });
    for (const bad of ["", "lobby", "room:x", "board:", "board:1Deal", "record:Deal:", "record:Deal:a:b", "user:a b", `board:${"D".repeat(300)}`]) {
      expect(() => parseChannel(bad), bad).toThrowError(expect.objectContaining({ code: "BAD_CHANNEL" }));
    }
  });
});

// ── hubs on an in-process bus ─────────────────────────────────────────────────────────────────

const allowAll: ChannelAuthorizer = { authorizeJoin: async () => undefined };

/** An in-process transport: frames are parsed into an inbox as they are written. */
class InProcessTransport implements ConnectionTransport {
  readonly frames = new Inbox<ServerFrame>();
  closedWith: number | undefined;
  send(frame: OutboundFrame, done: (error?: Error) => void): void {
    this.frames.push(JSON.parse(frame.text) as ServerFrame);
    done();
  }
  close(code: number): void {
    this.closedWith = code;
  }
}

/** A backplane that can be told to lose messages or hold them back (a flaky network). */
class FlakyBackplane implements Backplane {
  readonly kind = "memory" as const;
  private readonly inner: MemoryBackplane;
  lose: ((message: string) => boolean) | undefined;
  held: string[] | undefined;
  constructor(bus: MemoryBus) {
    this.inner = new MemoryBackplane(bus);
  }
  start(onMessage: (message: string) => void, onError: (error: Error) => void): Promise<void> {
    return this.inner.start(onMessage, onError);
  }
  async publish(message: string): Promise<void> {
    if (this.lose?.(message)) return;
    if (this.held) this.held.push(message);
    else await this.inner.publish(message);
  }
  async release(): Promise<void> {
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of held) await this.inner.publish(message);
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
}

function hubOn(backplane: Backplane, nodeId: string): RealtimeHub {
  return new RealtimeHub({ authorizer: allowAll, backplane, nodeId, nodeHeartbeatMs: 50, nodeTimeoutMs: 60_000, sweepIntervalMs: 20, minLockTtlMs: 10 });
}

function connect(hub: RealtimeHub, sub: string): { connection: HubConnection; transport: InProcessTransport } {
  const transport = new InProcessTransport();
  const connection = hub.connect({ tenantId: "t1", sub, name: sub, request: { tenantId: "t1", principal: { sub, roles: [], kind: "user" } } }, transport);
  return { connection, transport };
}

/** Two started hubs on one bus, the first one's messages going through a FlakyBackplane; both stopped after `run`. */
async function withTwoHubs(names: [string, string], run: (h1: RealtimeHub, h2: RealtimeHub, flaky: FlakyBackplane) => Promise<void>): Promise<void> {
  const bus = new MemoryBus();
  const flaky = new FlakyBackplane(bus);
  const [h1, h2] = [hubOn(flaky, names[0]), hubOn(new MemoryBackplane(bus), names[1])];
  await Promise.all([h1.start(), h2.start()]);
  try {
    await run(h1, h2, flaky);
  } finally {
    await h1.stop();
    await h2.stop();
  }
}

describe("cluster repair", () => {
  it("notices a lost presence message through the heartbeat digest and converges by asking for the sender's state", async () => {
    await withTwoHubs(["lossy", "steady"], async (h1, h2, flaky) => {
      const ana = connect(h1, "ana");
      const mia = connect(h2, "mia");
      h2.receive(mia.connection, JSON.stringify({ op: "join", channel: "board:Deal" }));
      h1.receive(ana.connection, JSON.stringify({ op: "join", channel: "board:Deal", state: {} }));
      await mia.transport.frames.waitFor((f) => f.type === "presence" && f.joins.some((m) => m.sub === "ana"), "ana joins");
      // Ana's leave never reaches the other node …
      flaky.lose = (message) => message.includes('"t":"pdel"');
      h1.receive(ana.connection, JSON.stringify({ op: "leave", channel: "board:Deal", ref: "l" }));
      await ana.transport.frames.waitFor((f) => f.type === "left", "left");
      flaky.lose = undefined;
      // … but the next heartbeat's digest differs from what it holds, it asks, and Ana leaves.
      await mia.transport.frames.waitFor((f) => f.type === "presence" && f.leaves.some((m) => m.sub === "ana"), "ana's leave, repaired");
      expect(h2.stats().cluster.resyncs).toBeGreaterThanOrEqual(1);
    });
  });

  it("resolves a lock granted on two nodes at once to the earlier grant, and tells the loser's channel", async () => {
    await withTwoHubs(["first", "second"], async (h1, h2, slow) => {
      const ana = connect(h1, "ana");
      const bo = connect(h2, "bo");
      for (const [hub, c] of [[h1, ana], [h2, bo]] as const) hub.receive(c.connection, JSON.stringify({ op: "join", channel: "board:Deal", ref: "j" }));
      await ana.transport.frames.waitFor((f) => f.type === "joined", "joined");
      await bo.transport.frames.waitFor((f) => f.type === "joined", "joined");
      // The first node's messages are held back: each node grants the lock, unaware of the other.
      slow.held = [];
      h1.receive(ana.connection, JSON.stringify({ op: "lock", channel: "board:Deal", field: "title", ttlMs: 60_000, ref: "a" }));
      await ana.transport.frames.waitFor((f) => f.type === "locked", "ana's grant");
      await new Promise((resolve) => setTimeout(resolve, 5)); // a later acquiredAt on the second node
      h2.receive(bo.connection, JSON.stringify({ op: "lock", channel: "board:Deal", field: "title", ttlMs: 60_000, ref: "b" }));
      await bo.transport.frames.waitFor((f) => f.type === "locked", "bo's grant");
      await slow.release();
      // Bo's node learns of the earlier grant: Bo's channel is told Ana holds it; both nodes agree.
      await bo.transport.frames.waitFor((f) => f.type === "lock" && f.holder?.sub === "ana", "ana wins on bo's node");
      expect(h1.locks.get("t1|board:Deal", "title")?.holder.sub).toBe("ana");
      expect(h2.locks.get("t1|board:Deal", "title")?.holder.sub).toBe("ana");
      h2.receive(bo.connection, JSON.stringify({ op: "lock", channel: "board:Deal", field: "title", ref: "again" }));
      expect(await bo.transport.frames.waitFor((f) => f.type === "error" && f.ref === "again", "conflict")).toMatchObject({ code: "CONFLICT", holder: { sub: "ana" } });
    });
  });
});
