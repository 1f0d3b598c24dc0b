// `npm run bench:realtime`: the realtime hub against a raw `ws` broadcast server, same machine, same
// run, same clients. Servers run in their own processes (bench/realtime/server.ts); the clients
// (raw `ws` sockets, so both servers pay the same client cost) run here, and latencies are measured
// here on one clock: from just before the publisher's send to each subscriber's receipt.
//
// Scenarios:
//   1. one node, fan-out of one message to N subscribers of one channel (default 5,000): delivery
//      latency p50/p95/p99 over M sequential messages; a burst of B messages (messages/s and
//      deliveries/s until every subscriber has every message); server memory per 1,000 connections
//      (RSS and heap after GC, connected and joined minus idle). Raw baseline first, then Tessera.
//   2. two Tessera nodes over Redis: N/2 subscribers on each, the publisher on the first; the same
//      latency (all subscribers, and the remote half alone) and burst.
//   3. presence join → visible to an observer, p95: on one node, and joiner and observer on
//      different nodes over Redis.
//   4. a committed deal update (GraphQL mutation over HTTP) → `change` frame on a board subscriber,
//      p95, while the N subscribers also watch the board.
//
// Knobs: BENCH_RT_SUBSCRIBERS (5000), BENCH_RT_MESSAGES (20), BENCH_RT_BURST (200),
// BENCH_RT_PRESENCE (100), BENCH_RT_CHANGES (50), REDIS_URL (redis://127.0.0.1:6379),
// DATABASE_URL (Tessera nodes share a scratch database on that server instead of a PGlite each).
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { DevIssuer } from "@tessera/auth";
import { Engine } from "@tessera/engine";
import { schema } from "@tessera/crm";
import { intEnv } from "../benchEnv.ts";
import { forkReady } from "../forkReady.ts";
import { createTestDatabase } from "../../test/support/testDatabase.ts";
import { DEAL_ID, prepareBenchDatabase, TENANT_ID, USER_ID } from "./benchData.ts";

const SUBSCRIBERS = intEnv("BENCH_RT_SUBSCRIBERS", 5_000);
const MESSAGES = intEnv("BENCH_RT_MESSAGES", 20);
const BURST = intEnv("BENCH_RT_BURST", 200);
const PRESENCE = intEnv("BENCH_RT_PRESENCE", 100);
const CHANGES = intEnv("BENCH_RT_CHANGES", 50);
const BOARD = "board:Deal";
const PORT_BASE = 4810;

const now = (): number => performance.now();

// ---------- servers ----------

interface Server {
  name: string;
  child: ChildProcess;
  port: number;
}

async function startServer(name: string, kind: "raw" | "tessera", port: number, env: NodeJS.ProcessEnv): Promise<Server> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NODE_ENV: "production", PORT: String(port), BENCH_RT_SERVER: kind };
  delete childEnv.NODE_OPTIONS;
  const { child } = await forkReady(join(import.meta.dirname, "server.ts"), name, { execArgv: ["--import", "tsx", "--expose-gc"], env: childEnv });
  return { name, child, port };
}

function serverMemory(server: Server): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    const onMessage = (message: { memory?: NodeJS.MemoryUsage }): void => {
      if (!message.memory) return;
      server.child.off("message", onMessage);
      resolve(message.memory);
    };
    server.child.on("message", onMessage);
    server.child.send({ cmd: "memory" });
  });
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.send({ cmd: "stop" });
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------- clients ----------

type Payload = { i: number; t: number };

/** One raw socket; `frames` of Tessera, or the relayed text of the raw server. */
class Client {
  readonly socket: WebSocket;
  private handlers = new Set<(frame: Record<string, unknown>) => void>();
  connectionId = "";

