// A CRM database with two tenants, real users, memberships and deals, and real API server nodes
// (createApiServer: dev-issuer tokens, the same authenticator as HTTP) serving /realtime/ws.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { Engine, systemContext, type RequestContext } from "@tessera/engine";
import { openPostgres, type Database } from "@tessera/db";
import type { DevIssuer } from "@tessera/auth";
import { createApiServer } from "@tessera/server";
import type { FastifyInstance } from "fastify";
import { RealtimeClient, type RealtimeClientEvents, type RealtimeClientOptions, type ServerFrame } from "@tessera/realtime/client";
import type { Backplane, RealtimeConfig, RealtimeHub } from "@tessera/realtime";
import { openCrmDatabase, type CrmDatabase } from "../../../../test/support/crmDatabase.ts";

export const TENANT_A = "7a000000-0000-4000-8000-00000000007a";
export const TENANT_B = "7b000000-0000-4000-8000-00000000007b";

export type PersonName = "sales1" | "sales2" | "manager" | "viewer" | "outsider";

export interface Person {
  id: string;
  name: string;
  role: string;
  tenant: string;
  context: RequestContext;
}

/** A unique suffix, so channel names and backplane topics of parallel test files never meet. */
export function unique(prefix = "t"): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: { match: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(item)) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(item);
      }
    }
  }

  /** The first item (received so far or later) that matches; fails after a generous timeout. */
  waitFor(match: (item: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
    const found = this.items.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.match !== match);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.items).slice(0, 1500)}`));
      }, timeoutMs);
      this.waiters.push({
        match,
        resolve: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
      });
    });
  }
}

export function inboxOf<K extends keyof RealtimeClientEvents>(client: RealtimeClient, event: K): Inbox<RealtimeClientEvents[K]> {
  const inbox = new Inbox<RealtimeClientEvents[K]>();
  client.on(event, (value) => inbox.push(value));
  return inbox;
}

/** A raw socket for what the client library would never send. */
export interface RawSocket {
  socket: WebSocket;
  frames: Inbox<ServerFrame>;
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
}

export function rawSocket(url: string): Promise<RawSocket> {
  const socket = new WebSocket(url);
  const frames = new Inbox<ServerFrame>();
  socket.on("message", (data) => frames.push(JSON.parse(String(data)) as ServerFrame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ socket, frames, closed, send: (frame) => socket.send(typeof frame === "string" ? frame : JSON.stringify(frame)) }));
    socket.once("error", reject);
  });
}

export interface RealtimeNode {
  app: FastifyInstance;
  engine: Engine;
  hub: RealtimeHub;
  devIssuer: DevIssuer;
  wsUrl: string;
  httpUrl: string;
  stop(): Promise<void>;
}

export class RealtimeWorld {
  readonly people = {} as Record<PersonName, Person>;
  readonly tokens = {} as Record<PersonName, string>;
  /** Deals in tenant A: owned by sales1, by sales2. */
  readonly deals = { ofSales1: "", ofSales2: "" };
  contactA = "";
  private readonly nodes: RealtimeNode[] = [];
  private readonly clients: RealtimeClient[] = [];
  private readonly sockets: WebSocket[] = [];
  private readonly extraDatabases: Database[] = [];

  private constructor(
    readonly crm: CrmDatabase,
    readonly engine: Engine,
    readonly stateDir: string,
  ) {}

  static async open(): Promise<RealtimeWorld> {
    const crm = await openCrmDatabase([TENANT_A, TENANT_B]);
    const engine = new Engine({ schema: crm.schema, db: crm.db });
    const world = new RealtimeWorld(crm, engine, mkdtempSync(join(tmpdir(), "tessera-realtime-")));
    const sysA = systemContext(TENANT_A);
    const teamNorth = (await engine.model("Team").create({ name: "North" }, sysA)).id as string;
    const teamSouth = (await engine.model("Team").create({ name: "South" }, sysA)).id as string;
    const people: [PersonName, string, string, string, string | null][] = [
      ["sales1", "Ana Sales", "sales", TENANT_A, teamNorth],
      ["sales2", "Bo Sales", "sales", TENANT_A, teamSouth],
      ["manager", "Mia Manager", "manager", TENANT_A, null],
      ["viewer", "Vic Viewer", "viewer", TENANT_A, null],
      ["outsider", "Otto Outsider", "admin", TENANT_B, null],
    ];
    for (const [key, name, role, tenant, team] of people) {
      const user = await engine.model("User").create({ email: `${key}-${unique()}@realtime.test`, name }, systemContext(tenant));
      const id = user.id as string;
      await engine.model("Membership").create({ userId: id, role, ...(team ? { teamId: team } : {}) }, systemContext(tenant));
      world.people[key] = { id, name, role, tenant, context: { tenantId: tenant, principal: { sub: id, roles: [role], teams: team ? [team] : [], kind: "user" } } };
    }
    const contact = await engine.model("Contact").create({ firstName: "José" }, sysA);
    world.contactA = contact.id as string;
    world.deals.ofSales1 = (await engine.model("Deal").create({ title: "Ana's deal", contactId: contact.id, ownerId: world.people.sales1.id }, sysA)).id as string;
    world.deals.ofSales2 = (await engine.model("Deal").create({ title: "Bo's deal", contactId: contact.id, ownerId: world.people.sales2.id }, sysA)).id as string;
    return world;
  }

  /**
   * A server node on the world's database. The first node uses the world's engine; others get
   * their own engine (and, on a PostgreSQL server, their own connection pool), as separate
   * processes would.
   */
  async startNode(options: { nodeId?: string; realtime?: RealtimeConfig; ownEngine?: boolean; backplane?: (db: Database) => Backplane } = {}): Promise<RealtimeNode> {
    let engine = this.engine;
    if (options.ownEngine) {
      let db = this.crm.db;
      if (this.crm.url) {
        db = await openPostgres({ connectionString: this.crm.url, maxConnections: 4 });
        this.extraDatabases.push(db);
      }
      engine = new Engine({ schema: this.crm.schema, db });
    }
    const nodeId = options.nodeId ?? unique("node-");
    await engine.start({ nodeId });
    const server = await createApiServer({
      engine,
      ir: this.crm.schema,
      appName: "crm",
      dataDir: this.stateDir,
      logger: false,
      nodeEnv: "test",
      nodeId,
      rateLimit: { perIp: 100_000, perPrincipal: 100_000, durationSeconds: 60 },
      realtime: { ...options.realtime, ...(options.backplane ? { backplane: options.backplane(engine.db) } : {}) },
    });
    await server.app.listen({ host: "127.0.0.1", port: 0 });
    const address = server.app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    let stopped = false;
    const node: RealtimeNode = {
      app: server.app,
      engine,
      hub: server.realtime,
      devIssuer: server.devIssuer!,
      wsUrl: `ws://127.0.0.1:${port}/realtime/ws`,
      httpUrl: `http://127.0.0.1:${port}`,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await server.app.close();
        await engine.stop();
      },
    };
    this.nodes.push(node);
    if (Object.keys(this.tokens).length === 0) {
      for (const [key, person] of Object.entries(this.people) as [PersonName, Person][]) {
        this.tokens[key] = await node.devIssuer.issueDevToken({ sub: person.id, roles: [person.role], tenantId: person.tenant, teams: (person.context.principal!.teams ?? []) as string[] });
      }
    }
    return node;
  }

  /** A connected client of `who` on `node`. */
  async client(node: RealtimeNode, who: PersonName, options: Partial<RealtimeClientOptions> = {}): Promise<RealtimeClient> {
    const client = new RealtimeClient({ url: node.wsUrl, token: this.tokens[who], WebSocket, reconnect: false, ...options });
    this.clients.push(client);
    await client.connect();
    return client;
  }

  async raw(url: string): Promise<RawSocket> {
    const raw = await rawSocket(url);
    this.sockets.push(raw.socket);
    return raw;
  }

  async health(node: RealtimeNode): Promise<HealthBody> {
    return (await (await fetch(`${node.httpUrl}/realtime/health`)).json()) as HealthBody;
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.close();
    for (const socket of this.sockets) socket.terminate();
    for (const node of this.nodes) await node.stop();
    for (const db of this.extraDatabases) await db.close();
    await this.crm.drop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** A world with one node: what most test files start from. */
export async function openOneNode(realtime?: RealtimeConfig): Promise<{ world: RealtimeWorld; node: RealtimeNode }> {
  const world = await RealtimeWorld.open();
  return { world, node: await world.startNode(realtime ? { realtime } : {}) };
}

export interface HealthBody {
  status: string;
  nodeId: string;
  connections: number;
  channels: number;
  peers: string[];
  messages: { published: number; delivered: number; dropped: number };
  disconnects: { slow: number; heartbeat: number };
  liveViews: { events: number; frames: number; reads: number } | null;
}

/** Polls until `check` returns a value (not undefined); for state only visible through an endpoint. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
