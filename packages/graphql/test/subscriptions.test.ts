// GraphQL subscriptions over a real WebSocket (graphql-ws client + ws) against a real listening
// fastify server on 127.0.0.1, a real CRM database and the engine's committed event stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { Engine, systemContext, type EventDispatcher, type EventRecord, type RequestContext } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";
import { buildGraphQLSchema, ChangeEventHub, ChangeFailure, connectionHeaders, createGraphQLContext, executeGraphQL, graphqlSubscriptionsPlugin, type ConnectionParams } from "../src/index.ts";

const TENANT = "0a000000-0000-4000-8000-00000000000a";
const OTHER_TENANT = "0b000000-0000-4000-8000-00000000000b";

let crm: CrmDatabase;
let engine: Engine;
let hub: ChangeEventHub;
let app: FastifyInstance;
let url: string;
const connectionCounts: number[] = [];

const ids: { [name: string]: string } = {};
const contexts: { [token: string]: RequestContext } = {};

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Stands in for the auth package's authenticator: tokens are names of prepared contexts. */
async function authenticate(params: ConnectionParams): Promise<RequestContext> {
  const headers = connectionHeaders(params);
  const match = /^Bearer (\S+)$/.exec(headers.authorization ?? "");
  if (!match) throw new HttpError(401, "Sign in first");
  if (match[1] === "outsider") throw new HttpError(403, "You are not a member of this tenant");
  const context = contexts[match[1]];
  if (!context) throw new HttpError(401, "invalid token");
  return context;
}

const ana = (): RequestContext => contexts.ana;
const bob = (): RequestContext => contexts.bob;

// ---------- a small client harness ----------

interface Received {
  data?: { [field: string]: any } | null;
  errors?: { message: string; extensions?: { code?: string; fieldErrors?: unknown[] } }[];
}

interface Subscription {
  next(timeoutMs?: number): Promise<Received>;
  /** Resolves with "complete" or the error the sink got. */
  ended: Promise<"complete" | unknown>;
  dispose(): void;
}

const clients: Client[] = [];

function client(params: ConnectionParams, closed?: (code: number) => void): Client {
  const c = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: params,
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => closed?.((event as { code: number }).code) },
  });
  clients.push(c);
  return c;
}