  constructor(url: string) {
    this.socket = new WebSocket(url, { perMessageDeflate: false });
    this.socket.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      for (const handler of this.handlers) handler(frame);
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once("open", () => resolve());
      this.socket.once("error", reject);
    });
  }

  on(handler: (frame: Record<string, unknown>) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  next(match: (frame: Record<string, unknown>) => boolean, what: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const off = this.on((frame) => {
        if (!match(frame)) return;
        clearTimeout(timer);
        off();
        resolve(frame);
      });
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }
}

/** A Tessera connection, authenticated by its URL and on `channel` (a listener unless `state`). */
async function tesseraClient(port: number, token: string, channel: string | null, state?: object): Promise<Client> {
  const client = new Client(`ws://127.0.0.1:${port}/realtime/ws?token=${encodeURIComponent(token)}`);
  const welcome = client.next((f) => f.type === "welcome", "welcome");
  await client.opened();
  client.connectionId = (await welcome).connectionId as string;
  if (channel) {
    const joined = client.next((f) => f.type === "joined" || f.type === "error", "joined");
    client.send({ op: "join", channel, ...(state ? { state } : {}), ref: "j" });
    const answer = await joined;
    if (answer.type === "error") throw new Error(`join refused: ${JSON.stringify(answer)}`);
  }
  return client;
}

async function rawClient(port: number): Promise<Client> {
  const client = new Client(`ws://127.0.0.1:${port}`);
  await client.opened();
  return client;
}

/** Connects `count` clients, `parallel` at a time. */
async function connectMany(count: number, make: () => Promise<Client>, parallel = 100): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i += parallel) clients.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, make))));
  return clients;
}

function closeAll(clients: readonly Client[]): void {
  for (const c of clients) c.socket.terminate();
}

/** Where a published payload shows up: Tessera wraps it in a `message` frame, the raw server relays it. */
type Unwrap = (frame: Record<string, unknown>) => Payload | null;
const fromTessera: Unwrap = (f) => (f.type === "message" && f.event === "bench" ? (f.payload as Payload) : null);
const fromRaw: Unwrap = (f) => (typeof f.i === "number" ? (f as unknown as Payload) : null);

/** Receipt bookkeeping over many subscribers: latencies per message, and waiting for all receipts. */
class Receipts {
  readonly latencies: number[] = [];
  private readonly counts = new Map<number, number>();
  private readonly waiters = new Map<number, () => void>();
  private readonly offs: (() => void)[] = [];

  constructor(subscribers: readonly Client[], unwrap: Unwrap, private readonly expected: number) {
    for (const s of subscribers) {
      this.offs.push(
        s.on((frame) => {
          const payload = unwrap(frame);
          if (!payload) return;
          this.latencies.push(now() - payload.t);
          const n = (this.counts.get(payload.i) ?? 0) + 1;
          this.counts.set(payload.i, n);
          if (n === this.expected) this.waiters.get(payload.i)?.();
        }),
      );
    }
  }

