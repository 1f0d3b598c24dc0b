// Several server nodes sharing channels through each backplane (the services run on this machine:
// Redis 127.0.0.1:6379, NATS 127.0.0.1:4222; PostgreSQL is the test database, PGlite or the server):
// presence, broadcasts and locks cross nodes; a node that stops takes its members with it at once
// (it says bye), and a node that goes silent loses them within the node timeout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@tessera/db";
import { MemoryBackplane, MemoryBus, NatsBackplane, PostgresBackplane, RedisBackplane, type Backplane } from "@tessera/realtime";
import { eventually, inboxOf, RealtimeWorld, unique, type RealtimeNode } from "./support/realtimeWorld.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

let world: RealtimeWorld;

beforeAll(async () => {
  world = await RealtimeWorld.open();
});

afterAll(async () => {
  await world?.close();
});

type BackplaneFactory = (db: Database) => Backplane;

/** One topic per backplane run, so parallel runs never hear each other. */
function kinds(): [string, () => BackplaneFactory][] {
  return [
    ["memory (a shared in-process bus)", () => {
      const bus = new MemoryBus();
      return () => new MemoryBackplane(bus);
    }],
    ["postgres (LISTEN/NOTIFY)", () => {
      const channel = unique("rt_");
      return (db) => new PostgresBackplane(db, channel);
    }],
    ["redis (pub/sub)", () => {
      const channel = unique("tessera:rt:");
      return () => new RedisBackplane(REDIS_URL, channel);
    }],
    ["nats", () => {
      const subject = unique("tessera.rt.");
      return () => new NatsBackplane(NATS_URL, subject);
    }],
  ];
}

// Node timeouts are short for the observer of a crash and long for the observer of a clean stop,
// so the clean stop can only be seen in time through the node's `bye`, not through its silence.
const FAST = { nodeHeartbeatMs: 200, nodeTimeoutMs: 3_000, sweepIntervalMs: 100 };
const PATIENT = { nodeHeartbeatMs: 200, nodeTimeoutMs: 120_000, sweepIntervalMs: 100 };

describe.each(kinds())("two nodes over %s", (_name, makeFactory) => {
  let factory: BackplaneFactory;
  let watchful: RealtimeNode;
  let patient: RealtimeNode;

  beforeAll(async () => {
    factory = makeFactory();
    watchful = await world.startNode({ ownEngine: true, realtime: FAST, backplane: factory });
    patient = await world.startNode({ ownEngine: true, realtime: PATIENT, backplane: factory });
    // Each hears the other before the tests start.
    await eventually(async () => (watchful.hub.stats().peers.includes(patient.hub.nodeId) && patient.hub.stats().peers.includes(watchful.hub.nodeId) ? true : undefined), "the nodes to hear each other");
  });

  afterAll(async () => {
    await watchful?.stop();
    await patient?.stop();
  });

  it("shares presence, broadcasts and locks across the nodes, and live views on each node", async () => {
    const channel = `record:Deal:${world.deals.ofSales2}`;
    const mia = await world.client(watchful, "manager");
    const bo = await world.client(patient, "sales2");
    const miaPresence = inboxOf(mia, "presence");
    const miaMessages = inboxOf(mia, "message");
    const boLocks = inboxOf(bo, "lock");
    const boPresence = inboxOf(bo, "presence");
    await mia.join(channel, { state: { viewing: true } });
    await bo.join(channel, { state: { editing: "title" } });
    // Bo, on the other node, sees Mia (in his snapshot, or in a diff if her join was still on its
    // way over the backplane); Mia hears of Bo's join.
    await boPresence.waitFor((e) => e.members.some((m) => m.sub === world.people.manager.id), "Mia in Bo's presence");
    const boIn = await miaPresence.waitFor((e) => e.joins.some((m) => m.sub === world.people.sales2.id), "Bo's join from the other node");
    expect(boIn.joins[0]).toMatchObject({ name: "Bo Sales", metas: [{ state: { editing: "title" } }] });

    const marker = unique();
    await bo.publish(channel, "typing", { marker });
    expect(await miaMessages.waitFor((m) => (m.payload as { marker?: string }).marker === marker, "the broadcast from the other node")).toMatchObject({ from: { sub: world.people.sales2.id } });

    await mia.lock(channel, "title", { ttlMs: 60_000 });
    await boLocks.waitFor((l) => l.field === "title" && l.reason === "acquired" && l.holder?.sub === world.people.manager.id, "the lock from the other node");
    await expect(bo.lock(channel, "title")).rejects.toMatchObject({ code: "CONFLICT", details: { holder: { sub: world.people.manager.id } } });
    await mia.unlock(channel, "title");
    await boLocks.waitFor((l) => l.field === "title" && l.reason === "released", "the release from the other node");
    await bo.lock(channel, "title");
    await bo.unlock(channel, "title");

    // A change committed through one node's engine reaches a board on the other node.
    await bo.join("board:Deal");
    const boChanges = inboxOf(bo, "change");
    const title = `cross-node ${unique()}`;
    await watchful.engine.model("Deal").update({ id: world.deals.ofSales2 }, { title }, world.people.manager.context);
    expect(await boChanges.waitFor((c) => c.channel === "board:Deal" && c.record?.title === title, "the change on the other node")).toMatchObject({ actor: world.people.manager.id });
  });

  it("removes the members of a node that stops cleanly, at once", async () => {
    const channel = `board:Deal`;
    const leaving = await world.startNode({ ownEngine: true, realtime: PATIENT, backplane: factory });
    const observer = await world.client(patient, "manager");
    const observed = inboxOf(observer, "presence");
    await observer.join(channel);
    const ana = await world.client(leaving, "sales1");
    await ana.join(channel, { state: {} });
    await observed.waitFor((e) => e.joins.some((m) => m.sub === world.people.sales1.id), "Ana's join via the leaving node");
    await leaving.stop();
    // The observer's node would wait 120 s for silence; only the leaving node's `bye` explains this.
    await observed.waitFor((e) => e.leaves.some((m) => m.sub === world.people.sales1.id), "Ana's leave after the clean stop");
    expect(observer.presence(channel).map((m) => m.sub)).not.toContain(world.people.sales1.id);
  });

  it("removes the members and locks of a node that goes silent within the node timeout", async () => {
    const channel = `record:Deal:${world.deals.ofSales1}`;
    let lost: Backplane | undefined;
    const doomed = await world.startNode({
      ownEngine: true,
      realtime: PATIENT,
      backplane: (db) => (lost = factory(db)),
    });
    const observer = await world.client(watchful, "manager");
    const observed = inboxOf(observer, "presence");
    const observedLocks = inboxOf(observer, "lock");
    await observer.join(channel);
    const ana = await world.client(doomed, "sales1");
    await ana.join(channel, { state: { viewing: true } });
    await ana.lock(channel, "value", { ttlMs: 120_000 });
    await observed.waitFor((e) => e.joins.some((m) => m.sub === world.people.sales1.id), "Ana's join via the doomed node");
    await observedLocks.waitFor((l) => l.field === "value" && l.holder?.sub === world.people.sales1.id, "Ana's lock via the doomed node");
    // The node loses its backplane without a word, as when its process dies or the network splits.
    await lost!.stop();
    await observed.waitFor((e) => e.leaves.some((m) => m.sub === world.people.sales1.id), "Ana's leave after the node went silent");
    const released = await observedLocks.waitFor((l) => l.field === "value" && l.reason === "disconnected", "Ana's lock released");
    expect(released.holder).toBeNull();
    expect(watchful.hub.stats().peers).not.toContain(doomed.hub.nodeId);
    await doomed.stop();
  });
});