function subscribe(c: Client, query: string, variables?: { [name: string]: unknown }): Subscription {
  const items: Received[] = [];
  const waiters: ((item: Received) => void)[] = [];
  let settle!: (value: "complete" | unknown) => void;
  const ended = new Promise<"complete" | unknown>((resolve) => (settle = resolve));
  const push = (item: Received): void => {
    const waiter = waiters.shift();
    if (waiter) waiter(item);
    else items.push(item);
  };
  const dispose = c.subscribe<{ [field: string]: any }>({ query, variables }, {
    next: (value) => push(value as Received),
    error: (error) => {
      // An `error` message gives the GraphQL errors; a closed socket gives its CloseEvent.
      if (Array.isArray(error)) push({ errors: error as Received["errors"] });
      else push({ errors: [{ message: `socket closed: ${String((error as { code?: number }).code ?? error)}` }] });
      settle(error);
    },
    complete: () => settle("complete"),
  });
  return {
    dispose,
    ended,
    next: (timeoutMs = 15_000) =>
      new Promise<Received>((resolve, reject) => {
        const ready = items.shift();
        if (ready) return resolve(ready);
        const timer = setTimeout(() => reject(new Error("no message within the timeout")), timeoutMs);
        waiters.push((item) => {
          clearTimeout(timer);
          resolve(item);
        });
      }),
  };
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Subscribes (after delivering what earlier writes committed) and waits until the server has opened the subscription on the hub. */
async function subscribed(c: Client, query: string, variables?: { [name: string]: unknown }): Promise<Subscription> {
  await drain(); // earlier tests' changes are not this subscription's business
  const before = hub.stats().opened;
  const sub = subscribe(c, query, variables);
  await until(() => hub.stats().opened > before);
  return sub;
}

function closeCode(params: ConnectionParams): Promise<number> {
  return new Promise((resolve) => {
    const c = client(params, resolve);
    subscribe(c, `subscription { dealChanged { type } }`);
  });
}

async function updateDeal(id: string, data: { [field: string]: unknown }, ctx: RequestContext = ana()): Promise<void> {
  await engine.model("Deal").update({ id }, data, ctx);
}

/** Delivers what is committed (the dispatcher runs too; this only makes the timing certain). */
const drain = (): Promise<void> => engine.events.drain();

const DEAL_EVENT = `type node { id title stage ownerId contact { firstName } } previous { id title stage } changedFields actor at seq`;

// ---------- setup ----------

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT, OTHER_TENANT]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  const system = systemContext(TENANT);
  // A user is seen in a tenant (and can own its records) through a membership of it.
  const user = async (name: string) => {
    const id = (await engine.model("User").create({ email: `${name}@subs.test`, name }, system)).id as string;
    await engine.model("Membership").create({ userId: id, role: "viewer" }, system);
    return id;
  };
  ids.ana = await user("ana");
  ids.sam = await user("sam");
  ids.sue = await user("sue");
  contexts.ana = { tenantId: TENANT, principal: { sub: ids.ana, roles: ["admin"], kind: "user" } };
  contexts.bob = { tenantId: OTHER_TENANT, principal: { sub: "bob", roles: ["admin"], kind: "user" } };
  contexts.sam = { tenantId: TENANT, principal: { sub: ids.sam, roles: ["sales"], teams: [], kind: "user" } };
  contexts.sue = { tenantId: TENANT, principal: { sub: ids.sue, roles: ["sales"], teams: [], kind: "user" } };
  contexts.vic = { tenantId: TENANT, principal: { sub: "vic", roles: ["viewer"], kind: "user" } };

  ids.contact = (await engine.model("Contact").create({ firstName: "Ana", email: "ana.contact@subs.test", notes: "secret" }, ana())).id as string;
  const otherContact = (await engine.model("Contact").create({ firstName: "Bo" }, bob())).id as string;
  const deal = async (title: string, extra: { [field: string]: unknown } = {}, ctx = ana(), contactId = ids.contact) =>
    (await engine.model("Deal").create({ title, value: "100", contactId, ...extra }, ctx)).id as string;
  ids.deal1 = await deal("Deal one");
  ids.deal2 = await deal("Deal two");
  ids.deal3 = await deal("Deal three");
  ids.samDeal = await deal("Sam's deal", { ownerId: ids.sam });
  ids.sueDeal = await deal("Sue's deal", { ownerId: ids.sue });
  ids.otherDeal = await deal("Other tenant's deal", {}, bob(), otherContact);

  await engine.start({ nodeId: "subscriptions-test" });
  hub = new ChangeEventHub(engine, crm.schema, { nodeId: "subscriptions-test", queueLimit: 100 });
  app = Fastify();
  await app.register(graphqlSubscriptionsPlugin, {
    engine,
    ir: crm.schema,
    schema: buildGraphQLSchema(crm.schema),
    authenticate,
    hub,
    keepAliveMs: 60_000,
    onConnectionsChange: (open) => connectionCounts.push(open),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  url = `ws://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/graphql/ws`;
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await app?.close();
  await engine?.stop();
  await crm?.drop();
});

// ---------- tests ----------

