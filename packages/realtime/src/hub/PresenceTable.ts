// Who is on each channel (of every node: presence is replicated), one entry per connection,
// presented per principal: a user with two tabs on a deal is one member with two metas. Every
// mutation returns the diff it caused (joins, leaves, updates), which the hub sends to the channel.
import type { PresenceMember, PresenceState } from "../protocol/frames.ts";

export interface PresenceEntry {
  /** Tenant-scoped channel key. */
  key: string;
  connectionId: string;
  nodeId: string;
  sub: string;
  name: string | null;
  state: PresenceState;
  joinedAt: number;
}

export interface PresenceChange {
  key: string;
  joins: PresenceMember[];
  leaves: PresenceMember[];
  updates: PresenceMember[];
}

type Members = Map<string, Map<string, PresenceEntry>>;

function memberOf(metas: Map<string, PresenceEntry>): PresenceMember {
  const entries = [...metas.values()].sort((a, b) => a.joinedAt - b.joinedAt || a.connectionId.localeCompare(b.connectionId));
  return {
    sub: entries[0].sub,
    name: entries.find((e) => e.name !== null)?.name ?? null,
    metas: entries.map((e) => ({ connectionId: e.connectionId, state: e.state, joinedAt: e.joinedAt })),
  };
}

function sameState(a: PresenceState, b: PresenceState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class PresenceTable {
  private readonly channels = new Map<string, Members>();
  private count = 0;

  /** Entries over all channels. */
  get size(): number {
    return this.count;
  }

  /** Adds a connection to a channel or replaces its state; null when nothing changed. */
  put(entry: PresenceEntry): PresenceChange | null {
    let members = this.channels.get(entry.key);
    if (!members) {
      members = new Map();
      this.channels.set(entry.key, members);
    }
    let metas = members.get(entry.sub);
    if (!metas) {
      metas = new Map([[entry.connectionId, entry]]);
      members.set(entry.sub, metas);
      this.count++;
      return { key: entry.key, joins: [memberOf(metas)], leaves: [], updates: [] };
    }
    const previous = metas.get(entry.connectionId);
    if (previous && previous.nodeId === entry.nodeId && sameState(previous.state, entry.state)) return null;
    if (!previous) this.count++;
    metas.set(entry.connectionId, previous ? { ...entry, joinedAt: previous.joinedAt } : entry);
    return { key: entry.key, joins: [], leaves: [], updates: [memberOf(metas)] };
  }

  get(key: string, sub: string, connectionId: string): PresenceEntry | undefined {
    return this.channels.get(key)?.get(sub)?.get(connectionId);
  }

  remove(key: string, sub: string, connectionId: string): PresenceChange | null {
    const members = this.channels.get(key);
    const metas = members?.get(sub);
    if (!members || !metas?.has(connectionId)) return null;
    const before = memberOf(metas);
    metas.delete(connectionId);
    this.count--;
    if (metas.size > 0) return { key, joins: [], leaves: [], updates: [memberOf(metas)] };
    members.delete(sub);
    if (members.size === 0) this.channels.delete(key);
    return { key, joins: [], leaves: [before], updates: [] };
  }

  /** Removes every entry `matches` selects (a node that left or timed out); one change per channel. */
  removeWhere(matches: (entry: PresenceEntry) => boolean): PresenceChange[] {
    const changes: PresenceChange[] = [];
    for (const [key, members] of this.channels) {
      const change: PresenceChange = { key, joins: [], leaves: [], updates: [] };
      for (const [sub, metas] of members) {
        const before = memberOf(metas);
        let removed = false;
        for (const [connectionId, entry] of metas) {
          if (!matches(entry)) continue;
          metas.delete(connectionId);
          this.count--;
          removed = true;
        }
        if (!removed) continue;
        if (metas.size > 0) {
          change.updates.push(memberOf(metas));
        } else {
          members.delete(sub);
          change.leaves.push(before);
        }
      }
      if (members.size === 0) this.channels.delete(key);
      if (change.leaves.length > 0 || change.updates.length > 0) changes.push(change);
    }
    return changes;
  }

  /** Every entry `matches` selects. */
  entries(matches: (entry: PresenceEntry) => boolean): PresenceEntry[] {
    const out: PresenceEntry[] = [];
    for (const members of this.channels.values()) for (const metas of members.values()) for (const entry of metas.values()) if (matches(entry)) out.push(entry);
    return out;
  }

  /** Everyone on a channel now. */
  snapshot(key: string): PresenceMember[] {
    const members = this.channels.get(key);
    return members ? [...members.values()].map(memberOf) : [];
  }
}
