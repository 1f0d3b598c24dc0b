// The realtime hub of one node, independent of the transport: connections, channels, publish,
// presence, soft locks, heartbeats and bounded outbound queues; replicated to the other nodes
// through the Cluster. Channel keys are `<tenant>|<channel>`, so the same channel name in two
// tenants never meets. The hub knows the three channel kinds only to ask its ChannelAuthorizer;
// it knows nothing of records or models.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Backplane } from "../backplane/Backplane.ts";
import { MemoryBackplane } from "../backplane/MemoryBackplane.ts";
import { parseChannel, type ChannelRef } from "../protocol/channelName.ts";
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type ClientFrame,
  type JoinFrame,
  type JsonValue,
  type LeaveFrame,
  type LockFrame,
  type LockInfo,
  type LockReason,
  type PresenceFrame,
  type PresenceState,
  type PublishFrame,
  type UnlockFrame,
} from "../protocol/frames.ts";
import { parseClientFrame, stateSize } from "../protocol/parseClientFrame.ts";
import { RealtimeError } from "../protocol/RealtimeError.ts";
import { ChannelMembers } from "./ChannelMembers.ts";
import { Cluster, type ClusterStats } from "./Cluster.ts";
import { HubConnection, type ConnectionIdentity, type ConnectionTransport, type InboundRate } from "./HubConnection.ts";
import { LockTable, type LockEntry, type LockHolder } from "./LockTable.ts";
import { OutboundFrame } from "./OutboundFrame.ts";
import { PresenceTable, type PresenceChange, type PresenceEntry } from "./PresenceTable.ts";

/** Decides who may join a channel; the engine-backed one is EngineChannelAuthorizer. */
export interface ChannelAuthorizer {
  /** Resolves when `identity` may join; throws a RealtimeError (FORBIDDEN, BAD_CHANNEL) otherwise. */
  authorizeJoin(identity: ConnectionIdentity, channel: ChannelRef): Promise<void>;
}

export interface HubOptions {
  authorizer: ChannelAuthorizer;
  /** Default: a MemoryBackplane (a single node). */
  backplane?: Backplane;
  /** Unique in the cluster. Default: host name, process id and a random suffix. */
  nodeId?: string;
  /** How often clients must send a frame (told in `welcome`). Default 10 s. */
  heartbeatMs?: number;
  /** Silence after which a client is disconnected (4408). Default 30 s. */
  clientTimeoutMs?: number;
  /** How often this node tells the cluster it is alive. Default 2 s. */
  nodeHeartbeatMs?: number;
  /** Silence after which another node's members leave. Default 6 s. */
  nodeTimeoutMs?: number;
  /** How often timeouts and lock expiries are checked. Default 500 ms. */
  sweepIntervalMs?: number;
  /** Frames that may wait per client. Default 1,000. */
  queueLimit?: number;
  /** Frames handed to a client's transport and not yet written. Default 64. */
  maxInFlight?: number;
  /** Frames a client may drop without catching up before it is disconnected (4429). Default 1,000. */
  dropLimit?: number;
  /** Lock time-to-live when `lock` gives none. Default 30 s. */
  lockTtlMs?: number;
  /** Smallest and largest `ttlMs` a `lock` may ask for. Default 1 s and 5 min. */
  minLockTtlMs?: number;
  maxLockTtlMs?: number;
  /** Largest presence state (JSON characters). Default 2,048. */
  maxStateBytes?: number;
  /** Channels one connection may join. Default 100. */
  maxChannelsPerConnection?: number;
  /** Frames a client may send. Default 50/s, bursts of 100. */
  inboundRate?: InboundRate;
  /** Failures that reach no client (backplane, authoriser bugs). */
  onError?: (error: unknown, context: string) => void;
}

export interface HubStats {
  nodeId: string;
  backplane: Backplane["kind"];
  /** Open connections on this node. */
  connections: number;
  /** Channels with members on this node. */
  channels: number;
  /** Presence entries and live locks, cluster-wide, as this node knows them. */
  presence: number;
  locks: number;
  /** Other nodes heard within the timeout. */
  peers: string[];
  messages: {
    /** Publishes accepted on this node (clients and server broadcasts). */
    published: number;
    /** Frames of any type written to clients of this node. */
    delivered: number;
    /** Frames dropped by full client queues. */
    dropped: number;
  };
  disconnects: { slow: number; heartbeat: number };
  /** Channel memberships removed because a committed change made the record unreadable for them. */
  revoked: number;
  /** Frames refused because a client sent too fast. */
  rateLimited: number;
  cluster: ClusterStats;
}