  all(i: number, timeoutMs = 120_000): Promise<void> {
    if ((this.counts.get(i) ?? 0) >= this.expected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`message ${i}: ${this.counts.get(i) ?? 0} of ${this.expected} receipts after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(i, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  received(i: number): number {
    return this.counts.get(i) ?? 0;
  }

  stop(): void {
    for (const off of this.offs) off();
  }
}

type Send = (payload: Payload) => void;

interface FanOut {
  p50: number;
  p95: number;
  p99: number;
  /** Latency of the last subscriber per message, p95. */
  lastP95: number;
  remote?: { p50: number; p95: number; p99: number };
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  /** Receipts missing after the burst (dropped by bounded queues). */
  missing: number;
}

async function fanOut(subscribers: readonly Client[], unwrap: Unwrap, send: Send, remote?: readonly Client[]): Promise<FanOut> {
  const receipts = new Receipts(subscribers, unwrap, subscribers.length);
  const remoteReceipts = remote ? new Receipts(remote, unwrap, remote.length) : undefined;
  const lasts: number[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const t = now();
    send({ i, t });
    await receipts.all(i);
    lasts.push(now() - t);
  }
  const latencies = [...receipts.latencies];
  const remoteLatencies = remoteReceipts ? [...remoteReceipts.latencies] : [];
  remoteReceipts?.stop();
  // The burst: every message as fast as the publisher can send; until every subscriber has the last.
  const first = 1_000_000;
  const started = now();
  for (let k = 0; k < BURST; k++) send({ i: first + k, t: now() });
  let missing = 0;
  try {
    await receipts.all(first + BURST - 1, 120_000);
  } catch {
    // Counted below: a bounded queue dropped frames for clients that fell behind.
  }
  const seconds = (now() - started) / 1000;
  for (let k = 0; k < BURST; k++) missing += subscribers.length - receipts.received(first + k);
  receipts.stop();
  return {
    ...percentiles(latencies),
    lastP95: percentiles(lasts).p95,
    ...(remoteReceipts ? { remote: percentiles(remoteLatencies) } : {}),
    messagesPerSecond: BURST / seconds,
    deliveriesPerSecond: (BURST * subscribers.length - missing) / seconds,
    missing,
  };
}

function percentiles(values: readonly number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** Presence join → the observer's `presence` frame naming the joiner's connection; then it leaves. */
async function presenceJoins(observer: Client, joiners: readonly Client[], channel: string): Promise<{ p50: number; p95: number; p99: number }> {
  const latencies: number[] = [];
  for (const [i, joiner] of joiners.entries()) {
    const seen = observer.next((f) => f.type === "presence" && [...(f.joins as PresenceMember[]), ...(f.updates as PresenceMember[])].some((m) => m.metas.some((x) => x.connectionId === joiner.connectionId)), "presence join");
    const t = now();
    joiner.send({ op: "join", channel, state: { i }, ref: "p" });
    await seen;
    latencies.push(now() - t);
    const gone = observer.next((f) => f.type === "presence" && [...(f.leaves as PresenceMember[]), ...(f.updates as PresenceMember[])].length > 0, "presence leave");
    joiner.send({ op: "leave", channel });
    await gone;
  }
  return percentiles(latencies);
}

interface PresenceMember {
  metas: { connectionId: string }[];
}

/** GraphQL mutation → `change` frame on a board subscriber; also from the mutation's answer. */
async function committedChanges(port: number, token: string, observer: Client): Promise<{ fromSend: ReturnType<typeof percentiles>; fromAnswer: ReturnType<typeof percentiles> }> {
  const fromSend: number[] = [];
  const fromAnswer: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const title = `bench ${i} ${randomBytes(3).toString("hex")}`;
    const seen = observer.next((f) => f.type === "change" && (f.record as { title?: string } | null)?.title === title, "change frame");
    const t0 = now();
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `mutation($id: ID!, $title: String!) { updateDeal(where: { id: $id }, data: { title: $title }) { id } }`, variables: { id: DEAL_ID, title } }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(`updateDeal failed: ${JSON.stringify(body.errors)}`);
    const t1 = now();
    await seen;
    const t2 = now();
    fromSend.push(t2 - t0);
    fromAnswer.push(t2 - t1);
  }
  return { fromSend: percentiles(fromSend), fromAnswer: percentiles(fromAnswer) };
}

// ---------- the run ----------

const ms = (v: number): string => `${v.toFixed(1)} ms`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

async function main(): Promise<void> {
  const tokenDir = await mkdtemp(join(os.tmpdir(), "tessera-bench-rt-"));
  const issuer = await DevIssuer.open(tokenDir);
  const token = await issuer.issueDevToken({ sub: USER_ID, roles: ["manager"], tenantId: TENANT_ID, expiresIn: "2h" });
  const env: NodeJS.ProcessEnv = { BENCH_TOKEN_DIR: tokenDir };
  // With DATABASE_URL the nodes share a scratch database on the server (made and dropped like a test's).
  const scratch = process.env.DATABASE_URL ? await createTestDatabase() : undefined;
  if (scratch) {
    await prepareBenchDatabase(scratch.db, new Engine({ schema: schema.ir, db: scratch.db }));
    env.BENCH_RT_DB_URL = scratch.url;
  }
  const database = scratch ? "PostgreSQL server (DATABASE_URL)" : "PGlite in memory, one per node";
  console.log(`realtime bench: ${SUBSCRIBERS} subscribers, ${MESSAGES} timed messages, bursts of ${BURST}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; Tessera on ${database}`);

  try {
    // 1. one node: the raw baseline, then Tessera.
    const one: Record<"raw" | "tessera", FanOut & { rssPer1000: number; heapPer1000: number }> = {} as never;
    let presenceOne: ReturnType<typeof percentiles> | undefined;
    let changes: Awaited<ReturnType<typeof committedChanges>> | undefined;
    for (const kind of ["raw", "tessera"] as const) {
      const server = await startServer(kind, kind, PORT_BASE + (kind === "raw" ? 0 : 1), env);
      try {
        const idle = await serverMemory(server);
        const subscribers = await connectMany(SUBSCRIBERS, () => (kind === "raw" ? rawClient(server.port) : tesseraClient(server.port, token, BOARD)));
        const loaded = await serverMemory(server);
        const publisher = kind === "raw" ? await rawClient(server.port) : await tesseraClient(server.port, token, BOARD);
        const send: Send = kind === "raw" ? (p) => publisher.send(p) : (p) => publisher.send({ op: "publish", channel: BOARD, event: "bench", payload: p });
        const result = await fanOut(subscribers, kind === "raw" ? fromRaw : fromTessera, send);
        const per1000 = SUBSCRIBERS / 1000;
        one[kind] = { ...result, rssPer1000: (loaded.rss - idle.rss) / per1000 / 1_048_576, heapPer1000: (loaded.heapUsed - idle.heapUsed) / per1000 / 1_048_576 };
        if (kind === "tessera") {
          const observer = await tesseraClient(server.port, token, `record:Deal:${DEAL_ID}`);
          const joiners = await connectMany(PRESENCE, () => tesseraClient(server.port, token, null), 20);
          presenceOne = await presenceJoins(observer, joiners, `record:Deal:${DEAL_ID}`);
          closeAll(joiners);
          const watcher = await tesseraClient(server.port, token, BOARD);
          changes = await committedChanges(server.port, token, watcher);
          closeAll([observer, watcher]);
        }
        closeAll([...subscribers, publisher]);
      } finally {
        await stopServer(server);
      }
    }

    // 2 and 3. two Tessera nodes over Redis.
    const channel = `bench_rt_${randomBytes(4).toString("hex")}`;
    const redisEnv = { ...env, BENCH_RT_REDIS_CHANNEL: channel };
    const a = await startServer("tessera A", "tessera", PORT_BASE + 2, { ...redisEnv, BENCH_RT_NODE: `bench-rt-a-${channel}` });
    const b = await startServer("tessera B", "tessera", PORT_BASE + 3, { ...redisEnv, BENCH_RT_NODE: `bench-rt-b-${channel}` });
    let two: FanOut;
    let presenceTwo: ReturnType<typeof percentiles>;
    try {
      const half = Math.floor(SUBSCRIBERS / 2);
      const onA = await connectMany(half, () => tesseraClient(a.port, token, BOARD));
      const onB = await connectMany(SUBSCRIBERS - half, () => tesseraClient(b.port, token, BOARD));
      const publisher = await tesseraClient(a.port, token, BOARD);
      two = await fanOut([...onA, ...onB], fromTessera, (p) => publisher.send({ op: "publish", channel: BOARD, event: "bench", payload: p }), onB);
      const observer = await tesseraClient(a.port, token, `record:Deal:${DEAL_ID}`);
      const joiners = await connectMany(PRESENCE, () => tesseraClient(b.port, token, null), 20);
      presenceTwo = await presenceJoins(observer, joiners, `record:Deal:${DEAL_ID}`);
      closeAll([...onA, ...onB, publisher, observer, ...joiners]);
    } finally {
      await stopServer(a);
      await stopServer(b);
    }

    // ---------- report ----------
    const r = one.raw;
    const t = one.tessera;
    console.log(`\n1. one node, one message to ${SUBSCRIBERS} subscribers (latency: send → each receipt; ${MESSAGES} messages)`);
    console.log(`   ${"".padEnd(26)}${"p50".padStart(10)}${"p95".padStart(10)}${"p99".padStart(10)}${"last p95".padStart(11)}${"msgs/s".padStart(9)}${"deliv./s".padStart(11)}${"RSS/1k".padStart(9)}${"heap/1k".padStart(9)}`);
    for (const [label, v] of [["raw ws broadcast", r], ["Tessera hub", t]] as const) {
      console.log(`   ${label.padEnd(26)}${ms(v.p50).padStart(10)}${ms(v.p95).padStart(10)}${ms(v.p99).padStart(10)}${ms(v.lastP95).padStart(11)}${v.messagesPerSecond.toFixed(0).padStart(9)}${v.deliveriesPerSecond.toFixed(0).padStart(11)}${`${v.rssPer1000.toFixed(1)}M`.padStart(9)}${`${v.heapPer1000.toFixed(1)}M`.padStart(9)}`);
    }
    console.log(`   Tessera ÷ raw             ${ratio(t.p50, r.p50).padStart(10)}${ratio(t.p95, r.p95).padStart(10)}${ratio(t.p99, r.p99).padStart(10)}${ratio(t.lastP95, r.lastP95).padStart(11)}${ratio(t.messagesPerSecond, r.messagesPerSecond).padStart(9)}${ratio(t.deliveriesPerSecond, r.deliveriesPerSecond).padStart(11)}${ratio(t.rssPer1000, r.rssPer1000).padStart(9)}${ratio(t.heapPer1000, r.heapPer1000).padStart(9)}`);
    console.log(`   frames missing after the burst: raw ${r.missing}, Tessera ${t.missing} (bounded queues)`);
    console.log(`\n2. two Tessera nodes over Redis, ${SUBSCRIBERS} subscribers split evenly, publisher on node A`);
    console.log(`   all subscribers: p50 ${ms(two.p50)}, p95 ${ms(two.p95)}, p99 ${ms(two.p99)}, last p95 ${ms(two.lastP95)}; node B only: p50 ${ms(two.remote!.p50)}, p95 ${ms(two.remote!.p95)}, p99 ${ms(two.remote!.p99)}`);
    console.log(`   burst: ${two.messagesPerSecond.toFixed(0)} msgs/s, ${two.deliveriesPerSecond.toFixed(0)} deliveries/s, ${two.missing} missing; p95 ÷ raw one node ${ratio(two.p95, r.p95)}, deliveries/s ÷ raw ${ratio(two.deliveriesPerSecond, r.deliveriesPerSecond)}`);
    console.log(`\n3. presence join → visible to an observer (${PRESENCE} joins)`);
    console.log(`   one node: p50 ${ms(presenceOne!.p50)}, p95 ${ms(presenceOne!.p95)}; across nodes over Redis: p50 ${ms(presenceTwo.p50)}, p95 ${ms(presenceTwo.p95)}`);
    console.log(`\n4. committed deal update (GraphQL mutation) → board change frame, ${SUBSCRIBERS + 1} board subscribers (${CHANGES} updates)`);
    console.log(`   from sending the mutation: p50 ${ms(changes!.fromSend.p50)}, p95 ${ms(changes!.fromSend.p95)}; from its answer: p50 ${ms(changes!.fromAnswer.p50)}, p95 ${ms(changes!.fromAnswer.p95)}`);
    console.log(`\ntargets (issue 5): fan-out p95 ≤ 50 ms at 5,000 subscribers on one node → ${ms(t.p95)}; committed change → board p95 ≤ 150 ms → ${ms(changes!.fromSend.p95)}`);
  } finally {
    await scratch?.drop();
    await rm(tokenDir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
