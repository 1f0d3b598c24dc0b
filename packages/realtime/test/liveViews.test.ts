// Live views: committed changes reach board and record channels, each subscriber getting only
// rows it may read, as it may read them; transient signals never reach the event log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemContext } from "@tessera/engine";
import { SYSTEM_TABLES } from "@tessera/db";
import { inboxOf, openOneNode, RealtimeWorld, TENANT_A, TENANT_B, unique, type RealtimeNode } from "./support/realtimeWorld.ts";

let world: RealtimeWorld;
let node: RealtimeNode;

beforeAll(async () => ({ world, node } = await openOneNode()));
afterAll(() => world?.close());

describe("committed changes on board and record channels", () => {
  it("sends a committed deal update to board subscribers who may read the deal, and not to a salesperson who may not", async () => {
    const ana = await world.client(node, "sales1");
    const bo = await world.client(node, "sales2");
    const mia = await world.client(node, "manager");
    const [anaChanges, boChanges, miaChanges] = [ana, bo, mia].map((c) => inboxOf(c, "change"));
    for (const c of [ana, bo, mia]) await c.join("board:Deal");

    const title = `Ana's deal ${unique()}`;
    await world.engine.model("Deal").update({ id: world.deals.ofSales1 }, { stage: "proposal", title }, world.people.sales1.context);
    const forAna = await anaChanges.waitFor((c) => c.id === world.deals.ofSales1 && c.record?.title === title, "Ana's change");
    expect(forAna).toMatchObject({ channel: "board:Deal", model: "Deal", event: "Updated", actor: world.people.sales1.id, record: { stage: "proposal", ownerId: world.people.sales1.id } });
    expect(forAna.changedFields.sort()).toEqual(["stage", "title"]);
    expect(forAna.record).not.toHaveProperty("tenantId");
    await miaChanges.waitFor((c) => c.id === world.deals.ofSales1 && c.record?.title === title, "the manager's change");

    // Bo's own deal changes next; his frames come in seq order, so Ana's change would have come first.
    await world.engine.model("Deal").update({ id: world.deals.ofSales2 }, { stage: "qualified" }, world.people.sales2.context);
    const forBo = await boChanges.waitFor((c) => c.id === world.deals.ofSales2, "Bo's change");
    expect(boChanges.items.some((c) => c.id === world.deals.ofSales1)).toBe(false);
    expect(boChanges.items.indexOf(forBo)).toBe(0);
  });

  it("sends changes of one record to its record channel, and stops when the record changes hands", async () => {
    const channel = `record:Deal:${world.deals.ofSales1}`;
    const ana = await world.client(node, "sales1");
    const anaChanges = inboxOf(ana, "change");
    await ana.join(channel);
    await world.engine.model("Deal").update({ id: world.deals.ofSales1 }, { value: 1234 }, world.people.manager.context);
    const first = await anaChanges.waitFor((c) => c.channel === channel && c.changedFields.includes("value"), "value change");
    expect(first.record).toMatchObject({ value: expect.anything() });
    // Reassigned to Bo: Ana may no longer read it, so the next change is not hers to see …
    await world.engine.model("Deal").update({ id: world.deals.ofSales1 }, { ownerId: world.people.sales2.id }, world.people.manager.context);
    await world.engine.model("Deal").update({ id: world.deals.ofSales1 }, { title: `moved ${unique()}` }, world.people.manager.context);
    // … which she can tell from a change of a record she still reads, arriving after them.
    await ana.join("board:Deal");
    const marker = await world.engine.model("Deal").create({ title: `marker ${unique()}`, contactId: world.contactA, ownerId: world.people.sales1.id }, world.people.manager.context);
    await anaChanges.waitFor((c) => c.id === marker.id && c.event === "Created", "the marker");
    expect(anaChanges.items.filter((c) => c.id === world.deals.ofSales1).map((c) => c.changedFields)).toEqual([["value"]]);
    await world.engine.model("Deal").update({ id: world.deals.ofSales1 }, { ownerId: world.people.sales1.id }, world.people.manager.context);
  });

  it("removes a subscriber from a record's channel when a committed change makes the record unreadable for them", async () => {
    const deal = await world.engine.model("Deal").create({ title: `to move ${unique()}`, contactId: world.contactA, ownerId: world.people.sales1.id }, world.people.manager.context);
    const channel = `record:Deal:${deal.id}`;
    const ana = await world.client(node, "sales1");
    const mia = await world.client(node, "manager");
    const [anaRevoked, miaPresence, miaMessages] = [inboxOf(ana, "revoked"), inboxOf(mia, "presence"), inboxOf(mia, "message")];
    await ana.join(channel, { state: { editing: "title" } });
    await mia.join(channel, { state: { viewing: true } });
    expect(mia.presence(channel).map((m) => m.sub).sort()).toEqual([world.people.manager.id, world.people.sales1.id].sort());
    const revokedBefore = node.hub.stats().revoked;

    // The manager gives the deal to Bo: Ana's row rule no longer lets her read it.
    await world.engine.model("Deal").update({ id: deal.id }, { ownerId: world.people.sales2.id }, world.people.manager.context);
    expect(await anaRevoked.waitFor((r) => r.channel === channel, "Ana's removal")).toEqual({ channel });
    await miaPresence.waitFor((p) => p.channel === channel && p.leaves.some((m) => m.sub === world.people.sales1.id), "Ana leaving, as the manager sees it");
    expect(ana.presence(channel)).toEqual([]);
    expect(node.hub.stats().revoked).toBe(revokedBefore + 1);

    // She can neither speak on the channel nor join it again; the manager stays and hears nothing from her.
    await expect(ana.publish(channel, "typing")).rejects.toMatchObject({ code: "NOT_JOINED" });
    await expect(ana.join(channel)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await mia.publish(channel, "ping-self", null, { echo: true });
    await miaMessages.waitFor((m) => m.event === "ping-self", "the manager's own message");
    expect(miaMessages.items.some((m) => m.from?.sub === world.people.sales1.id)).toBe(false);
  });

  it("does not take anyone off a record's channel when the record is destroyed right after a change", async () => {
    const deal = await world.engine.model("Deal").create({ title: `short-lived ${unique()}`, contactId: world.contactA, ownerId: world.people.sales1.id }, world.people.manager.context);
    const channel = `record:Deal:${deal.id}`;
    const mia = await world.client(node, "manager");
    const [miaRevoked, miaChanges] = [inboxOf(mia, "revoked"), inboxOf(mia, "change")];
    await mia.join(channel, { state: { viewing: true } });
    const revokedBefore = node.hub.stats().revoked;
    // Both commit before the live views re-read the update, which then finds no row.
    await world.engine.model("Deal").update({ id: deal.id }, { title: `last words ${unique()}` }, world.people.manager.context);
    await world.engine.model("Deal").destroy({ id: deal.id }, systemContext(TENANT_A));
    await miaChanges.waitFor((c) => c.channel === channel && c.event === "Destroyed", "the destruction");
    expect(miaRevoked.items).toEqual([]);
    expect(node.hub.stats().revoked).toBe(revokedBefore);
  });

  it("tells a user on their user: channel when someone else assigns them a record, and nobody else", async () => {
    const ana = await world.client(node, "sales1");
    const bo = await world.client(node, "sales2");
    const [anaInbox, boInbox] = [ana, bo].map((c) => inboxOf(c, "change"));
    await ana.join(`user:${world.people.sales1.id}`);
    await bo.join(`user:${world.people.sales2.id}`);
    const deal = await world.engine.model("Deal").create({ title: `to assign ${unique()}`, contactId: world.contactA }, world.people.manager.context);
    // Bo may not touch an unowned deal (refused, so no notice); the manager's assignment to Ana is news.
    await world.engine.model("Deal").update({ id: deal.id }, { ownerId: world.people.sales2.id }, world.people.sales2.context).catch(() => undefined);
    await world.engine.model("Deal").update({ id: deal.id }, { ownerId: world.people.sales1.id }, world.people.manager.context);
    const notice = await anaInbox.waitFor((c) => c.id === deal.id, "Ana's assignment");
    expect(notice).toMatchObject({ channel: `user:${world.people.sales1.id}`, model: "Deal", event: "Updated", actor: world.people.manager.id, record: { ownerId: world.people.sales1.id } });
    expect(notice.changedFields).toContain("ownerId");
    // A later assignment to Bo reaches him, so his inbox is up to date when checked.
    const later = await world.engine.model("Deal").create({ title: `for Bo ${unique()}`, contactId: world.contactA, ownerId: world.people.sales2.id }, world.people.manager.context);
    await boInbox.waitFor((c) => c.id === later.id && c.event === "Created", "Bo's own assignment");
    expect(boInbox.items.some((c) => c.id === deal.id)).toBe(false);
  });

  it("keeps tenants apart: tenant B's board never hears of tenant A's deals", async () => {
    const otto = await world.client(node, "outsider");
    const ottoChanges = inboxOf(otto, "change");
    await otto.join("board:Deal");
    await world.engine.model("Deal").update({ id: world.deals.ofSales2 }, { title: `A-only ${unique()}` }, world.people.manager.context);
    const contactB = await world.engine.model("Contact").create({ firstName: "Bea" }, systemContext(TENANT_B));
    const dealB = await world.engine.model("Deal").create({ title: "B's deal", contactId: contactB.id }, world.people.outsider.context);
    await ottoChanges.waitFor((c) => c.id === dealB.id, "tenant B's own deal");
    expect(ottoChanges.items.map((c) => c.id)).toEqual([dealB.id]);
  });

  it("sends nothing for a write that failed, and puts no transient signal in the event log", async () => {
    const mia = await world.client(node, "manager");
    const miaChanges = inboxOf(mia, "change");
    const channel = `record:Deal:${world.deals.ofSales2}`;
    await mia.join(channel, { state: { editing: "title" } });
    const before = await world.engine.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${SYSTEM_TABLES.events} WHERE tenant_id = $1`, [TENANT_A]);
    await mia.setPresence(channel, { editing: "value" });
    await mia.lock(channel, "value");
    await mia.publish(channel, "typing", { field: "value" });
    await mia.unlock(channel, "value");
    await expect(world.engine.model("Deal").update({ id: world.deals.ofSales2 }, { currency: "euro" }, world.people.manager.context)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await world.engine.model("Deal").update({ id: world.deals.ofSales2 }, { currency: "USD" }, world.people.manager.context);
    const change = await miaChanges.waitFor((c) => c.channel === channel, "the committed change");
    expect(change.record).toMatchObject({ currency: "USD" });
    expect(miaChanges.items.filter((c) => c.channel === channel)).toHaveLength(1);
    const after = await world.engine.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${SYSTEM_TABLES.events} WHERE tenant_id = $1`, [TENANT_A]);
    expect(Number(after.rows[0].n) - Number(before.rows[0].n)).toBe(1);
  });

  it("batches reads per principal: two tabs of one user cost one read per round, not two", async () => {
    const tabs = [await world.client(node, "viewer"), await world.client(node, "viewer")];
    const inboxes = tabs.map((t) => inboxOf(t, "change"));
    for (const t of tabs) await t.join("board:Company");
    const company = await world.engine.model("Company").create({ name: `Co ${unique()}` }, systemContext(TENANT_A));
    for (const inbox of inboxes) await inbox.waitFor((c) => c.id === company.id && c.event === "Created", "creation");
    const before = (await world.health(node)).liveViews!;
    await world.engine.model("Company").update({ id: company.id }, { name: `Co ${unique()}` }, systemContext(TENANT_A));
    for (const inbox of inboxes) await inbox.waitFor((c) => c.id === company.id && c.event === "Updated", "update");
    const after = (await world.health(node)).liveViews!;
    expect(after.frames - before.frames).toBe(2);
    expect(after.reads - before.reads).toBe(1);
  });
});

describe("the node's consumers", () => {
  it("are per-node rows (cache, graphql-ws, realtime), so other nodes reap them if this node dies", async () => {
    const { rows } = await world.crm.db.query<{ name: string; per_node: boolean }>(
      `SELECT name, per_node FROM ${SYSTEM_TABLES.consumers} WHERE name LIKE '%:' || $1 ORDER BY name`,
      [node.hub.nodeId],
    );
    expect(rows).toEqual(["cache", "graphql-ws", "realtime"].map((kind) => ({ name: `${kind}:${node.hub.nodeId}`, per_node: true })));
  });
});