type Settings = Required<Omit<HubOptions, "authorizer" | "backplane" | "nodeId" | "onError">>;

const DEFAULTS: Settings = {
  heartbeatMs: 10_000,
  clientTimeoutMs: 30_000,
  nodeHeartbeatMs: 2_000,
  nodeTimeoutMs: 6_000,
  sweepIntervalMs: 500,
  queueLimit: 1_000,
  maxInFlight: 64,
  dropLimit: 1_000,
  lockTtlMs: 30_000,
  minLockTtlMs: 1_000,
  maxLockTtlMs: 300_000,
  maxStateBytes: 2_048,
  maxChannelsPerConnection: 100,
  inboundRate: { perSecond: 50, burst: 100 },
};

function settingsOf(options: HubOptions): Settings {
  const settings: Settings = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof Settings)[]) {
    const value = options[key];
    if (value !== undefined) (settings as { [k: string]: unknown })[key] = value;
  }
  const numbers = Object.entries(settings).filter(([k]) => k !== "inboundRate") as [string, number][];
  for (const [name, value] of [...numbers, ["inboundRate.perSecond", settings.inboundRate.perSecond], ["inboundRate.burst", settings.inboundRate.burst]] as [string, number][]) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`realtime hub: ${name} must be a positive number, got ${value}`);
  }
  if (settings.clientTimeoutMs <= settings.heartbeatMs) throw new RangeError("realtime hub: clientTimeoutMs must be longer than heartbeatMs");
  if (settings.nodeTimeoutMs <= settings.nodeHeartbeatMs) throw new RangeError("realtime hub: nodeTimeoutMs must be longer than nodeHeartbeatMs");
  if (settings.minLockTtlMs > settings.lockTtlMs || settings.lockTtlMs > settings.maxLockTtlMs) {
    throw new RangeError("realtime hub: lock TTLs must satisfy minLockTtlMs ≤ lockTtlMs ≤ maxLockTtlMs");
  }
  return settings;
}

export function defaultNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** Channel name of a tenant-scoped key (names never contain `|`; tenant ids may). */
export function channelOfKey(key: string): string {
  return key.slice(key.lastIndexOf("|") + 1);
}

