// The dispatcher delivers committed events in order, at least once, to several nodes, and never
// delivers a write that rolled back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine, EventDispatcher, type EventRecord, type RequestContext } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0c000000-0000-4000-8000-00000000000c";
const ctx: RequestContext = { tenantId: TENANT, principal: { sub: "ana", roles: ["admin"], kind: "user" } };
let crm: CrmDatabase;
let engine: Engine;

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
});
afterAll(async () => {
  await crm?.drop();
});

describe("event dispatcher", () => {
  it("delivers committed events in seq order to every named consumer, each once per cursor", async () => {
    const nodeA = new EventDispatcher(crm.db);
    const nodeB = new EventDispatcher(crm.db);
    const seenA: EventRecord[] = [];
    const seenB: EventRecord[] = [];
    await nodeA.subscribe("projection-a", (events) => void seenA.push(...events));
    await nodeB.subscribe("projection-b", (events) => void seenB.push(...events));
    const tag = await engine.model("Tag").create({ name: "first" }, ctx);
    await engine.model("Tag").update({ id: tag.id as string }, { name: "second" }, ctx);
    await engine.model("Tag").delete({ id: tag.id as string }, ctx);
    await nodeA.drain();
    await nodeB.drain();
    expect(seenA.map((e) => e.type)).toEqual(["Created", "Updated", "Deleted"]);
    expect(seenB.map((e) => e.seq)).toEqual(seenA.map((e) => e.seq));
    expect(seenA[1]).toMatchObject({ model: "Tag", recordId: tag.id, tenantId: TENANT, actor: "ana", changes: { name: { from: "first", to: "second" } } });
    // The cursor is durable: draining again delivers nothing new.
    await nodeA.drain();
    expect(seenA).toHaveLength(3);
  });

  it("shares one consumer's work between two nodes without delivering an event twice", async () => {
    const nodes = [new EventDispatcher(crm.db, { batchSize: 2 }), new EventDispatcher(crm.db, { batchSize: 2 })];
    const seen: number[] = [];
    for (const node of nodes) await node.subscribe("shared", (events) => void seen.push(...events.map((e) => e.seq)));
    for (let i = 0; i < 6; i++) await engine.model("Tag").create({ name: `shared ${i}` }, ctx);
    await Promise.all(nodes.map((n) => n.drain()));
    await Promise.all(nodes.map((n) => n.drain()));
    expect(seen).toHaveLength(6);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it("redelivers a batch whose consumer failed (at-least-once)", async () => {
    const node = new EventDispatcher(crm.db);
    let fail = true;
    const seen: number[] = [];
    await node.subscribe("flaky", (events) => {
      if (fail) throw new Error("consumer down");
      seen.push(...events.map((e) => e.seq));
    });
    await engine.model("Tag").create({ name: "retry me" }, ctx);
    await expect(node.drain()).rejects.toThrow("consumer down");
    fail = false;
    await node.drain();
    expect(seen).toHaveLength(1);
  });

  it("never delivers a write that rolled back", async () => {
    const node = new EventDispatcher(crm.db);
    const seen: EventRecord[] = [];
    await node.subscribe("rollback", (events) => void seen.push(...events));
    await expect(engine.model("Deal").create({ title: "bad ref", contactId: "00000000-0000-4000-8000-000000000bad" }, ctx)).rejects.toThrow();
    await node.drain();
    expect(seen).toEqual([]);
  });

  it("wakes up on NOTIFY after commit and delivers without polling", async () => {
    const node = new EventDispatcher(crm.db, { pollIntervalMs: 60_000 });
    const delivered = new Promise<EventRecord[]>((resolve) => {
      void node.subscribe("live", (events) => {
        if (events.length > 0) resolve(events);
      });
    });
    await node.start();
    await engine.model("Tag").create({ name: "notified" }, ctx);
    const events = await delivered;
    expect(events[0]).toMatchObject({ type: "Created", model: "Tag" });
    await node.stop();
  });
});

describe("read cache", () => {
  it("keys entries by tenant and permission scope, never serving one role's result to another", async () => {
    const admin: RequestContext = { tenantId: TENANT, principal: { sub: "u1", roles: ["admin"], kind: "user" } };
    const viewer: RequestContext = { tenantId: TENANT, principal: { sub: "u1", roles: ["viewer"], kind: "user" } };
    const cache = engine.cache!;
    expect(cache.key(admin, ["Tag"], "findMany", {})).not.toBe(cache.key(viewer, ["Tag"], "findMany", {}));
    expect(cache.key(admin, ["Tag"], "findMany", {})).not.toBe(cache.key({ ...admin, tenantId: "0d000000-0000-4000-8000-00000000000d" }, ["Tag"], "findMany", {}));
    const misses = cache.stats.misses;
    await engine.model("Tag").findMany({}, admin);
    await engine.model("Tag").findMany({}, viewer);
    expect(cache.stats.misses).toBe(misses + 2);
  });

  it("stays bounded, evicting the least recently used entries", async () => {
    const small = new Engine({ schema: crm.schema, db: crm.db, cache: { maxEntries: 3 } });
    for (let i = 0; i < 10; i++) await small.model("Tag").findMany({ where: { name: `n${i}` } }, ctx);
    expect(small.cache!.size).toBe(3);
  });

  it("is invalidated by events committed on another node", async () => {
    const other = new Engine({ schema: crm.schema, db: crm.db });
    await engine.start({ nodeId: "node-1" });
    const before = await engine.model("Tag").findMany({ where: { name: "from other node" } }, ctx);
    expect(before.nodes).toEqual([]);
    await other.model("Tag").create({ name: "from other node" }, ctx);
    await engine.events.drain();
    const after = await engine.model("Tag").findMany({ where: { name: "from other node" } }, ctx);
    expect(after.nodes).toHaveLength(1);
    await engine.stop();
  });
});

describe("ephemeral consumers", () => {
  it("removes the node's cache cursor row when the engine stops", async () => {
    const node = new Engine({ schema: crm.schema, db: crm.db });
    await node.start({ nodeId: "ephemeral-node" });
    const count = async () => (await crm.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tessera_consumers WHERE name = 'cache:ephemeral-node'")).rows[0].n;
    expect(await count()).toBe(1);
    await node.stop();
    expect(await count()).toBe(0);
  });
});

describe("per-node consumers of dead nodes", () => {
  const rowsOf = async (names: string[]): Promise<{ name: string; position: string; per_node: boolean }[]> =>
    (
      await crm.db.query<{ name: string; position: string; per_node: boolean }>(
        "SELECT name, position::text AS position, per_node FROM tessera_consumers WHERE name = ANY($1::text[]) ORDER BY name",
        [names],
      )
    ).rows;
  /** A consumer row as a node left it, last marked alive `age` ago by the database's clock. */
  const leaveRow = (name: string, perNode: boolean, age: string): Promise<unknown> =>
    crm.db.query("INSERT INTO tessera_consumers (name, position, per_node, updated_at) VALUES ($1, 0, $2, now() - $3::interval)", [name, perNode, age]);

  it("reaps the rows of per-node consumers not seen for the TTL; a live node's and a durable consumer's stay", async () => {
    const live = new EventDispatcher(crm.db);
    await live.subscribe("realtime:live-node", () => undefined, { perNode: true });
    await leaveRow("graphql-ws:dead-node", true, "1 hour");
    await leaveRow("cache:dead-node", true, "6 minutes");
    await leaveRow("cache:quiet-node", true, "1 minute"); // within the 5-minute TTL: maybe just slow
    await leaveRow("workflows", false, "30 days"); // durable: its cursor is the only record of its progress
    const names = ["realtime:live-node", "graphql-ws:dead-node", "cache:dead-node", "cache:quiet-node", "workflows"];

    const reaper = new EventDispatcher(crm.db);
    expect(await reaper.reapDeadConsumers()).toEqual(["cache:dead-node", "graphql-ws:dead-node"]);
    expect(reaper.stats.reaped).toBe(2);
    expect((await rowsOf(names)).map((r) => [r.name, r.per_node])).toEqual([
      ["cache:quiet-node", true],
      ["realtime:live-node", true],
      ["workflows", false],
    ]);
    await live.unsubscribe("realtime:live-node", { forget: true });
    await reaper.unsubscribe("cache:quiet-node", { forget: true });
    await crm.db.query("DELETE FROM tessera_consumers WHERE name = ANY($1::text[])", [names]);
  });

  it("reaps when a node starts, and its heartbeat keeps its own rows from being reaped by others", async () => {
    await leaveRow("graphql-ws:crashed-node", true, "1 hour");
    const node = new EventDispatcher(crm.db, { pollIntervalMs: 60_000 });
    await node.subscribe("cache:beating-node", () => undefined, { perNode: true });
    await node.start();
    expect(await rowsOf(["graphql-ws:crashed-node"])).toEqual([]);
    // No event for an hour: delivery never advanced updated_at. The heartbeat does.
    await crm.db.query("UPDATE tessera_consumers SET updated_at = now() - interval '1 hour' WHERE name = 'cache:beating-node'");
    await node.markAlive();
    expect(await new EventDispatcher(crm.db).reapDeadConsumers()).toEqual([]);
    expect(await rowsOf(["cache:beating-node"])).toHaveLength(1);
    await node.stop();
    await node.unsubscribe("cache:beating-node", { forget: true });
    expect(await rowsOf(["cache:beating-node"])).toEqual([]);
  });

  it("puts back a live node's row reaped while it could not beat, at the position it had reached: no event lost", async () => {
    const node = new EventDispatcher(crm.db);
    const seen: string[] = [];
    await node.subscribe("realtime:partitioned-node", (events) => void seen.push(...events.map((e) => String(e.recordId))), { perNode: true });
    const before = (await engine.model("Tag").create({ name: "before the partition" }, ctx)).id as string;
    await node.drain();
    expect(seen).toEqual([before]);
    const [{ position }] = await rowsOf(["realtime:partitioned-node"]);
    // Another node reaps the row (this one was unreachable longer than the TTL), and events go on.
    await crm.db.query("UPDATE tessera_consumers SET updated_at = now() - interval '1 hour' WHERE name = 'realtime:partitioned-node'");
    expect(await new EventDispatcher(crm.db).reapDeadConsumers()).toEqual(["realtime:partitioned-node"]);
    const during = (await engine.model("Tag").create({ name: "during the partition" }, ctx)).id as string;
    await node.drain();
    expect(seen).toEqual([before]); // no row, no delivery

    await node.markAlive();
    expect(await rowsOf(["realtime:partitioned-node"])).toEqual([{ name: "realtime:partitioned-node", position, per_node: true }]);
    await node.drain();
    expect(seen).toEqual([before, during]);
    await node.unsubscribe("realtime:partitioned-node", { forget: true });
  });

  it("marks the engine's cache consumer per node; a TTL under three heartbeats is refused", async () => {
    const node = new Engine({ schema: crm.schema, db: crm.db });
    await node.start({ nodeId: "flagged-node" });
    expect(await rowsOf(["cache:flagged-node"])).toEqual([expect.objectContaining({ per_node: true })]);
    await node.stop();
    expect(() => new EventDispatcher(crm.db, { heartbeatMs: 1_000, perNodeTtlMs: 2_000 })).toThrow(RangeError);
  });
});