describe("connection", () => {
  it("closes a connection without a credential with 4401", async () => {
    expect(await closeCode({})).toBe(4401);
  });

  it("closes a connection with a bad token with 4401, a foreign tenant with 4403, an unknown payload key with 4400", async () => {
    expect(await closeCode({ token: "not-a-token" })).toBe(4401);
    expect(await closeCode({ authorization: "Bearer outsider" })).toBe(4403);
    expect(await closeCode({ token: "ana", password: "x" })).toBe(4400);
  });

  it("refuses queries and mutations, bad arguments and relationships under `previous`, with VALIDATION_FAILED", async () => {
    const c = client({ token: "ana" });
    const query = subscribe(c, `{ deals { id } }`);
    expect((await query.next()).errors?.[0]).toMatchObject({ extensions: { code: "VALIDATION_FAILED" } });
    const empty = subscribe(c, `subscription { dealChanged(events: []) { type } }`);
    expect((await empty.next()).errors?.[0]).toMatchObject({ extensions: { code: "VALIDATION_FAILED", fieldErrors: [{ path: ["events"] }] } });
    const previous = subscribe(c, `subscription { dealChanged { previous { contact { firstName } } } }`);
    expect((await previous.next()).errors?.[0]).toMatchObject({ extensions: { code: "VALIDATION_FAILED", fieldErrors: [{ path: ["dealChanged", "previous", "contact"] }] } });
    const unknown = subscribe(c, `subscription { dealChanged(where: { nope: 1 }) { type } }`);
    expect((await unknown.next()).errors?.[0].extensions?.code).toBe("VALIDATION_FAILED");
  });
});