export class RealtimeHub {
  readonly nodeId: string;
  readonly presence = new PresenceTable();
  readonly locks = new LockTable();
  readonly settings: Settings;
  private readonly cluster: Cluster;
  private readonly members = new ChannelMembers<HubConnection>();
  private readonly connections = new Set<HubConnection>();
  private readonly authorizer: ChannelAuthorizer;
  private readonly onError: (error: unknown, context: string) => void;
  private readonly counters = { published: 0, delivered: 0, dropped: 0, slow: 0, heartbeat: 0, rateLimited: 0, revoked: 0 };
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(options: HubOptions) {
    this.settings = settingsOf(options);
    this.nodeId = options.nodeId ?? defaultNodeId();
    if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(this.nodeId)) throw new RangeError(`realtime hub: nodeId '${this.nodeId}' must be 1–100 letters, digits, '_', '.', ':' or '-'`);
    this.authorizer = options.authorizer;
    this.onError = options.onError ?? ((error, context) => process.emitWarning(`${context}: ${error instanceof Error ? error.message : String(error)}`));
    this.cluster = new Cluster(
      {
        nodeId: this.nodeId,
        presence: this.presence,
        locks: this.locks,
        emitPresence: (change, exclude) => this.emitPresence(change, exclude),
        emitLock: (key, field, entry, reason) => this.emitLock(key, field, entry, reason),
        deliverLocal: (key, frame, exclude) => this.deliverLocal(key, frame, exclude),
        reportError: (error, context) => this.onError(error, context),
      },
      options.backplane ?? new MemoryBackplane(),
      { heartbeatMs: this.settings.nodeHeartbeatMs, timeoutMs: this.settings.nodeTimeoutMs },
    );
  }

  /** Connects the backplane and starts the timers. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.cluster.start(Date.now());
    this.timer = setInterval(() => this.sweep(Date.now()), this.settings.sweepIntervalMs);
    this.timer.unref();
  }

  /** Closes every connection (1001) and leaves the cluster, whose nodes drop our members at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const connection of [...this.connections]) this.close(connection, CLOSE_CODES.goingAway, "server shutting down");
    await this.cluster.stop();
  }

  /** An authenticated connection; the hub greets it with `welcome`. */
  connect(identity: ConnectionIdentity, transport: ConnectionTransport): HubConnection {
    if (this.stopping) throw new RealtimeError("INTERNAL", "the realtime hub is shutting down");
    const { queueLimit, maxInFlight, dropLimit, inboundRate } = this.settings;
    const connection: HubConnection = new HubConnection(
      `${this.nodeId}.${(++this.sequence).toString(36)}`,
      identity,
      transport,
      { limit: queueLimit, maxInFlight, dropLimit },
      {
        delivered: () => this.counters.delivered++,
        dropped: () => this.counters.dropped++,
        tooSlow: () => {
          this.counters.slow++;
          this.close(connection, CLOSE_CODES.tooSlow, "too slow: the outbound queue kept overflowing");
        },
      },
      inboundRate,
      Date.now(),
    );
    this.connections.add(connection);
    connection.sendFrame({
      type: "welcome",
      protocol: PROTOCOL_VERSION,
      connectionId: connection.id,
      nodeId: this.nodeId,
      tenantId: identity.tenantId,
      principal: { sub: identity.sub, name: identity.name },
      heartbeatMs: this.settings.heartbeatMs,
      timeoutMs: this.settings.clientTimeoutMs,
    });
    return connection;
  }

  /** One text frame from a client. Frames of a connection are handled in arrival order. */
  receive(connection: HubConnection, text: string): void {
    if (connection.closed) return;
    const now = Date.now();
    connection.lastSeen = now;
    const parsed = parseClientFrame(text);
    if (!connection.admit(now)) {
      this.counters.rateLimited++;
      const ref = "frame" in parsed ? parsed.frame.ref : parsed.ref;
      this.sendError(connection, new RealtimeError("RATE_LIMITED", `more than ${this.settings.inboundRate.perSecond} frames per second; this one was refused`), ref);
      return;
    }
    if ("error" in parsed) {
      this.sendError(connection, parsed.error, parsed.ref);
      return;
    }
    const frame = parsed.frame;
    connection.chain = connection.chain.then(() => this.handle(connection, frame));
  }

  /** The transport closed (or the hub closed it): the connection leaves everything. */
  disconnect(connection: HubConnection): void {
    if (connection.closed) return;
    connection.closed = true;
    connection.queue.close();
    this.connections.delete(connection);
    for (const key of [...connection.joined]) this.leaveKey(connection, key, "disconnected");
  }

  /** A server-side broadcast (no sender), e.g. a job's progress or a notification. */
  broadcast(tenantId: string, channel: string, event: string, payload: JsonValue): void {
    const name = parseChannel(channel).name;
    const key = this.keyOf(tenantId, name);
    const frame = OutboundFrame.of({ type: "message", channel: name, event, payload, from: null });
    this.counters.published++;
    this.deliverLocal(key, frame, null);
    this.cluster.message(key, frame, null);
  }

  /**
   * Removes a connection from a channel it may no longer be on (live views found the channel's record
   * unreadable for it after a committed change): it leaves as on `leave` (presence diff to the others,
   * its locks released) and is told with `left` / `access_revoked`. Joining again is authorised afresh.
   */
  revoke(connection: HubConnection, tenantId: string, channel: string): void {
    const key = this.keyOf(tenantId, channel);
    if (!connection.joined.has(key) || connection.closed) return;
    this.leaveKey(connection, key, "released");
    this.counters.revoked++;
    connection.sendFrame({ type: "left", channel, reason: "access_revoked" });
  }

  keyOf(tenantId: string, channel: string): string {
    return `${tenantId}|${channel}`;
  }

  /** Local connections on a tenant's channel. */
  localMembers(tenantId: string, channel: string): ReadonlySet<HubConnection> | undefined {
    return this.members.members(this.keyOf(tenantId, channel));
  }

  /** Tenant-scoped keys with local members on a channel name (any tenant). */
  localKeysOf(channel: string): ReadonlySet<string> | undefined {
    return this.members.keysOf(channel);
  }

  membersOfKey(key: string): ReadonlySet<HubConnection> | undefined {
    return this.members.members(key);
  }

  stats(): HubStats {
    return {
      nodeId: this.nodeId,
      backplane: this.cluster.backplane.kind,
      connections: this.connections.size,
      channels: this.members.channels,
      presence: this.presence.size,
      locks: this.locks.size,
      peers: this.cluster.peersAlive,
      messages: { published: this.counters.published, delivered: this.counters.delivered, dropped: this.counters.dropped },
      disconnects: { slow: this.counters.slow, heartbeat: this.counters.heartbeat },
      rateLimited: this.counters.rateLimited,
      revoked: this.counters.revoked,
      cluster: { ...this.cluster.stats },
    };
  }

  // ── operations ──────────────────────────────────────────────────────────────────────────────

  private async handle(connection: HubConnection, frame: ClientFrame): Promise<void> {
    if (connection.closed) return;
    try {
      switch (frame.op) {
        case "auth":
          throw new RealtimeError("BAD_FRAME", "this connection is already authenticated");
        case "ping":
          connection.sendFrame(frame.ref === undefined ? { type: "pong" } : { type: "pong", ref: frame.ref });
          return;
        case "join":
          return await this.join(connection, frame);
        case "leave":
          return this.leave(connection, frame);
        case "publish":
          return this.publish(connection, frame);
        case "presence":
          return this.setPresence(connection, frame);
        case "lock":
          return this.lock(connection, frame);
        case "unlock":
          return this.unlock(connection, frame);
      }
    } catch (error) {
      if (error instanceof RealtimeError) {
        this.sendError(connection, error, frame.ref);
      } else {
        this.onError(error, `realtime '${frame.op}'`);
        this.sendError(connection, new RealtimeError("INTERNAL", `'${frame.op}' failed on the server`), frame.ref);
      }
    }
  }

  private async join(connection: HubConnection, frame: JoinFrame): Promise<void> {
    const channel = parseChannel(frame.channel);
    const key = this.keyOf(connection.identity.tenantId, channel.name);
    if (frame.state !== undefined) this.checkState(frame.state);
    if (!connection.joined.has(key)) {
      if (connection.joined.size >= this.settings.maxChannelsPerConnection) {
        throw new RealtimeError("RATE_LIMITED", `a connection may join at most ${this.settings.maxChannelsPerConnection} channels; leave one first`, { channel: channel.name });
      }
      await this.authorizer.authorizeJoin(connection.identity, channel);
      if (connection.closed) return;
      connection.joined.add(key);
      this.members.add(key, channel.name, connection);
    }
    const now = Date.now();
    // Without a state the connection only listens: a board with thousands of watchers would
    // otherwise send every watcher a diff for every other watcher's arrival.
    if (frame.state !== undefined) this.putPresence(connection, key, frame.state, now);
    connection.sendFrame({
      type: "joined",
      ...(frame.ref !== undefined ? { ref: frame.ref } : {}),
      channel: channel.name,
      presence: this.presence.snapshot(key),
      locks: this.locks.list(key, now).map((l) => lockInfo(l, now)),
    });
  }

  private leave(connection: HubConnection, frame: LeaveFrame): void {
    const channel = parseChannel(frame.channel);
    const key = this.keyOf(connection.identity.tenantId, channel.name);
    // Leaving a channel one is not on is already done: reconnecting clients may repeat it.
    if (connection.joined.has(key)) this.leaveKey(connection, key, "released");
    connection.sendFrame({ type: "left", ...(frame.ref !== undefined ? { ref: frame.ref } : {}), channel: channel.name });
  }

  private publish(connection: HubConnection, frame: PublishFrame): void {
    const channel = parseChannel(frame.channel);
    const key = this.keyOf(connection.identity.tenantId, channel.name);
    // A user channel is a mailbox: anyone in the tenant may post to it (toasts, mentions); only its
    // user may join it and read. Other channels are for their members.
    if (channel.kind !== "user") this.requireJoined(connection, key, channel.name);
    const out = OutboundFrame.of({ type: "message", channel: channel.name, event: frame.event, payload: frame.payload ?? null, from: connection.peer });
    const exclude = frame.echo ? null : connection.id;
    this.counters.published++;
    this.deliverLocal(key, out, exclude);
    this.cluster.message(key, out, exclude);
    this.ok(connection, frame.ref);
  }

  private setPresence(connection: HubConnection, frame: PresenceFrame): void {
    const channel = parseChannel(frame.channel);
    const key = this.keyOf(connection.identity.tenantId, channel.name);
    this.requireJoined(connection, key, channel.name);
    this.checkState(frame.state);
    this.putPresence(connection, key, frame.state, Date.now());
    this.ok(connection, frame.ref);
  }

  private lock(connection: HubConnection, frame: LockFrame): void {
    const channel = parseChannel(frame.channel);
    const key = this.keyOf(connection.identity.tenantId, channel.name);
    this.requireJoined(connection, key, channel.name);
    const { lockTtlMs, minLockTtlMs, maxLockTtlMs } = this.settings;
    const ttl = frame.ttlMs ?? lockTtlMs;
    if (ttl < minLockTtlMs || ttl > maxLockTtlMs) throw new RealtimeError("BAD_FRAME", `lock: 'ttlMs' must be between ${minLockTtlMs} and ${maxLockTtlMs}`);
    const now = Date.now();
    const holder: LockHolder = { sub: connection.identity.sub, name: connection.identity.name, connectionId: connection.id, nodeId: this.nodeId };
    const result = this.locks.acquire(key, frame.field, holder, ttl, now);
    if ("conflict" in result) throw conflictError(channel.name, result.conflict, now);
    const { granted, renewed } = result;
    connection.sendFrame({
      type: "locked",
      ...(frame.ref !== undefined ? { ref: frame.ref } : {}),
      channel: channel.name,
      field: frame.field,
      expiresAt: granted.expiresAt,
      ttlMs: granted.expiresAt - now,
    });
    this.emitLock(key, frame.field, granted, renewed ? "renewed" : "acquired", connection.id);
    this.cluster.lockPut(granted, renewed, now);
  }

  private unlock(connection: HubConnection, frame: UnlockFrame): void {
    const channel = parseChannel(frame.channel);
    const key = this.keyOf(connection.identity.tenantId, channel.name);
    this.requireJoined(connection, key, channel.name);
    const now = Date.now();
    const existing = this.locks.get(key, frame.field);
    if (existing && existing.expiresAt > now && existing.holder.connectionId !== connection.id) throw conflictError(channel.name, existing, now);
    const released = this.locks.release(key, frame.field, connection.id);
    if (released) {
      this.emitLock(key, frame.field, null, "released");
      this.cluster.lockDelete(released, "released");
    }
    this.ok(connection, frame.ref);
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────

  private putPresence(connection: HubConnection, key: string, state: PresenceState, now: number): void {
    const entry: PresenceEntry = { key, connectionId: connection.id, nodeId: this.nodeId, sub: connection.identity.sub, name: connection.identity.name, state, joinedAt: now };
    const change = this.presence.put(entry);
    if (!change) return;
    this.emitPresence(change, connection.id);
    if (!this.stopping) this.cluster.presencePut(this.presence.get(key, entry.sub, entry.connectionId) ?? entry);
  }

  private leaveKey(connection: HubConnection, key: string, lockReason: "released" | "disconnected"): void {
    const name = channelOfKey(key);
    connection.joined.delete(key);
    this.members.remove(key, name, connection);
    const entry = this.presence.get(key, connection.identity.sub, connection.id);
    const change = this.presence.remove(key, connection.identity.sub, connection.id);
    const locks = this.locks.releaseWhere((l) => l.key === key && l.holder.connectionId === connection.id);
    // When stopping, every local connection is closing and one `bye` tells the cluster: no diffs,
    // which would cost a frame per remaining member for every member that goes.
    if (this.stopping) return;
    if (change) this.emitPresence(change);
    if (entry) this.cluster.presenceDelete(entry);
    for (const lock of locks) {
      this.emitLock(key, lock.field, null, lockReason);
      this.cluster.lockDelete(lock, lockReason);
    }
  }

  private requireJoined(connection: HubConnection, key: string, channel: string): void {
    if (!connection.joined.has(key)) throw new RealtimeError("NOT_JOINED", `join '${channel}' first`, { channel });
  }

  private checkState(state: PresenceState): void {
    if (stateSize(state) > this.settings.maxStateBytes) throw new RealtimeError("BAD_FRAME", `a presence state may have at most ${this.settings.maxStateBytes} characters of JSON`);
  }

  private ok(connection: HubConnection, ref: string | undefined): void {
    if (ref !== undefined) connection.sendFrame({ type: "ok", ref });
  }

  private sendError(connection: HubConnection, error: RealtimeError, ref: string | undefined): void {
    connection.sendFrame({
      type: "error",
      ...(ref !== undefined ? { ref } : {}),
      code: error.code,
      message: error.message,
      ...(error.details.channel !== undefined ? { channel: error.details.channel } : {}),
      ...(error.details.holder ? { holder: error.details.holder } : {}),
      ...(error.details.expiresAt !== undefined ? { expiresAt: error.details.expiresAt } : {}),
    });
  }

  private emitPresence(change: PresenceChange, exclude?: string): void {
    if (!this.members.members(change.key)) return;
    const frame = OutboundFrame.of({ type: "presence", channel: channelOfKey(change.key), joins: change.joins, leaves: change.leaves, updates: change.updates });
    this.deliverLocal(change.key, frame, exclude ?? null);
  }

  private emitLock(key: string, field: string, entry: LockEntry | null, reason: LockReason, exclude?: string): void {
    if (!this.members.members(key)) return;
    const now = Date.now();
    const frame = OutboundFrame.of({
      type: "lock",
      channel: channelOfKey(key),
      field,
      holder: entry ? peerOf(entry.holder) : null,
      expiresAt: entry ? entry.expiresAt : null,
      ttlMs: entry ? Math.max(0, entry.expiresAt - now) : null,
      reason,
    });
    this.deliverLocal(key, frame, exclude ?? null);
  }

  private deliverLocal(key: string, frame: OutboundFrame, exclude: string | null): void {
    const members = this.members.members(key);
    if (!members) return;
    for (const member of members) if (member.id !== exclude) member.send(frame);
  }

  private close(connection: HubConnection, code: number, reason: string): void {
    connection.closeTransport(code, reason);
    this.disconnect(connection);
  }

  private sweep(now: number): void {
    for (const connection of [...this.connections]) {
      if (now - connection.lastSeen > this.settings.clientTimeoutMs) {
        this.counters.heartbeat++;
        this.close(connection, CLOSE_CODES.heartbeatTimeout, `no frame for ${this.settings.clientTimeoutMs} ms`);
      }
    }
    // Every node expires the locks it knows of on its own clock; no message needed.
    for (const lock of this.locks.expire(now)) this.emitLock(lock.key, lock.field, null, "expired");
    this.cluster.tick(now);
  }
}

function peerOf(holder: LockHolder): { sub: string; name: string | null; connectionId: string } {
  return { sub: holder.sub, name: holder.name, connectionId: holder.connectionId };
}

function lockInfo(entry: LockEntry, now: number): LockInfo {
  return { field: entry.field, holder: peerOf(entry.holder), expiresAt: entry.expiresAt, ttlMs: Math.max(0, entry.expiresAt - now) };
}

function conflictError(channel: string, lock: LockEntry, now: number): RealtimeError {
  const who = lock.holder.name ?? lock.holder.sub;
  return new RealtimeError("CONFLICT", `'${lock.field}' on ${channel} is locked by ${who} for ${Math.ceil((lock.expiresAt - now) / 1000)} s more`, {
    channel,
    holder: peerOf(lock.holder),
    expiresAt: lock.expiresAt,
  });
}
