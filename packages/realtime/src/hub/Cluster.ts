// Replication between the nodes of a cluster over the backplane: presence and lock changes,
// channel messages, node heartbeats. Each node owns its own connections' presence and locks and
// tells the others; it keeps a copy of everyone else's. A node that goes silent for `timeoutMs`
// is dead: its members leave every channel and its locks are released. A node that is new to us
// (started, or back after a partition) gets our state and is asked for its own; a heartbeat whose
// digest does not match what we hold of its sender (we missed a message) makes us ask again.
import type { LockReason } from "../protocol/frames.ts";
import type { Backplane } from "../backplane/Backplane.ts";
import {
  decodeClusterMessage,
  fromWireLock,
  fromWirePresence,
  presenceDigest,
  toWireLock,
  toWirePresence,
  type ClusterMessage,
} from "./clusterMessages.ts";
import type { LockEntry, LockTable } from "./LockTable.ts";
import { OutboundFrame } from "./OutboundFrame.ts";
import { PeerNodes, type NodeState } from "./PeerNodes.ts";
import type { PresenceChange, PresenceEntry, PresenceTable } from "./PresenceTable.ts";

/** What the cluster needs of the hub. */
export interface ClusterHost {
  readonly nodeId: string;
  readonly presence: PresenceTable;
  readonly locks: LockTable;
  emitPresence(change: PresenceChange, exclude?: string): void;
  /** Tells a channel's local members that a lock changed (`entry` null: it is gone). */
  emitLock(key: string, field: string, entry: LockEntry | null, reason: LockReason): void;
  deliverLocal(key: string, frame: OutboundFrame, exclude: string | null): void;
  reportError(error: unknown, context: string): void;
}

export interface ClusterTiming {
  /** How often this node says it is alive. */
  heartbeatMs: number;
  /** Silence after which another node counts as dead. */
  timeoutMs: number;
}

export interface ClusterStats {
  sent: number;
  received: number;
  errors: number;
  /** Times another node's state was asked for again. */
  resyncs: number;
}

/** Presence entries and locks per state message (keeps messages far below NATS's 1 MB limit). */
const STATE_PART_ITEMS = 100;

export class Cluster {
  readonly stats: ClusterStats = { sent: 0, received: 0, errors: 0, resyncs: 0 };
  private readonly peers = new PeerNodes();
  private lastBeat = Number.NEGATIVE_INFINITY;
  private epochs = 0;
  private started = false;

  constructor(
    private readonly host: ClusterHost,
    readonly backplane: Backplane,
    private readonly timing: ClusterTiming,
  ) {}

  get self(): string {
    return this.host.nodeId;
  }

  /** The other nodes heard within the timeout. */
  get peersAlive(): string[] {
    return this.peers.alive;
  }

  async start(now: number): Promise<void> {
    await this.backplane.start(
      (text) => this.receive(text, Date.now()),
      (error) => this.fail(error, "backplane"),
    );
    this.started = true;
    // Everyone sends us their state at once instead of at their next heartbeat.
    this.send({ t: "resync", node: this.self, to: "*" });
    this.tick(now);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // Others drop our members now rather than after the timeout.
    await this.backplane.publish(JSON.stringify({ t: "bye", node: this.self } satisfies ClusterMessage)).catch((error: unknown) => this.fail(error, "bye"));
    await this.backplane.stop();
  }

  /** Heartbeat when due; drops nodes that went silent. */
  tick(now: number): void {
    if (this.started && now - this.lastBeat >= this.timing.heartbeatMs) {
      this.lastBeat = now;
      this.send({ t: "hb", node: this.self, digest: presenceDigest(this.ownPresence()) });
    }
    for (const node of this.peers.silent(now, this.timing.timeoutMs)) this.dropNode(node);
  }

  presencePut(entry: PresenceEntry): void {
    this.send({ t: "pput", node: this.self, entry: toWirePresence(entry) });
  }

  presenceDelete(entry: PresenceEntry): void {
    this.send({ t: "pdel", node: this.self, key: entry.key, sub: entry.sub, connectionId: entry.connectionId });
  }

  lockPut(entry: LockEntry, renewed: boolean, now: number): void {
    this.send({ t: "lput", node: this.self, lock: toWireLock(entry, now), renewed });
  }

  lockDelete(entry: LockEntry, reason: "released" | "disconnected"): void {
    this.send({ t: "ldel", node: this.self, key: entry.key, field: entry.field, connectionId: entry.holder.connectionId, reason });
  }

  message(key: string, frame: OutboundFrame, exclude: string | null): void {
    this.send({ t: "msg", node: this.self, key, frame: frame.text, exclude });
  }

  private send(message: ClusterMessage): void {
    this.stats.sent++;
    this.backplane.publish(JSON.stringify(message)).catch((error: unknown) => this.fail(error, `publishing '${message.t}'`));
  }

  private fail(error: unknown, context: string): void {
    this.stats.errors++;
    this.host.reportError(error, `realtime backplane (${this.backplane.kind}): ${context}`);
  }

