// What the nodes of a cluster tell each other over the backplane. Internal: never seen by clients.
// Every message names its sending node; any message from a node also counts as its heartbeat.
import type { PresenceState } from "../protocol/frames.ts";
import type { LockEntry, LockHolder } from "./LockTable.ts";
import type { PresenceEntry } from "./PresenceTable.ts";

/** A presence entry as sent (the node is the sender). */
export interface WirePresence {
  key: string;
  connectionId: string;
  sub: string;
  name: string | null;
  state: PresenceState;
  joinedAt: number;
}

/** A lock as sent: time left rather than an instant, so clock skew between nodes does not matter. */
export interface WireLock {
  key: string;
  field: string;
  holder: LockHolder;
  acquiredAt: number;
  ttlMs: number;
}

export type ClusterMessage =
  /** Alive; `digest` summarises the sender's presence so receivers can spot messages they missed. */
  | { t: "hb"; node: string; digest: string }
  /** Stopping: drop everything of mine now. */
  | { t: "bye"; node: string }
  /** A serialised `message` frame for a channel's local subscribers, minus `exclude` (a connection). */
  | { t: "msg"; node: string; key: string; frame: string; exclude: string | null }
  | { t: "pput"; node: string; entry: WirePresence }
  | { t: "pdel"; node: string; key: string; sub: string; connectionId: string }
  | { t: "lput"; node: string; lock: WireLock; renewed: boolean }
  | { t: "ldel"; node: string; key: string; field: string; connectionId: string; reason: "released" | "disconnected" }
  /** Part `part` of `parts` of everything the sender holds; complete, it replaces what others know of it. */
  | { t: "state"; node: string; epoch: string; part: number; parts: number; presence: WirePresence[]; locks: WireLock[] }
  /** Asks node `to` to send its state. */
  | { t: "resync"; node: string; to: string };

const TYPES = new Set(["hb", "bye", "msg", "pput", "pdel", "lput", "ldel", "state", "resync"]);

/** The message, or null for text that is not one (another program on the same topic). */
export function decodeClusterMessage(text: string): ClusterMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { t, node } = value as { t?: unknown; node?: unknown };
  if (typeof t !== "string" || !TYPES.has(t) || typeof node !== "string") return null;
  return value as ClusterMessage;
}

export function toWirePresence(entry: PresenceEntry): WirePresence {
  return { key: entry.key, connectionId: entry.connectionId, sub: entry.sub, name: entry.name, state: entry.state, joinedAt: entry.joinedAt };
}

export function fromWirePresence(node: string, wire: WirePresence): PresenceEntry {
  return { ...wire, nodeId: node };
}

export function toWireLock(entry: LockEntry, now: number): WireLock {
  return { key: entry.key, field: entry.field, holder: entry.holder, acquiredAt: entry.acquiredAt, ttlMs: Math.max(0, entry.expiresAt - now) };
}

export function fromWireLock(wire: WireLock, now: number): LockEntry {
  return { key: wire.key, field: wire.field, holder: wire.holder, acquiredAt: wire.acquiredAt, expiresAt: now + wire.ttlMs };
}

/** 32-bit FNV-1a. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * An order-independent summary of one node's presence entries. Two nodes that compute the same
 * digest for node N hold the same picture of N's presence (up to hash collisions). Locks are left
 * out: each node expires them on its own clock, so digests would differ for a moment near every
 * expiry; a lost lock message heals itself when the lock expires.
 */
export function presenceDigest(presence: readonly PresenceEntry[]): string {
  let sum = 0;
  for (const p of presence) sum = (sum + fnv1a(`${p.key}\u0000${p.connectionId}\u0000${JSON.stringify(p.state)}`)) >>> 0;
  return `${presence.length}.${sum.toString(36)}`;
}