describe("schema", () => {
  it("has <model>Changed(where, events) with <Model>ChangeEvent, and answers a subscription executed outside /graphql/ws with VALIDATION_FAILED", async () => {
    const schema = buildGraphQLSchema(crm.schema);
    const field = schema.getSubscriptionType()!.getFields().dealChanged;
    expect(String(field.type)).toBe("DealChangeEvent!");
    expect(field.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(["where: DealWhereInput", "events: [ChangeEventType!]"]);
    const event = schema.getType("DealChangeEvent") as { getFields(): { [name: string]: { type: unknown } } };
    expect(Object.fromEntries(Object.entries(event.getFields()).map(([name, f]) => [name, String(f.type)]))).toEqual({
      type: "ChangeEventType!", node: "Deal", previous: "Deal", changedFields: "[String!]!", actor: "String", at: "DateTime!", seq: "Float!",
    });
    const noSubscriptions = buildGraphQLSchema({ ...crm.schema, config: { ...crm.schema.config, subscriptions: false } });
    expect(noSubscriptions.getSubscriptionType()).toBeUndefined();
    const executed = await executeGraphQL({ schema, ir: crm.schema, source: `subscription { dealChanged { type } }`, contextValue: createGraphQLContext(engine, ana()) });
    expect(executed.errors?.[0]).toMatchObject({ message: expect.stringContaining("/graphql/ws"), extensions: { code: "VALIDATION_FAILED" } });
  });
});

describe("delivery", () => {
  it("delivers tenant A's deal changes to a subscriber in A (type, node, previous, changedFields, actor) and nothing from tenant B", async () => {
    const sub = await subscribed(client({ token: "ana" }), `subscription { dealChanged { ${DEAL_EVENT} } }`);
    await updateDeal(ids.otherDeal, { title: "B moves" }, bob());
    await updateDeal(ids.deal1, { title: "Deal one (renamed)", stage: "qualified" });
    await drain();
    const first = await sub.next();
    expect(first.errors).toBeUndefined();
    const event = first.data!.dealChanged;
    expect(event).toMatchObject({
      type: "UPDATED",
      node: { id: ids.deal1, title: "Deal one (renamed)", stage: "qualified", contact: { firstName: "Ana" } },
      previous: { id: ids.deal1, title: "Deal one", stage: "lead" },
      actor: ids.ana,
    });
    expect([...event.changedFields].sort()).toEqual(["stage", "title"]);
    expect(event.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(typeof event.seq).toBe("number");

    const created = (await engine.model("Deal").create({ title: "Fresh", contactId: ids.contact }, ana())).id as string;
    await drain();
    const second = (await sub.next()).data!.dealChanged;
    expect(second).toMatchObject({ type: "CREATED", node: { id: created, title: "Fresh" }, previous: null });
    expect(second.seq).toBeGreaterThan(event.seq);
    sub.dispose();
  });

  it("filters by `where` (only won deals)", async () => {
    const sub = await subscribed(client({ token: "ana" }), `subscription { dealChanged(where: { stage: won }) { type node { id stage } previous { stage } } }`);
    await updateDeal(ids.deal2, { stage: "qualified" });
    await updateDeal(ids.deal3, { stage: "won", actualCloseDate: "2026-02-20" });
    await drain();
    expect((await sub.next()).data!.dealChanged).toEqual({ type: "UPDATED", node: { id: ids.deal3, stage: "won" }, previous: { stage: "lead" } });
    sub.dispose();
  });

  it("filters by `events` (only DELETED), with the soft-deleted record as node", async () => {
    const sub = await subscribed(client({ token: "ana" }), `subscription { dealChanged(events: [DELETED]) { type node { id deletedAt } previous { deletedAt } changedFields } }`);
    await updateDeal(ids.deal2, { title: "Deal two (renamed)" });
    await engine.model("Deal").delete({ id: ids.deal2 }, ana());
    await drain();
    const event = (await sub.next()).data!.dealChanged;
    expect(event).toMatchObject({ type: "DELETED", node: { id: ids.deal2 }, previous: { deletedAt: null }, changedFields: ["deletedAt"] });
    expect(event.node.deletedAt).toEqual(expect.any(String));
    await engine.model("Deal").restore({ id: ids.deal2 }, ana());
    sub.dispose();
  });

  it("delivers nothing for writes that failed or rolled back (validation, stale version, unique violation)", async () => {
    const c = client({ token: "ana" });
    const dealsSub = await subscribed(c, `subscription { dealChanged { type node { id title } } }`);
    const contactsSub = await subscribed(c, `subscription { contactChanged { type node { email } } }`);
    await expect(engine.model("Deal").update({ id: ids.deal1 }, { title: "" }, ana())).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(engine.model("Deal").update({ id: ids.deal1 }, { title: "stale" }, ana(), { expectedVersion: 1 })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(engine.model("Contact").create({ firstName: "Dup", email: "ana.contact@subs.test" }, ana())).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await updateDeal(ids.deal1, { title: "marker" });
    await engine.model("Contact").create({ firstName: "Ok", email: "ok@subs.test" }, ana());
    await drain();
    expect((await dealsSub.next()).data!.dealChanged).toEqual({ type: "UPDATED", node: { id: ids.deal1, title: "marker" } });
    expect((await contactsSub.next()).data!.contactChanged).toEqual({ type: "CREATED", node: { email: "ok@subs.test" } });
    dealsSub.dispose();
    contactsSub.dispose();
  });
});

describe("authorisation", () => {
  it("does not deliver another sales user's deal to a sales subscriber (row rules)", async () => {
    const sub = await subscribed(client({ token: "sam" }), `subscription { dealChanged { type node { id title ownerId } } }`);
    await updateDeal(ids.sueDeal, { title: "Sue's deal v2" });
    await updateDeal(ids.samDeal, { title: "Sam's deal v2" });
    await drain();
    expect((await sub.next()).data!.dealChanged).toEqual({ type: "UPDATED", node: { id: ids.samDeal, title: "Sam's deal v2", ownerId: ids.sam } });
    sub.dispose();
  });

  it("stops delivering a record that moved out of the subscriber's rows", async () => {
    const sub = await subscribed(client({ token: "sam" }), `subscription { dealChanged { type node { id title ownerId } } }`);
    const marker = (await engine.model("Deal").create({ title: "Sam's marker", contactId: ids.contact, ownerId: ids.sam }, ana())).id as string;
    await drain();
    expect((await sub.next()).data!.dealChanged).toEqual({ type: "CREATED", node: { id: marker, title: "Sam's marker", ownerId: ids.sam } });
    await updateDeal(ids.samDeal, { ownerId: ids.sue }); // now Sue's: Sam may not read it any more
    await drain();
    await updateDeal(marker, { title: "Sam's marker v2" });
    await drain();
    expect((await sub.next()).data!.dealChanged).toEqual({ type: "UPDATED", node: { id: marker, title: "Sam's marker v2", ownerId: ids.sam } });
    await updateDeal(ids.samDeal, { ownerId: ids.sam });
    await drain();
    expect((await sub.next()).data!.dealChanged).toEqual({ type: "UPDATED", node: { id: ids.samDeal, title: "Sam's deal v2", ownerId: ids.sam } });
    sub.dispose();
  });

  it("leaves out fields the subscriber may not read (field rules), in node, previous and changedFields", async () => {
    const sub = await subscribed(client({ token: "vic" }), `subscription { contactChanged { changedFields node { firstName notes } previous { firstName notes } } }`);
    await engine.model("Contact").update({ id: ids.contact }, { firstName: "Anna", notes: "more secret" }, ana());
    await drain();
    expect((await sub.next()).data!.contactChanged).toEqual({
      changedFields: ["firstName"],
      node: { firstName: "Anna", notes: null },
      previous: { firstName: "Ana", notes: null },
    });
    sub.dispose();
  });

  it("delivers DESTROYED (node null, previous from the log) only to subscribers whose reads are not row-restricted", async () => {
    const admin = await subscribed(client({ token: "ana" }), `subscription { dealChanged(events: [DESTROYED]) { type node { id } previous { id title } } }`);
    const sales = await subscribed(client({ token: "sam" }), `subscription { dealChanged(events: [DESTROYED, UPDATED]) { type node { id } } }`);
    const doomed = (await engine.model("Deal").create({ title: "Doomed", contactId: ids.contact, ownerId: ids.sam }, ana())).id as string;
    await engine.model("Deal").destroy({ id: doomed }, ana());
    await updateDeal(ids.samDeal, { title: "after the destroy" });
    await drain();
    expect((await admin.next()).data!.dealChanged).toEqual({ type: "DESTROYED", node: null, previous: { id: doomed, title: "Doomed" } });
    expect((await sales.next()).data!.dealChanged).toEqual({ type: "UPDATED", node: { id: ids.samDeal } });
    admin.dispose();
    sales.dispose();
  });
});

describe("bounded queues", () => {
  it("ends a subscription that falls more than queueLimit events behind with RATE_LIMITED", async () => {
    let handler: ((events: EventRecord[]) => void) | undefined;
    const fakeDispatcher = { subscribe: async (_name: string, h: (events: EventRecord[]) => void) => void (handler = h) } as unknown as EventDispatcher;
    const small = new ChangeEventHub(engine, crm.schema, { queueLimit: 2, dispatcher: fakeDispatcher });
    await small.start();
    const deal = crm.schema.models.find((m) => m.name === "Deal")!;
    const stream = small.open({ model: deal, request: ana(), where: undefined, events: undefined, nodeSelection: { fields: ["id"] } });
    const event = (seq: number): EventRecord => ({
      seq, tenantId: TENANT, model: "Deal", recordId: ids.deal1, type: "Updated", version: 1, data: { id: ids.deal1 }, changes: {}, actor: null, impersonator: null, correlationId: null, at: "2026-01-01T00:00:00.000Z",
    });
    handler!([event(1), event(2), event(3)]);
    const first = await stream.next();
    expect(first.value).toBeInstanceOf(ChangeFailure);
    expect((first.value as ChangeFailure).error).toMatchObject({ code: "RATE_LIMITED" });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(small.stats()).toEqual({ subscriptions: 0, opened: 1, overflowed: 1 });
    // Another tenant's events never take queue space.
    const quiet = small.open({ model: deal, request: ana(), where: undefined, events: undefined, nodeSelection: { fields: ["id"] } });
    handler!([1, 2, 3, 4].map((seq) => ({ ...event(seq), tenantId: OTHER_TENANT })));
    expect(small.stats().overflowed).toBe(1);
    await small.close();
    expect(await quiet.next()).toEqual({ done: true, value: undefined });
  });
});

describe("shutdown", () => {
  it("ends subscriptions cleanly and closes the sockets when the server closes", async () => {
    let code: number | undefined;
    const c = client({ token: "ana" }, (closed) => (code = closed));
    const sub = await subscribed(c, `subscription { dealChanged { type } }`);
    expect(connectionCounts.at(-1)).toBeGreaterThan(0);
    await app.close();
    expect(await sub.ended).toBe("complete");
    await until(() => code !== undefined);
    expect(code).toBe(1001);
    await until(() => connectionCounts.at(-1) === 0);
    expect(hub.stats().subscriptions).toBe(0);
  });
});