  private ownPresence(): PresenceEntry[] {
    return this.host.presence.entries((e) => e.nodeId === this.self);
  }

  private receive(text: string, now: number): void {
    // Deliveries still in flight when the node stopped are not answered.
    if (!this.started) return;
    const message = decodeClusterMessage(text);
    if (!message || message.node === this.self) return;
    this.stats.received++;
    const node = message.node;
    if (message.t === "bye") {
      this.peers.forget(node);
      this.dropNode(node);
      return;
    }
    const isNew = this.peers.heard(node, now);
    if (isNew) {
      // New to us: it needs our state, we need its own (unless this message is that state).
      this.publishState(now);
      if (message.t !== "state") this.askResync(node, now, true);
    }
    switch (message.t) {
      case "hb":
        if (message.digest !== presenceDigest(this.host.presence.entries((e) => e.nodeId === node))) this.askResync(node, now, false);
        return;
      case "msg":
        this.host.deliverLocal(message.key, new OutboundFrame(message.frame), message.exclude);
        return;
      case "pput": {
        const change = this.host.presence.put(fromWirePresence(node, message.entry));
        if (change) this.host.emitPresence(change);
        return;
      }
      case "pdel": {
        const change = this.host.presence.remove(message.key, message.sub, message.connectionId);
        if (change) this.host.emitPresence(change);
        return;
      }
      case "lput": {
        const entry = fromWireLock(message.lock, now);
        const { accepted } = this.host.locks.applyRemote(entry, now);
        if (accepted) this.host.emitLock(entry.key, entry.field, entry, message.renewed ? "renewed" : "acquired");
        return;
      }
      case "ldel": {
        const released = this.host.locks.release(message.key, message.field, message.connectionId);
        if (released) this.host.emitLock(released.key, released.field, null, message.reason);
        return;
      }
      case "state": {
        const state = this.peers.statePart(node, message.epoch, message.part, message.parts, { presence: message.presence, locks: message.locks });
        if (state) this.replaceState(node, state, now);
        return;
      }
      case "resync":
        if (!isNew && (message.to === this.self || message.to === "*")) this.publishState(now);
        return;
    }
  }

  private askResync(node: string, now: number, force: boolean): void {
    // Not again while an answer may still be on its way.
    if (!this.peers.shouldAskResync(node, now, force ? 0 : 2 * this.timing.heartbeatMs)) return;
    this.stats.resyncs++;
    this.send({ t: "resync", node: this.self, to: node });
  }

  private publishState(now: number): void {
    const presence = this.ownPresence().map(toWirePresence);
    const locks = this.host.locks.entries((l) => l.holder.nodeId === this.self && l.expiresAt > now).map((l) => toWireLock(l, now));
    const parts = Math.max(1, Math.ceil((presence.length + locks.length) / STATE_PART_ITEMS));
    const epoch = `${now.toString(36)}.${this.epochs++}`;
    for (let part = 0; part < parts; part++) {
      const from = part * STATE_PART_ITEMS;
      const to = from + STATE_PART_ITEMS;
      this.send({
        t: "state",
        node: this.self,
        epoch,
        part,
        parts,
        presence: presence.slice(from, to),
        locks: locks.slice(Math.max(0, from - presence.length), Math.max(0, to - presence.length)),
      });
    }
  }

  /** A complete state of `node` replaces what this node held of it; the differences go to clients. */
  private replaceState(node: string, state: NodeState, now: number): void {
    const id = (key: string, connectionId: string): string => `${key}\u0000${connectionId}`;
    const present = new Set(state.presence.map((p) => id(p.key, p.connectionId)));
    for (const change of this.host.presence.removeWhere((e) => e.nodeId === node && !present.has(id(e.key, e.connectionId)))) this.host.emitPresence(change);
    for (const wire of state.presence) {
      const change = this.host.presence.put(fromWirePresence(node, wire));
      if (change) this.host.emitPresence(change);
    }
    const held = new Set(state.locks.map((l) => id(`${l.key}\u0000${l.field}`, l.holder.connectionId)));
    for (const gone of this.host.locks.releaseWhere((l) => l.holder.nodeId === node && !held.has(id(`${l.key}\u0000${l.field}`, l.holder.connectionId)))) {
      this.host.emitLock(gone.key, gone.field, null, "released");
    }
    for (const wire of state.locks) {
      const before = this.host.locks.get(wire.key, wire.field);
      const entry = fromWireLock(wire, now);
      const { accepted } = this.host.locks.applyRemote(entry, now);
      if (accepted && before?.holder.connectionId !== wire.holder.connectionId) this.host.emitLock(entry.key, entry.field, entry, "acquired");
    }
  }

  private dropNode(node: string): void {
    for (const change of this.host.presence.removeWhere((e) => e.nodeId === node)) this.host.emitPresence(change);
    for (const lock of this.host.locks.releaseWhere((l) => l.holder.nodeId === node)) this.host.emitLock(lock.key, lock.field, null, "disconnected");
  }
}
